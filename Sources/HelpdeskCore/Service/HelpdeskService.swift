import Foundation

/// The application boundary: everything the console and the command line ask of helpdesk.
/// An implementation is bound to one operator, so no call says who is asking: in-process
/// (`LocalHelpdeskService`, for the demo and personal use) the operator is the process's own
/// login; over the socket (`helpdesk serve`) the service learns it from the kernel.
/// Failures are the core's errors in-process and `ServiceError` over the socket; every one
/// carries a sentence a person can act on.
public protocol HelpdeskService: Sendable {
    /// Who the service takes this client to be, and what the console needs to draw.
    func session() async throws -> ServiceSession

    // Reading.
    func queue(_ query: QueueQuery) async throws -> QueuePage
    /// A window of the queue with its neighbours and the tab counts, in one consistent read.
    func queueSlice(_ request: QueueSliceRequest) async throws -> QueueSlice
    func detail(of id: RequestID) async throws -> RequestDetail
    /// The requester's Okta account: status, groups, apps, factors, recent sign-ins, manager.
    func requesterCard(_ email: EmailAddress) async throws -> RequesterCard
    /// The Okta user with this email, or nil (for the new-request form).
    func lookUpRequester(_ email: EmailAddress) async throws -> DirectoryUser?
    func findGroups(_ prefix: String) async throws -> [DirectoryGroup]
    func findApps(_ prefix: String) async throws -> [DirectoryApp]
    /// Timeline events as `export` prints them, oldest first.
    func exportEvents(_ query: EventQuery) async throws -> ExportPage

    // Working on requests.
    func create(_ new: NewRequest) async throws -> Request
    func note(_ id: RequestID, _ text: String) async throws -> TimelineEvent
    /// Assigns to `login`, or unassigns with nil.
    /// Assigns (nil: unassigns); with `expectedVersion`, only if nobody changed the request since.
    func assign(_ id: RequestID, to login: String?, expectedVersion: Int?) async throws -> Request
    func resolve(_ id: RequestID, note: String?, expectedVersion: Int?) async throws -> Request
    func reopen(_ id: RequestID) async throws -> Request
    /// Requests from another system, a batch at a time; lines already imported are reported so.
    func importLines(_ lines: [ImportInput]) async throws -> ImportReport

    // Okta actions and approvals.
    func act(_ ask: ActionAsk) async throws -> AskOutcome
    /// Approves exactly the approval named; `expecting` is the action as the approver saw it.
    func approve(_ id: ApprovalID, expecting: OktaAction?, comment: String?) async throws -> ActionOutcome
    func deny(_ id: ApprovalID, reason: String) async throws -> Approval
    /// Who may approve `action` on the request if this operator asks for it now (empty when it
    /// needs no approval, or nobody may give it).
    func whoMayApprove(_ action: ActionName, on id: RequestID) async throws -> [String]
    func reconcile(_ id: RequestID?) async throws -> [Reconciler.Result]

    // Playbooks.
    /// The playbooks this operator may start.
    func playbooks() async throws -> [Playbook]
    /// The plan a playbook (or an undo) would be on the request now, without asking for it.
    func previewPlan(_ ask: PlanAsk) async throws -> PlanPreview
    /// Asks for the plan; `expecting` is the previewed steps (refused if the plan would now differ).
    func startPlan(_ ask: PlanAsk, expecting: [PlanStep]?) async throws -> Plan
    /// Approves exactly the plan the approver saw; it runs now if it is due.
    func approvePlan(_ id: ApprovalID, expecting: PlanTerms?, comment: String?) async throws -> Plan
    /// Cancels a plan that has not started.
    func cancelPlan(_ id: PlanID, reason: String) async throws -> Plan
    func sweep() async throws -> AccessSweeper.Report

    /// The setup as the service sees it: configuration, store, Okta, clock.
    func setupChecks() async -> [ServiceCheck]

    /// Calls `handler` with every change committed by anyone (and, over the socket, with the
    /// connection's ups and downs) until the subscription is cancelled.
    func subscribe(after eventID: Int64?, _ handler: @escaping @Sendable (ServiceEvent) -> Void) async -> ServiceSubscription
}

/// A live subscription to the change stream; `cancel` ends it.
public final class ServiceSubscription: Sendable {
    private let onCancel: @Sendable () -> Void

    public init(onCancel: @escaping @Sendable () -> Void) {
        self.onCancel = onCancel
    }

    public func cancel() { onCancel() }
}

/// What a subscriber hears.
public enum ServiceEvent: Sendable, Equatable {
    /// Something was committed: new timeline events up to `notice.lastEventID`.
    case changed(ChangeNotice)
    /// The service cannot be reached; the client keeps trying.
    case unavailable(String)
    /// The service is back; anything may have changed meanwhile.
    case available
    /// Something everyone should see: a revoke that keeps failing, a store that cannot be read.
    case alert(String)
}

/// Which requests changed: those with timeline events after the last notice.
public struct ChangeNotice: Sendable, Equatable, Codable {
    public let lastEventID: Int64
    public let requests: [RequestID]
    /// More changed than the notice lists; reload everything.
    public let truncated: Bool

    public init(lastEventID: Int64, requests: [RequestID], truncated: Bool = false) {
        self.lastEventID = lastEventID
        self.requests = requests
        self.truncated = truncated
    }
}
