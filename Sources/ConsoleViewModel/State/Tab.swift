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
        case .mine: return QueueCounts.mineFilter(login, text: text)
        case .approvals: return QueueCounts.approvalsFilter(login, text: text)
        case .resolved: return QueueFilter(statuses: RequestStatus.done, text: text)
        }
    }
}

extension QueueCounts {
    /// How many requests a tab holds.
    public subscript(tab: Tab) -> Int {
        switch tab {
        case .queue: queue
        case .mine: mine
        case .approvals: approvals
        case .resolved: resolved
        }
    }
}
