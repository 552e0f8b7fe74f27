import HelpdeskCore

/// Work `update` asks for, as data: tests compare it with `==`; the `EffectRunner` performs it
/// and answers with a `Message`.
public enum Effect: Sendable, Equatable {
    /// Load a queue window: forward after `after` (nil: from the top), or backward (nil: the end).
    case loadQueue(QueueLoad)
    case loadDetail(RequestID)
    case loadCard(EmailAddress, refresh: Bool)
    case searchTargets(PickerState.Kind, query: String)
    case ask(InFlight, OktaAction, reason: String, by: Operator)
    case approve(InFlight, Approval, comment: String?, by: Operator)
    case deny(Approval, reason: String, by: Operator)
    case assign(RequestID, to: String, by: Operator)
    case note(RequestID, String, by: Operator)
    case resolve(RequestID, note: String?, version: Int, by: Operator)
    case checkRequester(String)
    case createRequest(requester: String, subject: String, priority: Priority, by: Operator)
    /// Look for commits by other processes.
    case watchStore
    /// Revoke due temporary access and expire approvals.
    case sweep
    case quit
}

/// Which queue window to load.
public struct QueueLoad: Sendable, Equatable {
    public let generation: Int
    public let tab: Tab
    public let filter: QueueFilter
    public let after: QueueCursor?
    public let direction: QueueQuery.Direction
    public let limit: Int
    public let login: String
    public let keep: RequestID?
    public let fallbackIndex: Int
    /// Rows to move the selection from the kept request once loaded.
    public let moveBy: Int

    public init(generation: Int, tab: Tab, filter: QueueFilter, after: QueueCursor?, direction: QueueQuery.Direction, limit: Int, login: String,
                keep: RequestID?, fallbackIndex: Int, moveBy: Int = 0) {
        self.generation = generation
        self.tab = tab
        self.filter = filter
        self.after = after
        self.direction = direction
        self.limit = limit
        self.login = login
        self.keep = keep
        self.fallbackIndex = fallbackIndex
        self.moveBy = moveBy
    }
}
