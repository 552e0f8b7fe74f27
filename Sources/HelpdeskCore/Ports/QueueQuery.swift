import Foundation

/// Which requests a queue shows.
public struct QueueFilter: Sendable, Equatable, Hashable, Codable {
    /// nil: every status.
    public var statuses: Set<RequestStatus>?
    public var assignee: String?
    /// Only requests with a pending approval this login may give.
    public var awaitingApprovalBy: String?
    /// Full-text words over subject, body and requester; each word matches as a prefix.
    public var text: String?

    public init(statuses: Set<RequestStatus>? = nil, assignee: String? = nil, awaitingApprovalBy: String? = nil, text: String? = nil) {
        self.statuses = statuses
        self.assignee = assignee
        self.awaitingApprovalBy = awaitingApprovalBy
        self.text = text
    }

    public static let all = QueueFilter()
}

/// Where a page starts: the sort key of the row before it (keyset pagination).
public struct QueueCursor: Sendable, Equatable, Hashable, Codable {
    public let urgencyRank: Int
    public let createdAt: Date
    public let id: RequestID

    public init(urgencyRank: Int, createdAt: Date, id: RequestID) {
        self.urgencyRank = urgencyRank
        self.createdAt = createdAt
        self.id = id
    }

    /// The position of a request in queue order.
    public init(_ request: Request) {
        self.init(urgencyRank: request.priority.urgencyRank, createdAt: request.createdAt, id: request.id)
    }
}

/// A page of the queue, sorted by priority (urgent first), then age (oldest first), then number.
public struct QueueQuery: Sendable, Equatable, Codable {
    public enum Direction: Sendable, Equatable, Codable {
        /// Rows after the cursor (or from the top without one).
        case forward
        /// Rows before the cursor (or the last rows without one); still returned in queue order.
        case backward
    }

    public var filter: QueueFilter
    public var cursor: QueueCursor?
    public var direction: Direction
    public var limit: Int

    public init(filter: QueueFilter = .all, after cursor: QueueCursor? = nil, direction: Direction = .forward, limit: Int = 50) {
        self.filter = filter
        self.cursor = cursor
        self.direction = direction
        self.limit = limit
    }
}

/// One page of requests, and where the next one starts if there is one.
public struct QueuePage: Sendable, Equatable, Codable {
    public let requests: [Request]
    /// The cursor for the following page in the query's direction; nil at the end.
    public let next: QueueCursor?

    public init(requests: [Request], next: QueueCursor?) {
        self.requests = requests
        self.next = next
    }
}
