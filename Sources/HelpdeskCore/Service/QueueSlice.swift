/// A window of the queue as the console keeps it: rows around a cursor, whether more lie
/// above or below, and the counts of every tab.
public struct QueueSliceRequest: Sendable, Equatable, Codable {
    public let filter: QueueFilter
    public let after: QueueCursor?
    public let direction: QueueQuery.Direction
    public let limit: Int
    /// Backward loads fill the window up to this many rows with rows after the cursor.
    public let windowSize: Int

    public init(filter: QueueFilter, after: QueueCursor?, direction: QueueQuery.Direction, limit: Int, windowSize: Int) {
        self.filter = filter
        self.after = after
        self.direction = direction
        self.limit = limit
        self.windowSize = windowSize
    }
}

/// The rows of one window and the counts, read together.
public struct QueueSlice: Sendable, Equatable, Codable {
    public let rows: [Request]
    public let moreAbove: Bool
    public let moreBelow: Bool
    public let counts: QueueCounts
    /// The plans not yet ended on these rows.
    public let plans: [PlanProgress]

    public init(rows: [Request], moreAbove: Bool, moreBelow: Bool, counts: QueueCounts, plans: [PlanProgress] = []) {
        self.rows = rows
        self.moreAbove = moreAbove
        self.moreBelow = moreBelow
        self.counts = counts
        self.plans = plans
    }
}

/// How many requests each view of the queue holds, for the operator asking.
public struct QueueCounts: Sendable, Equatable, Codable {
    /// New, open and awaiting approval.
    public var queue = 0
    /// The working queue assigned to the operator.
    public var mine = 0
    /// Requests with an approval the operator may give.
    public var approvals = 0
    /// Resolved and closed.
    public var resolved = 0

    public init(queue: Int = 0, mine: Int = 0, approvals: Int = 0, resolved: Int = 0) {
        self.queue = queue
        self.mine = mine
        self.approvals = approvals
        self.resolved = resolved
    }

    /// The filters the counts count, for `login`; the console's tabs use the same ones.
    public static func mineFilter(_ login: String, text: String? = nil) -> QueueFilter {
        QueueFilter(statuses: RequestStatus.active, assignee: login, text: text)
    }

    public static func approvalsFilter(_ login: String, text: String? = nil) -> QueueFilter {
        QueueFilter(awaitingApprovalBy: login, text: text)
    }
}
