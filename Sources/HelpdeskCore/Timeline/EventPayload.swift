import Foundation

/// What a timeline event says, typed per kind.
public enum EventPayload: Sendable, Equatable {
    case created(Created)
    case note(text: String)
    case assigned(to: String?)
    case statusChanged(from: RequestStatus, to: RequestStatus, note: String?)
    case approvalRequested(ApprovalRequested)
    case approvalGranted(approvalID: ApprovalID, comment: String?)
    case approvalDenied(approvalID: ApprovalID, reason: String)
    case approvalExpired(approvalID: ApprovalID)
    case approvalSuperseded(approvalID: ApprovalID, by: ApprovalID)
    case actionStarted(ActionStarted)
    case actionSucceeded(ActionSucceeded)
    case actionFailed(ActionFailed)
    case actionReconciled(ActionReconciled)
    case accessScheduled(AccessScheduled)
    case accessRevoked(AccessRevoked)
    case accessKept(AccessKept)
    case planAsked(PlanAsked)
    case planStarted(PlanStarted)
    case planEnded(PlanEnded)
    case alert(Alert)

    public var kind: EventKind {
        switch self {
        case .created: .created
        case .note: .note
        case .assigned: .assigned
        case .statusChanged: .statusChanged
        case .approvalRequested: .approvalRequested
        case .approvalGranted: .approvalGranted
        case .approvalDenied: .approvalDenied
        case .approvalExpired: .approvalExpired
        case .approvalSuperseded: .approvalSuperseded
        case .actionStarted: .actionStarted
        case .actionSucceeded: .actionSucceeded
        case .actionFailed: .actionFailed
        case .actionReconciled: .actionReconciled
        case .accessScheduled: .accessScheduled
        case .accessKept: .accessKept
        case .accessRevoked: .accessRevoked
        case .planAsked: .planAsked
        case .planStarted: .planStarted
        case .planEnded: .planEnded
        case .alert: .alert
        }
    }

    /// Okta's request id for events that record an Okta answer.
    public var oktaRequestID: String? {
        switch self {
        case .actionSucceeded(let outcome): outcome.oktaRequestID
        case .actionFailed(let failure): failure.oktaRequestID
        case .accessRevoked(let revoked): revoked.oktaRequestID
        default: nil
        }
    }

    public struct Created: Sendable, Equatable, Codable {
        public let requester: EmailAddress
        public let subject: String
        public let priority: Priority
        public let category: String

        public init(requester: EmailAddress, subject: String, priority: Priority, category: String) {
            self.requester = requester
            self.subject = subject
            self.priority = priority
            self.category = category
        }

