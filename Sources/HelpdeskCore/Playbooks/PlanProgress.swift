import Foundation

/// How far a plan that has not ended has got, for its request's row and title: "plan 3/9".
public struct PlanProgress: Sendable, Equatable, Codable {
    public let planID: PlanID
    public let requestID: RequestID
    public let title: String
    public let state: Plan.State
    /// Steps with a run that succeeded, of all the plan's steps.
    public let done: Int
    public let total: Int
    public let runAt: Date?

    public init(planID: PlanID, requestID: RequestID, title: String, state: Plan.State, done: Int, total: Int, runAt: Date?) {
        self.planID = planID
        self.requestID = requestID
        self.title = title
        self.state = state
        self.done = done
        self.total = total
        self.runAt = runAt
    }

    /// At most 10 columns: "plan 3/9", "scheduled", "approval".
    public var label: String {
        switch state {
        case .running: "plan \(done)/\(total)"
        case .scheduled: "scheduled"
        case .awaitingApproval: "approval"
        case .finished, .stopped, .cancelled: state.rawValue
        }
    }

    /// For the detail's title: "PLAN-3 Offboarding running 3/9".
    public var sentence: String {
        switch state {
        case .running: "\(planID) \(title) running \(done)/\(total)"
        case .scheduled: "\(planID) \(title) scheduled" + (runAt.map { " for \(Timestamp.readable($0))" } ?? "")
        default: "\(planID) \(title) \(state.rawValue)"
        }
    }
}
