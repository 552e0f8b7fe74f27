import Foundation

/// One attempt to run an action against Okta, written ahead of the call.
public struct ActionRun: Sendable, Equatable, Identifiable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable {
        /// Committed before the call; no outcome yet (in flight, or the process died).
        case started
        case succeeded
        case failed
        /// The call may or may not have taken effect; reconcile reads Okta's state.
        case unknown
        /// Reconciled after an unknown outcome; the finding is on the timeline.
        case reconciled
    }

    public let id: ActionRunID
    public let requestID: RequestID
    public let action: OktaAction
    public let targetUserID: String
    public let approvalID: ApprovalID?
    /// Set when this run is the scheduled revoke of a temporary grant.
    public let revokesGrant: GrantID?
    public let startedBy: String
    public let startedAt: Date
    public let state: State
    public let finishedAt: Date?
    /// The process that calls Okta for it (`host:pid`), to tell a crash from a slow call.
    public let runner: String?
    /// The latest moment its changing call may be sent; by then it has been answered or abandoned.
    public let deadline: Date?
    /// Reconcile's tries to read Okta's state for it, and when it tries next.
    public let reconcileAttempts: Int
    public let nextReconcileAt: Date?
    /// The plan and step (from 0) it runs, when it is a plan's step: a step has one run at most.
    public let planID: PlanID?
    public let planStep: Int?
    /// Which try of the step (from 0): another is written only once the last was found not applied.
    public let planAttempt: Int?

    public init(
        id: ActionRunID, requestID: RequestID, action: OktaAction, targetUserID: String, approvalID: ApprovalID?, revokesGrant: GrantID?,
        startedBy: String, startedAt: Date, state: State, finishedAt: Date?, runner: String? = nil, deadline: Date? = nil,
        reconcileAttempts: Int = 0, nextReconcileAt: Date? = nil, planID: PlanID? = nil, planStep: Int? = nil, planAttempt: Int? = nil
    ) {
        self.id = id
        self.requestID = requestID
        self.action = action
        self.targetUserID = targetUserID
        self.approvalID = approvalID
        self.revokesGrant = revokesGrant
        self.startedBy = startedBy
        self.startedAt = startedAt
        self.state = state
        self.finishedAt = finishedAt
        self.runner = runner
        self.deadline = deadline
        self.reconcileAttempts = reconcileAttempts
        self.nextReconcileAt = nextReconcileAt
        self.planID = planID
        self.planStep = planStep
        self.planAttempt = planAttempt
    }

    /// When its changing call can no longer be in flight from here: the deadline, or for runs
    /// written before deadlines were, two minutes after the start.
    public var callDeadline: Date { deadline ?? startedAt.addingTimeInterval(120) }
}

/// The fields of a run about to be written ahead of its call.
public struct NewActionRun: Sendable, Equatable {
    public let requestID: RequestID
    public let action: OktaAction
    public let targetUserID: String
    public let approvalID: ApprovalID?
    public let revokesGrant: GrantID?
    public let startedBy: String
    public let startedAt: Date
    public let runner: String?
    public let deadline: Date?
    public let planID: PlanID?
    public let planStep: Int?
    /// Which try of the step (from 0): another is written only once the last was found not applied.
    public let planAttempt: Int?

    public init(requestID: RequestID, action: OktaAction, targetUserID: String, approvalID: ApprovalID?, revokesGrant: GrantID?, startedBy: String, startedAt: Date,
                runner: String? = nil, deadline: Date? = nil, planID: PlanID? = nil, planStep: Int? = nil, planAttempt: Int? = nil) {
        self.requestID = requestID
        self.action = action
        self.targetUserID = targetUserID
        self.approvalID = approvalID
        self.revokesGrant = revokesGrant
        self.startedBy = startedBy
        self.startedAt = startedAt
        self.runner = runner
        self.deadline = deadline
        self.planID = planID
        self.planStep = planStep
        self.planAttempt = planAttempt
    }
}
