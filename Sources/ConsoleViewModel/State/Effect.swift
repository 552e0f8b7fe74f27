import HelpdeskCore

/// Work `update` asks for, as data: tests compare it with `==`; the `EffectRunner` performs it
/// through `HelpdeskService` and answers with a `Message`. No effect says who is asking: the
/// service knows.
public enum Effect: Sendable, Equatable {
    /// Load a queue window: forward after `after` (nil: from the top), or backward (nil: the end).
    case loadQueue(QueueLoad)
    /// The windows asked for before this generation are not wanted, and none replaces them (the
    /// keys that waited for one gave up; the selection moved back inside the window): one still
    /// being read stops.
    case dropQueueLoads(before: Int)
    case loadDetail(RequestID)
    case loadCard(EmailAddress, refresh: Bool)
    case searchTargets(PickerState.Kind, query: String)
    /// Ask for an action on the account the operator confirmed (its Okta id, when a card was shown).
    case ask(InFlight, OktaAction, reason: String, account: String?)
    case approve(InFlight, Approval, comment: String?)
    /// Approves a plan exactly as the approver saw it.
    case approvePlan(Approval, comment: String?)
    case loadPlaybooks(RequestID)
    case previewPlan(PlanAsk)
    case startPlan(PlanAsk, expecting: [PlanStep])
    case cancelPlan(PlanID, reason: String)
    case deny(Approval, reason: String)
    /// Assign; with a version, only if nobody changed the request since the operator saw it.
    /// Assign to a login, or to nobody (nil).
    case assign(RequestID, to: String?, version: Int?)
    case reopen(RequestID)
    /// Who may approve this action on this request, by the engine's rules.
    case findApprovers(RequestID, ActionName)
    case note(RequestID, String)
    case resolve(RequestID, note: String?, version: Int)
    case checkRequester(String)
    case createRequest(requester: String, subject: String, priority: Priority)
    /// Listen to the service's change stream (for as long as the console runs).
    case subscribe
    /// The demo only: act as another persona from now on.
    case actAs(login: String)
    case quit
}

extension Effect {
    /// Work that records something (a note, an assignment, an ask, a decision): a console that is
    /// closing finishes it first.
    public var records: Bool {
        switch self {
        case .ask, .approve, .approvePlan, .startPlan, .cancelPlan, .deny, .assign, .reopen, .note, .resolve, .createRequest: true
        case .loadQueue, .dropQueueLoads, .loadDetail, .loadCard, .searchTargets, .loadPlaybooks, .previewPlan, .findApprovers, .checkRequester, .subscribe, .actAs, .quit: false
        }
    }

    /// Work whose answer is the next thing its key shows (`QueueLoad.awaitedByItsKey`).
    public var isAwaitedByItsKey: Bool {
        if case .loadQueue(let load) = self { load.awaitedByItsKey } else { false }
    }
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
    /// The key that asked for this window moved the selection to rows not in memory (Home, End,
    /// a move past the window): the move shows when they come, so the loop starts the read before
    /// it draws the key's frame.
    public let awaitedByItsKey: Bool

    public init(generation: Int, tab: Tab, filter: QueueFilter, after: QueueCursor?, direction: QueueQuery.Direction, limit: Int, login: String,
                keep: RequestID?, fallbackIndex: Int, moveBy: Int = 0, awaitedByItsKey: Bool = false) {
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
        self.awaitedByItsKey = awaitedByItsKey
    }
}
