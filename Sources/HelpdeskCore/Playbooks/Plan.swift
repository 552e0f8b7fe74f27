import Foundation

/// A playbook resolved against one requester's account into exact steps, approved as a whole,
/// run step by step (each step an `ActionRun` written ahead), now or at `runAt`.
public struct Plan: Sendable, Equatable, Identifiable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable {
        /// Its approval is pending.
        case awaitingApproval = "awaiting-approval"
        /// Approved (or needing no approval), waiting for its time.
        case scheduled
        /// Steps are being run; a crash leaves it here and the next runner resumes it.
        case running
        case finished
        /// A step failed, or did not take effect: the plan stopped there.
        case stopped
        /// Cancelled before it started, or its approval was denied or expired.
        case cancelled

        /// Whether nothing more will happen to it.
        public var isFinal: Bool { self == .finished || self == .stopped || self == .cancelled }
    }

    public let id: PlanID
    public let requestID: RequestID
    /// The playbook's name, or `undo` for an inverse plan.
    public let playbook: String
    public let title: String
    public let steps: [PlanStep]
    /// The Okta user it acts on, resolved when it was asked.
    public let targetUserID: String
    public let reason: String
    public let requestedBy: String
    public let requestedAt: Date
    /// When it is to run; nil: as soon as it may.
    public let runAt: Date?
    /// The plan this one undoes.
    public let undoes: PlanID?
    public let state: State
    /// The process running it (`host:pid`) and until when that claim holds.
    public let runner: String?
    public let leaseUntil: Date?
    /// Why it stopped or was cancelled.
    public let note: String?
    public let finishedAt: Date?

    public init(id: PlanID, requestID: RequestID, playbook: String, title: String, steps: [PlanStep], targetUserID: String, reason: String,
                requestedBy: String, requestedAt: Date, runAt: Date?, undoes: PlanID?, state: State, runner: String? = nil, leaseUntil: Date? = nil,
                note: String? = nil, finishedAt: Date? = nil) {
        self.id = id
        self.requestID = requestID
        self.playbook = playbook
        self.title = title
        self.steps = steps
        self.targetUserID = targetUserID
        self.reason = reason
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.runAt = runAt
        self.undoes = undoes
        self.state = state
        self.runner = runner
        self.leaseUntil = leaseUntil
        self.note = note
        self.finishedAt = finishedAt
    }

    /// What an approver approves: exactly these steps, for this user, at this time.
    public var terms: PlanTerms {
        PlanTerms(planID: id, playbook: playbook, title: title, steps: steps, targetUserID: targetUserID, runAt: runAt)
    }
}

/// One step of a plan: the exact action, and whether a failure of it lets the plan go on.
public struct PlanStep: Hashable, Sendable, Codable {
    public let action: OktaAction
    public let skipOnFailure: Bool

    public init(_ action: OktaAction, skipOnFailure: Bool = false) {
        self.action = action
        self.skipOnFailure = skipOnFailure
    }
}

/// A plan's terms as its approval holds them; approving compares them whole.
public struct PlanTerms: Hashable, Sendable, Codable {
    public let planID: PlanID
    public let playbook: String
    public let title: String
    public let steps: [PlanStep]
    public let targetUserID: String
    public let runAt: Date?

    public init(planID: PlanID, playbook: String, title: String, steps: [PlanStep], targetUserID: String, runAt: Date?) {
        self.planID = planID
        self.playbook = playbook
        self.title = title
        self.steps = steps
        self.targetUserID = targetUserID
        self.runAt = runAt
    }

    /// "Offboarding (PLAN-3): 9 steps, at 2026-12-04T17:00:00Z".
    public var summary: String {
        "\(title) (\(planID)): \(steps.count) step\(steps.count == 1 ? "" : "s")" + (runAt.map { ", at \(Timestamp.readable($0))" } ?? ", now")
    }
}

/// The fields of a plan about to be written.
public struct NewPlan: Sendable, Equatable {
    public let requestID: RequestID
    public let playbook: String
    public let title: String
    public let steps: [PlanStep]
    public let targetUserID: String
    public let reason: String
    public let requestedBy: String
    public let requestedAt: Date
    public let runAt: Date?
    public let undoes: PlanID?
    public let state: Plan.State

    public init(requestID: RequestID, playbook: String, title: String, steps: [PlanStep], targetUserID: String, reason: String, requestedBy: String,
                requestedAt: Date, runAt: Date?, undoes: PlanID?, state: Plan.State) {
        self.requestID = requestID
        self.playbook = playbook
        self.title = title
        self.steps = steps
        self.targetUserID = targetUserID
        self.reason = reason
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.runAt = runAt
        self.undoes = undoes
        self.state = state
    }
}

/// Which step of which plan a run carries out, and which try of it.
public struct PlanStepRef: Hashable, Sendable {
    public let plan: PlanID
    public let step: Int
    public let attempt: Int

    public init(plan: PlanID, step: Int, attempt: Int) {
        self.plan = plan
        self.step = step
        self.attempt = attempt
    }
}

extension Plan {
    /// For the status line and the command line: "Offboarding (PLAN-3) finished: every step done".
    public var progressLine: String {
        switch state {
        case .awaitingApproval: "\(title) (\(id)) waits for approval"
        case .scheduled: "\(title) (\(id)) is scheduled" + (runAt.map { " for \(Timestamp.readable($0))" } ?? "")
        case .running: "\(title) (\(id)) is running; the service goes on with it"
        case .finished: "\(title) (\(id)) finished: all \(steps.count) step\(steps.count == 1 ? "" : "s") done"
        case .stopped: "\(title) (\(id)) stopped: \(note ?? "see its timeline")"
        case .cancelled: "\(title) (\(id)) cancelled: \(note ?? "")"
        }
    }
}

extension Plan {
    /// The profile its first step creates, when it is a new hire's plan (its user is then known by login).
    public var createdProfile: NewUserProfile? {
        if case .createUser(let profile)? = steps.first?.action { return profile }
        return nil
    }
}
