import HelpdeskCore

/// The WHERE conditions of a queue filter other than its text, as both engines write them, chosen
/// so the database can walk one index in queue order.
public struct QueueConditions {
    public private(set) var conditions: [String] = []
    public private(set) var values: [SQLValue] = []
    /// True when no row can match (an empty status set).
    public private(set) var matchesNothing = false

    public init(filter: QueueFilter) {
        if let statuses = filter.statuses {
            addStatuses(statuses)
        }
        if let assignee = filter.assignee {
            conditions.append("r.assignee = ?")
            values.append(.text(assignee))
        }
        if let login = filter.awaitingApprovalBy {
            conditions.append("""
            r.id IN (SELECT a.request_id FROM approval_approvers p JOIN approvals a ON a.id = p.approval_id
                     WHERE p.login = ? AND a.state = 'pending')
            """)
            values.append(.text(login))
        }
    }

    /// The order of the queue, one way or the other.
    public static func order(forward: Bool) -> String {
        forward ? "r.urgency, r.created_at, r.id" : "r.urgency DESC, r.created_at DESC, r.id DESC"
    }

    /// The keyset condition of a page: rows after the query's cursor in its direction (none without one).
    public static func keyset(_ query: QueueQuery) -> (conditions: [String], values: [SQLValue]) {
        guard let cursor = query.cursor else { return ([], []) }
        return (["(r.urgency, r.created_at, r.id) \(query.direction == .forward ? ">" : "<") (?, ?, ?)"],
                [.int(cursor.urgencyRank), .time(cursor.createdAt), .integer(cursor.id.number)])
    }

    /// A page of `limit` rows from `rows` read in walking order (one more when there are more), in queue order.
    public static func page(_ rows: [Request], limit: Int, forward: Bool) -> QueuePage {
        var rows = rows
        let more = rows.count > limit
        if more { rows.removeLast() }
        let next = more ? rows.last.map(QueueCursor.init) : nil
        return QueuePage(requests: forward ? rows : rows.reversed(), next: next)
    }

    /// Uses the lane index (active or done) when the statuses fall in one lane.
    private mutating func addStatuses(_ statuses: Set<RequestStatus>) {
        guard !statuses.isEmpty else {
            matchesNothing = true
            return
        }
        if statuses.isSubset(of: RequestStatus.active) {
            conditions.append("r.lane = 0")
            if statuses != RequestStatus.active { addStatusList(statuses) }
        } else if statuses.isSubset(of: RequestStatus.done) {
            conditions.append("r.lane = 1")
            if statuses != RequestStatus.done { addStatusList(statuses) }
        } else if statuses != Set(RequestStatus.allCases) {
            addStatusList(statuses)
        }
    }

    private mutating func addStatusList(_ statuses: Set<RequestStatus>) {
        let sorted = statuses.map(\.rawValue).sorted()
        conditions.append("r.status IN (\(sorted.map { _ in "?" }.joined(separator: ", ")))")
        values += sorted.map(SQLValue.text)
    }
}
