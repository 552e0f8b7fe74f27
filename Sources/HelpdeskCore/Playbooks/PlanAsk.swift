import Foundation

/// Asking for a plan on a request: a playbook, or the undoing of a plan that ran.
public struct PlanAsk: Sendable, Equatable, Codable {
    public enum Source: Sendable, Equatable, Codable {
        case playbook(String)
        case undo(PlanID)
    }

    public let requestID: RequestID
    public let source: Source
    public let reason: String
    /// When it is to run; nil: as soon as it is approved (or at once, needing no approval).
    public let runAt: Date?
    /// For a playbook that creates its user: `firstName`, `lastName`, and optionally `login`
    /// (default: the requester's email), `manager` (an email), `department`.
    public let fields: [String: String]
    /// The user the preview showed (`PlanPreview.targetUserID`): asking refuses if the plan would now act on another.
    public let confirmedUserID: String?

    public init(requestID: RequestID, source: Source, reason: String = "", runAt: Date? = nil, fields: [String: String] = [:], confirmedUserID: String? = nil) {
        self.requestID = requestID
        self.source = source
        self.reason = reason
        self.runAt = runAt
        self.fields = fields
        self.confirmedUserID = confirmedUserID
    }

    /// The same ask, to be sent as previewed: with its reason and the user the preview showed.
    public func confirming(_ preview: PlanPreview, reason: String) -> PlanAsk {
        PlanAsk(requestID: requestID, source: source, reason: reason, runAt: runAt, fields: fields, confirmedUserID: preview.targetUserID)
    }
}

/// A plan as it would be asked for now: its exact steps, what was left out and why, and who
/// would have to approve it. Starting the plan with `steps` as `expecting` refuses if Okta's
/// state changed meanwhile.
public struct PlanPreview: Sendable, Equatable, Codable {
    public let requestID: RequestID
    public let title: String
    public let playbook: String
    public let targetUserID: String
    public let targetLogin: String
    public let steps: [PlanStep]
    /// What was left out, and why; for an undo, what cannot be undone.
    public let notes: [String]
    public let needsApproval: Bool
    /// The logins that would be asked (empty when it needs no approval).
    public let approvers: [String]
    public let runAt: Date?

    public init(requestID: RequestID, title: String, playbook: String, targetUserID: String, targetLogin: String, steps: [PlanStep], notes: [String],
                needsApproval: Bool, approvers: [String], runAt: Date?) {
        self.requestID = requestID
        self.title = title
        self.playbook = playbook
        self.targetUserID = targetUserID
        self.targetLogin = targetLogin
        self.steps = steps
        self.notes = notes
        self.needsApproval = needsApproval
        self.approvers = approvers
        self.runAt = runAt
    }
}
