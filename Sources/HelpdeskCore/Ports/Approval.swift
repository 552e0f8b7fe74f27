import Foundation

/// A request for one action with its exact parameters, or one plan with its exact steps,
/// waiting on, or decided by, an approver.
public struct Approval: Sendable, Equatable, Identifiable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable {
        case pending, granted, denied, expired, superseded
    }

    public let id: ApprovalID
    public let requestID: RequestID
    public let subject: ApprovalSubject
    public let reason: String
    public let requestedBy: String
    public let requestedAt: Date
    public let expiresAt: Date
    /// The logins that may approve it, with why each may.
    public let approvers: [EligibleApprover]
    /// The Okta user the action is for, resolved when it was asked.
    public let targetUserID: String?
    /// The asking operator's Okta user id, resolved when it was asked (nil when they have none).
    public let requestedByOktaID: String?
    public let state: State
    public let decidedBy: String?
    public let decidedAt: Date?
    public let decisionReason: String?
    /// The deciding operator's Okta user id, resolved when they approved.
    public let decidedByOktaID: String?

    public init(
        id: ApprovalID, requestID: RequestID, subject: ApprovalSubject, reason: String, requestedBy: String,
        requestedAt: Date, expiresAt: Date, approvers: [EligibleApprover], targetUserID: String? = nil, requestedByOktaID: String? = nil, state: State,
        decidedBy: String? = nil, decidedAt: Date? = nil, decisionReason: String? = nil, decidedByOktaID: String? = nil
    ) {
        self.id = id
        self.requestID = requestID
        self.subject = subject
        self.reason = reason
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.expiresAt = expiresAt
        self.approvers = approvers
        self.targetUserID = targetUserID
        self.requestedByOktaID = requestedByOktaID
        self.state = state
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
        self.decisionReason = decisionReason
        self.decidedByOktaID = decidedByOktaID
    }

    /// An approval of one action.
    public init(
        id: ApprovalID, requestID: RequestID, action: OktaAction, reason: String, requestedBy: String,
        requestedAt: Date, expiresAt: Date, approvers: [EligibleApprover], targetUserID: String? = nil, requestedByOktaID: String? = nil, state: State,
        decidedBy: String? = nil, decidedAt: Date? = nil, decisionReason: String? = nil, decidedByOktaID: String? = nil
    ) {
        self.init(id: id, requestID: requestID, subject: .action(action), reason: reason, requestedBy: requestedBy, requestedAt: requestedAt, expiresAt: expiresAt,
                  approvers: approvers, targetUserID: targetUserID, requestedByOktaID: requestedByOktaID, state: state, decidedBy: decidedBy, decidedAt: decidedAt,
                  decisionReason: decisionReason, decidedByOktaID: decidedByOktaID)
    }

    /// The single action it is for, when it is not a plan.
    public var action: OktaAction? { subject.action }

    public func mayBeApproved(by login: String) -> Bool {
        approvers.contains { $0.login == login }
    }
}

/// An operator who may approve an approval, and why.
public struct EligibleApprover: Sendable, Hashable, Codable {
    public enum Basis: String, Sendable, Codable {
        /// The requester's manager in Okta.
        case manager
        /// Holds the approver role.
        case approverRole = "approver-role"
        /// Named by the policy for this action.
        case policy
    }

    public let login: String
    public let basis: Basis
    /// Their Okta user id when the approval was asked: never the requester's, never the asker's.
    public let oktaUserID: String?

    public init(login: String, basis: Basis, oktaUserID: String? = nil) {
        self.login = login
        self.basis = basis
        self.oktaUserID = oktaUserID
    }

    private enum CodingKeys: String, CodingKey { case login, basis, oktaUserID = "oktaUserId" }
}

/// The fields of an approval about to be recorded.
public struct NewApproval: Sendable, Equatable {
    public let requestID: RequestID
    public let subject: ApprovalSubject
    public let reason: String
    public let requestedBy: String
    public let requestedAt: Date
    public let expiresAt: Date
    public let approvers: [EligibleApprover]
    public let targetUserID: String?
    public let requestedByOktaID: String?

    public init(requestID: RequestID, subject: ApprovalSubject, reason: String, requestedBy: String, requestedAt: Date, expiresAt: Date, approvers: [EligibleApprover],
                targetUserID: String? = nil, requestedByOktaID: String? = nil) {
        self.requestID = requestID
        self.subject = subject
        self.reason = reason
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.expiresAt = expiresAt
        self.approvers = approvers
        self.targetUserID = targetUserID
        self.requestedByOktaID = requestedByOktaID
    }

    /// An approval of one action about to be recorded.
    public init(requestID: RequestID, action: OktaAction, reason: String, requestedBy: String, requestedAt: Date, expiresAt: Date, approvers: [EligibleApprover],
                targetUserID: String? = nil, requestedByOktaID: String? = nil) {
        self.init(requestID: requestID, subject: .action(action), reason: reason, requestedBy: requestedBy, requestedAt: requestedAt, expiresAt: expiresAt,
                  approvers: approvers, targetUserID: targetUserID, requestedByOktaID: requestedByOktaID)
    }
}
