import Foundation

/// A request with what is recorded about it: its newest timeline entries (`timelineLimit`,
/// `timelineBytes`; `export --request` prints every one), its pending approvals and newest decided
/// ones (`decidedApprovalLimit`), its open runs and plans and newest ended ones (`endedLimit`), and grants.
public struct RequestDetail: Sendable, Equatable, Codable {
    public let request: Request
    public let timeline: [TimelineEvent]
    /// Entries before the first in `timeline`, left out to keep the answer small.
    public let earlierEvents: Int
    public let approvals: [Approval]
    /// Decided approvals before the first in `approvals` that were left out.
    public let earlierApprovals: Int
    public let runs: [ActionRun]
    /// Ended runs before the first in `runs` that were left out.
    public let earlierRuns: Int
    public let grants: [AccessGrant]
    /// Runs whose outcome is unknown now (reconcile settles them).
    public let unknownRuns: [ActionRunID]
    public let plans: [Plan]
    /// Ended plans before the first in `plans` that were left out.
    public let earlierPlans: Int

    /// Most timeline entries a detail carries, and most bytes of their details (past it, the
    /// newest that reach it): a request noted thousands of times stays quick to open, and its
    /// answer well inside what the protocol carries.
    public static let timelineLimit = 1_000
    public static let timelineBytes = 2 << 20
    /// Most decided approvals a detail carries (every pending one comes too).
    public static let decidedApprovalLimit = 200
    /// Most ended runs, and ended plans, a detail carries (every open one comes too).
    public static let endedLimit = 200

    public init(request: Request, timeline: [TimelineEvent], earlierEvents: Int = 0, approvals: [Approval], earlierApprovals: Int = 0, runs: [ActionRun],
                earlierRuns: Int = 0, grants: [AccessGrant], unknownRuns: [ActionRunID], plans: [Plan] = [], earlierPlans: Int = 0) {
        self.request = request
        self.timeline = timeline
        self.earlierEvents = earlierEvents
        self.approvals = approvals
        self.earlierApprovals = earlierApprovals
        self.runs = runs
        self.earlierRuns = earlierRuns
        self.grants = grants
        self.unknownRuns = unknownRuns
        self.plans = plans
        self.earlierPlans = earlierPlans
    }

    /// `items` (oldest first) with every open one and the newest `limit` others; and how many others were left out.
    public static func recent<Item>(_ items: [Item], isOpen: (Item) -> Bool, limit: Int) -> (items: [Item], earlier: Int) {
        let ended = items.indices.filter { !isOpen(items[$0]) }
        let dropped = Set(ended.dropLast(max(0, limit)))
        return (items.indices.filter { !dropped.contains($0) }.map { items[$0] }, dropped.count)
    }
}

/// Which timeline events `events` returns: oldest first, after an event id, since a time, of one request.
public struct EventQuery: Sendable, Equatable, Codable {
    public let since: Date?
    public let request: RequestID?
    public let afterEventID: Int64?
    public let limit: Int

    public init(since: Date? = nil, request: RequestID? = nil, afterEventID: Int64? = nil, limit: Int = 1_000) {
        self.since = since
        self.request = request
        self.afterEventID = afterEventID
        self.limit = limit
    }
}
