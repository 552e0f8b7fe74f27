import HelpdeskCore

/// The selected request's timeline, approvals and runs, read from the store.
public struct DetailState: Sendable, Equatable {
    public var requestID: RequestID?
    public var timeline: [TimelineEvent] = [] {
        didSet { wrapped = WrappedLines() }
    }
    /// This timeline's entries as wrapped for the screen.
    public private(set) var wrapped = WrappedLines()

    /// The same request's timeline read again: its entries are the ones read before and any
    /// recorded since (the store never changes one), so what was wrapped for them still holds —
    /// unless an entry of the same number is another (a store restored from a backup, a database
    /// that failed over without its newest entries), which starts the wrapping afresh.
    public mutating func reread(_ events: [TimelineEvent]) {
        let kept = wrapped
        let before = Dictionary(timeline.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let same = events.allSatisfy { event in
            before[event.id].map { $0.at == event.at && $0.actor == event.actor && $0.kind == event.kind } ?? true
        }
        timeline = events
        if same { wrapped = kept }
    }
    /// Entries before the first in `timeline` that the service left out.
    public var earlierEvents = 0
    public var approvals: [Approval] = []
    public var runs: [ActionRun] = []
    /// Runs whose outcome the service says is unknown now.
    public var unknownRuns: [ActionRunID] = []
    public var plans: [Plan] = []
    /// Lines scrolled back from the newest (the timeline shows the newest at the bottom).
    public var scrollBack = 0

    public init() {}

    /// Pending approvals on this request that `login` may decide.
    public func decidable(by login: String) -> [Approval] {
        approvals.filter { $0.state == .pending && $0.mayBeApproved(by: login) }
    }
}
