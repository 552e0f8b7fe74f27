import Foundation

/// A request with everything recorded about it: timeline, approvals, runs, grants and plans.
public struct RequestDetail: Sendable, Equatable, Codable {
    public let request: Request
    public let timeline: [TimelineEvent]
    public let approvals: [Approval]
    public let runs: [ActionRun]
    public let grants: [AccessGrant]
    /// Runs whose outcome is unknown now (reconcile settles them).
    public let unknownRuns: [ActionRunID]
    public let plans: [Plan]

    public init(request: Request, timeline: [TimelineEvent], approvals: [Approval], runs: [ActionRun], grants: [AccessGrant], unknownRuns: [ActionRunID],
                plans: [Plan] = []) {
        self.request = request
        self.timeline = timeline
        self.approvals = approvals
        self.runs = runs
        self.grants = grants
        self.unknownRuns = unknownRuns
        self.plans = plans
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
