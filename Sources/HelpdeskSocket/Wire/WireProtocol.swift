import Foundation
import HelpdeskCore

/// The protocol between the helpdesk service and its clients: versioned, framed JSON messages.
/// A client first sends `hello`; every request carries an id and gets exactly one response with
/// that id; the service may send events (no id) at any time after `subscribe`. A client that no
/// longer needs a request's answer may send `{"cancel": id}` (no answer of its own): a request that
/// only reads then stops and is answered "cancelled"; one that changes something goes on.
public enum WireProtocol {
    /// Bumped when a message changes shape; the service refuses a client that speaks another.
    public static let version = 6
    /// The largest frame a client may send (an import batch fits well inside).
    public static let maxRequestFrame = 1 << 20
    /// The largest frame the service sends (a request detail with a long timeline).
    public static let maxResponseFrame = 32 << 20
    /// Where the service listens unless told otherwise.
    public static let defaultSocketPath = "/run/helpdesk/helpdesk.sock"

    /// JSON as the protocol writes it: sorted keys, ISO 8601 times with milliseconds.
    public static let encoder = JSONEncoder.helpdesk
    public static let decoder = JSONDecoder.helpdesk
}

/// Every method a client can call, by its name on the wire.
public enum ServiceMethod: String, Sendable, CaseIterable, Codable {
    case hello, session, queue, queueSlice, detail, requesterCard, lookUpRequester, findGroups, findApps, exportEvents
    case create, note, assign, resolve, reopen, importLines
    case act, approve, deny, whoMayApprove, reconcile, sweep, setupChecks, subscribe
    case playbooks, previewPlan, startPlan, approvePlan, cancelPlan

    /// Methods that may wait for Okta (seconds, when its rate limits are spent): they take turns
    /// apart from the store's quick reads and writes (`TurnsPerUser`).
    public var waitsForOkta: Bool {
        switch self {
        case .requesterCard, .lookUpRequester, .findGroups, .findApps, .act, .approve, .deny, .whoMayApprove, .reconcile, .sweep, .setupChecks,
             .previewPlan, .startPlan, .approvePlan, .cancelPlan: true
        case .hello, .session, .queue, .queueSlice, .detail, .exportEvents, .create, .note, .assign, .resolve, .reopen, .importLines, .subscribe,
             .playbooks: false
        }
    }

    /// Methods a client may cancel: those that only read (the store or Okta) for the client that
    /// asked. A change, once asked for, runs to its end; hello and subscribe are the connection's own.
    public var mayBeCancelled: Bool {
        switch self {
        case .queue, .queueSlice, .detail, .requesterCard, .lookUpRequester, .findGroups, .findApps, .whoMayApprove, .playbooks, .previewPlan: true
        case .hello, .session, .exportEvents, .setupChecks, .subscribe, .create, .note, .assign, .resolve, .reopen, .importLines, .act, .approve, .deny,
             .reconcile, .sweep, .startPlan, .approvePlan, .cancelPlan: false
        }
    }

    /// Methods that change something (for the log).
    public var changes: Bool {
        switch self {
        case .create, .note, .assign, .resolve, .reopen, .importLines, .act, .approve, .deny, .reconcile, .sweep, .startPlan, .approvePlan, .cancelPlan: true
        default: false
        }
    }
}

/// The first fields of any message, read before its parameters; `cancel` alone is a client's
/// cancellation of its request with that id.
struct WireHeader: Decodable {
    let id: Int64?
    let method: String?
    let cancel: Int64?
}

/// A client's cancellation: `{"cancel": 7}`.
struct WireCancel: Encodable {
    let cancel: Int64
}

/// A request: `{"id": 7, "method": "queue", "params": {…}}`.
struct WireRequest<Params: Encodable>: Encodable {
    let id: Int64
    let method: ServiceMethod
    let params: Params
}

/// The parameters of a request, read once its method is known.
struct WireParams<Params: Decodable>: Decodable {
    let params: Params
}

/// A response: `{"id": 7, "result": …}` or `{"id": 7, "error": {"code", "message", "directory"}}`.
struct WireResponse<Result> {
    let id: Int64?
    let result: Result?
    let error: ServiceError?
}

extension WireResponse: Encodable where Result: Encodable {}
extension WireResponse: Decodable where Result: Decodable {}

/// What the service pushes without being asked.
public enum WireEvent: Sendable, Equatable, Codable {
    case changed(ChangeNotice)
    case alert(String)
}

/// An event message: `{"event": {"changed": {…}}}`.
struct WireEventMessage: Codable {
    let event: WireEvent
}

/// No parameters, or no result.
public struct WireEmpty: Codable, Sendable, Equatable {
    public init() {}
}
