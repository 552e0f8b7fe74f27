import HelpdeskCore

/// The console's tabs; each is a queue filter.
public enum Tab: Int, CaseIterable, Sendable, Equatable {
    case queue, mine, approvals, resolved

    public var title: String {
        switch self {
        case .queue: "Queue"
        case .mine: "Mine"
        case .approvals: "Awaiting my approval"
        case .resolved: "Resolved"
        }
    }

    /// The requests this tab lists for `login`, narrowed by the typed filter.
    public func filter(for login: String, text: String) -> QueueFilter {
        let text = text.isEmpty ? nil : text
        switch self {
        case .queue: return QueueFilter(statuses: RequestStatus.active, text: text)
        case .mine: return QueueFilter(statuses: RequestStatus.active, assignee: login, text: text)
        case .approvals: return QueueFilter(awaitingApprovalBy: login, text: text)
        case .resolved: return QueueFilter(statuses: RequestStatus.done, text: text)
        }
    }
}

/// How many requests each tab holds.
public struct TabCounts: Sendable, Equatable {
    public var queue = 0
    public var mine = 0
    public var approvals = 0
    public var resolved = 0

    public init(queue: Int = 0, mine: Int = 0, approvals: Int = 0, resolved: Int = 0) {
        self.queue = queue
        self.mine = mine
        self.approvals = approvals
        self.resolved = resolved
    }

    public subscript(tab: Tab) -> Int {
        switch tab {
        case .queue: queue
        case .mine: mine
        case .approvals: approvals
        case .resolved: resolved
        }
    }
}