        /// The details object as the encoder writes it (sorted keys, its escaping).
        public var detailsJSON: String {
            var json: [UInt8] = []
            json.reserveCapacity(64 + category.utf8.count + requester.value.utf8.count + subject.utf8.count)
            json.append(contentsOf: #"{"category":"#.utf8)
            ExportLine.appendQuoted(category, to: &json)
            json.append(contentsOf: #","priority":"#.utf8)
            ExportLine.appendQuoted(priority.rawValue, to: &json)
            json.append(contentsOf: #","requester":"#.utf8)
            ExportLine.appendQuoted(requester.value, to: &json)
            json.append(contentsOf: #","subject":"#.utf8)
            ExportLine.appendQuoted(subject, to: &json)
            json.append(UInt8(ascii: "}"))
            return String(decoding: json, as: UTF8.self)
        }
    }

    public struct ApprovalRequested: Sendable, Equatable, Codable {
        public let approvalID: ApprovalID
        public let action: OktaAction
        public let reason: String
        public let approvers: [String]
        public let expiresAt: Date

        public init(approvalID: ApprovalID, action: OktaAction, reason: String, approvers: [String], expiresAt: Date) {
            self.approvalID = approvalID
            self.action = action
            self.reason = reason
            self.approvers = approvers
            self.expiresAt = expiresAt
        }
    }

    public struct ActionStarted: Sendable, Equatable, Codable {
        public let runID: ActionRunID
        public let action: OktaAction
        public let approvalID: ApprovalID?
        public let grantID: GrantID?
        public let reason: String
        /// The plan and its step (from 0), when the run is a plan's step.
        public let planID: PlanID?
        public let planStep: Int?

        public init(runID: ActionRunID, action: OktaAction, approvalID: ApprovalID?, grantID: GrantID?, reason: String, planID: PlanID? = nil, planStep: Int? = nil) {
            self.runID = runID
            self.action = action
            self.approvalID = approvalID
            self.grantID = grantID
            self.reason = reason
            self.planID = planID
            self.planStep = planStep
        }
    }

    public struct ActionSucceeded: Sendable, Equatable, Codable {
        public let runID: ActionRunID
        public let action: OktaAction
        public let summary: String
        public let oktaRequestID: String?
        /// True when nothing changed: Okta found it done already, or the user held the access before.
        public let alreadyDone: Bool?

        public init(runID: ActionRunID, action: OktaAction, summary: String, oktaRequestID: String?, alreadyDone: Bool = false) {
            self.runID = runID
            self.action = action
            self.summary = summary
            self.oktaRequestID = oktaRequestID
            self.alreadyDone = alreadyDone ? true : nil
        }
    }

    public struct ActionFailed: Sendable, Equatable, Codable {
        public let runID: ActionRunID
        public let action: OktaAction
        public let errorCode: String?
        public let message: String
        public let oktaRequestID: String?
        /// True when Okta may or may not have done it; reconcile reads Okta's state.
        public let outcomeUnknown: Bool

        public init(runID: ActionRunID, action: OktaAction, errorCode: String?, message: String, oktaRequestID: String?, outcomeUnknown: Bool) {
            self.runID = runID
            self.action = action
            self.errorCode = errorCode
            self.message = message
            self.oktaRequestID = oktaRequestID
            self.outcomeUnknown = outcomeUnknown
        }
    }

    public struct ActionReconciled: Sendable, Equatable, Codable {
        public let runID: ActionRunID
        public let action: OktaAction
        public let finding: ReconcileFinding
        public let summary: String

        public init(runID: ActionRunID, action: OktaAction, finding: ReconcileFinding, summary: String) {
            self.runID = runID
            self.action = action
            self.finding = finding
            self.summary = summary
        }
    }

    public struct AccessScheduled: Sendable, Equatable, Codable {
        public let grantID: GrantID
        public let action: OktaAction
        public let revokeAt: Date

        public init(grantID: GrantID, action: OktaAction, revokeAt: Date) {
            self.grantID = grantID
            self.action = action
            self.revokeAt = revokeAt
        }
    }

    /// A grant's end passed it by: `keptBy` gave the same access again, lastingly (`until` nil)
    /// or until a later time, when the grant's revoke is due instead.
    public struct AccessKept: Sendable, Equatable, Codable {
        public let grantID: GrantID
        public let keptBy: ActionRunID
        public let until: Date?

        public init(grantID: GrantID, keptBy: ActionRunID, until: Date?) {
            self.grantID = grantID
            self.keptBy = keptBy
            self.until = until
        }
    }

    public struct AccessRevoked: Sendable, Equatable, Codable {
        public let grantID: GrantID
        public let runID: ActionRunID
        public let revoke: OktaAction
        public let summary: String
        public let oktaRequestID: String?

        public init(grantID: GrantID, runID: ActionRunID, revoke: OktaAction, summary: String, oktaRequestID: String?) {
            self.grantID = grantID
            self.runID = runID
            self.revoke = revoke
            self.summary = summary
            self.oktaRequestID = oktaRequestID
        }
    }
}

extension EventPayload {
    /// Something people must act on, tied to a run or a grant when there is one.
    public struct Alert: Sendable, Equatable, Codable {
        public let message: String
        public let runID: ActionRunID?
        public let grantID: GrantID?

        public init(message: String, runID: ActionRunID? = nil, grantID: GrantID? = nil) {
            self.message = message
            self.runID = runID
            self.grantID = grantID
        }
    }
}

extension EventPayload {
    /// A plan was asked for: its exact steps, when it runs, and who may approve it (none: it needs no approval).
    public struct PlanAsked: Sendable, Equatable, Codable {
        public let planID: PlanID
        public let title: String
        public let steps: [String]
        public let reason: String
        public let runAt: Date?
        public let approvalID: ApprovalID?
        public let approvers: [String]
        public let undoes: PlanID?

        public init(planID: PlanID, title: String, steps: [String], reason: String, runAt: Date?, approvalID: ApprovalID?, approvers: [String], undoes: PlanID?) {
            self.planID = planID
            self.title = title
            self.steps = steps
            self.reason = reason
            self.runAt = runAt
            self.approvalID = approvalID
            self.approvers = approvers
            self.undoes = undoes
        }
    }

    /// A plan began to run; `differences` is how Okta's state differs from the approved plan.
    public struct PlanStarted: Sendable, Equatable, Codable {
        public let planID: PlanID
        public let differences: [String]

        public init(planID: PlanID, differences: [String]) {
            self.planID = planID
            self.differences = differences
        }
    }

    /// A plan finished, stopped or was cancelled, with how far it got.
    public struct PlanEnded: Sendable, Equatable, Codable {
        public let planID: PlanID
        public let state: Plan.State
        public let stepsDone: Int
        public let summary: String

        public init(planID: PlanID, state: Plan.State, stepsDone: Int, summary: String) {
            self.planID = planID
            self.state = state
            self.stepsDone = stepsDone
            self.summary = summary
        }
    }
}

/// What reconciling an unfinished action found in Okta.
public enum ReconcileFinding: String, Sendable, Codable {
    /// Okta's state shows the action took effect.
    case applied
    /// Okta's state shows it did not; a person may ask for it again.
    case notApplied = "not-applied"
    /// Okta's state cannot tell (e.g. a one-time link was or was not issued).
    case unknown
}
