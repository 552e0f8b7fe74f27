import Foundation
import HelpdeskCore

/// The columns the record statements read, and how a row becomes a domain value; one mapping
/// for both engines, so a record reads the same wherever it is stored.
public enum RecordMapping {
    public static let requestColumns = "r.id, r.requester, r.subject, r.body, r.category, r.urgency, r.status, r.assignee, r.created_at, r.updated_at, r.version, r.external_id"
    public static let eventColumns = "e.id, e.request_id, e.kind, e.actor, e.at, e.details"
    public static let approvalColumns = "a.id, a.request_id, a.action, a.reason, a.requested_by, a.requested_at, a.expires_at, a.state, a.decided_by, a.decided_at, a.decision_reason, a.target_user, a.requested_by_okta, a.decided_by_okta"
    public static let runColumns = "u.id, u.request_id, u.action, u.target_user, u.approval_id, u.revokes_grant, u.started_by, u.started_at, u.state, u.finished_at, u.runner, u.deadline, u.reconcile_attempts, u.next_reconcile_at, u.plan_id, u.plan_step, u.plan_attempt"
    public static let planColumns = "p.id, p.request_id, p.playbook, p.title, p.steps, p.target_user, p.reason, p.requested_by, p.requested_at, p.run_at, p.undoes, p.state, p.runner, p.lease_until, p.note, p.finished_at"
    public static let grantColumns = "g.id, g.request_id, g.grant_run, g.action, g.target_user, g.revoke_at, g.state, g.attempts, g.next_attempt_at"

    @inlinable
    public static func request<R: StoreRow>(_ row: R) throws -> Request {
        guard let priority = Priority(urgencyRank: row.int(5)), let status = RequestStatus(rawValue: row.text(6)) else {
            throw StoreError.failed("request \(row.int64(0)) has an unreadable priority or status")
        }
        let requester: EmailAddress
        do {
            requester = try EmailAddress(row.text(1))
        } catch {
            throw StoreError.failed("request \(row.int64(0)) has an unreadable requester: \(error.message)")
        }
        return Request(
            id: RequestID(row.int64(0)), requester: requester, subject: row.text(2), body: row.text(3), category: row.text(4),
            priority: priority, status: status, assignee: row.optionalText(7), createdAt: row.date(8), updatedAt: row.date(9),
            version: row.int(10), externalID: row.optionalText(11)
        )
    }

    /// A request as the store holds it right after its insert: times to the millisecond, version 1, nobody assigned.
    public static func stored(_ new: NewRequest, id: Int64, at: Date) -> Request {
        let stored = StoreTime.date(StoreTime.milliseconds(at))
        return Request(id: RequestID(id), requester: new.requester, subject: new.subject, body: new.body, category: new.category, priority: new.priority,
                       status: new.status, assignee: nil, createdAt: stored, updatedAt: stored, version: 1, externalID: new.externalID)
    }

    public static func event<R: StoreRow>(_ row: R) throws -> TimelineEvent {
        guard let kind = EventKind(rawValue: row.text(2)) else {
            throw StoreError.failed("event \(row.int64(0)) has an unknown kind \(row.text(2)); upgrade helpdesk")
        }
        let payload = try EventPayload(kind: kind, details: Data(row.text(5).utf8))
        return TimelineEvent(id: row.int64(0), requestID: RequestID(row.int64(1)), actor: row.text(3), at: row.date(4), payload: payload)
    }

    /// Reads an approval row; the approvers come from a second query.
    public static func approvalFields<R: StoreRow>(_ row: R) throws -> ([EligibleApprover]) -> Approval {
        let subject = try JSONDecoder.helpdesk.decode(ApprovalSubject.self, from: Data(row.text(2).utf8))
        guard let state = Approval.State(rawValue: row.text(7)) else {
            throw StoreError.failed("approval \(row.int64(0)) has an unknown state")
        }
        let id = ApprovalID(row.int64(0))
        let requestID = RequestID(row.int64(1))
        let reason = row.text(3)
        let requestedBy = row.text(4)
        let requestedAt = row.date(5)
        let expiresAt = row.date(6)
        let decidedBy = row.optionalText(8)
        let decidedAt = row.optionalDate(9)
        let decisionReason = row.optionalText(10)
        let targetUserID = row.optionalText(11)
        let requestedByOktaID = row.optionalText(12)
        let decidedByOktaID = row.optionalText(13)
        return { approvers in
            Approval(id: id, requestID: requestID, subject: subject, reason: reason, requestedBy: requestedBy, requestedAt: requestedAt,
                     expiresAt: expiresAt, approvers: approvers, targetUserID: targetUserID, requestedByOktaID: requestedByOktaID, state: state,
                     decidedBy: decidedBy, decidedAt: decidedAt, decisionReason: decisionReason, decidedByOktaID: decidedByOktaID)
        }
    }

    public static func run<R: StoreRow>(_ row: R) throws -> ActionRun {
        guard let state = ActionRun.State(rawValue: row.text(8)) else { throw StoreError.failed("run \(row.int64(0)) has an unknown state") }
        return ActionRun(
            id: ActionRunID(row.int64(0)), requestID: RequestID(row.int64(1)), action: try action(row.text(2)), targetUserID: row.text(3),
            approvalID: row.optionalInt64(4).map(ApprovalID.init), revokesGrant: row.optionalInt64(5).map(GrantID.init),
            startedBy: row.text(6), startedAt: row.date(7), state: state, finishedAt: row.optionalDate(9), runner: row.optionalText(10),
            deadline: row.optionalDate(11), reconcileAttempts: row.int(12), nextReconcileAt: row.optionalDate(13),
            planID: row.optionalInt64(14).map(PlanID.init), planStep: row.optionalInt64(15).map { Int($0) }, planAttempt: row.optionalInt64(16).map { Int($0) })
    }

    public static func plan<R: StoreRow>(_ row: R) throws -> Plan {
        guard let state = Plan.State(rawValue: row.text(11)) else { throw StoreError.failed("plan \(row.int64(0)) has an unknown state") }
        let steps = try JSONDecoder.helpdesk.decode([PlanStep].self, from: Data(row.text(4).utf8))
        return Plan(id: PlanID(row.int64(0)), requestID: RequestID(row.int64(1)), playbook: row.text(2), title: row.text(3), steps: steps,
                    targetUserID: row.text(5), reason: row.text(6), requestedBy: row.text(7), requestedAt: row.date(8), runAt: row.optionalDate(9),
                    undoes: row.optionalInt64(10).map(PlanID.init), state: state, runner: row.optionalText(12), leaseUntil: row.optionalDate(13),
                    note: row.optionalText(14), finishedAt: row.optionalDate(15))
    }

    /// A plan's steps as stored: canonical JSON.
    public static func stepsJSON(_ steps: [PlanStep]) throws -> String {
        String(decoding: try JSONEncoder.helpdesk.encode(steps), as: UTF8.self)
    }

    public static func grant<R: StoreRow>(_ row: R) throws -> AccessGrant {
        guard let state = AccessGrant.State(rawValue: row.text(6)) else { throw StoreError.failed("grant \(row.int64(0)) has an unknown state") }
        return AccessGrant(id: GrantID(row.int64(0)), requestID: RequestID(row.int64(1)), grantRunID: ActionRunID(row.int64(2)),
                           action: try action(row.text(3)), targetUserID: row.text(4), revokeAt: row.date(5), state: state,
                           attempts: row.int(7), nextAttemptAt: row.optionalDate(8))
    }

    public static func action(_ json: String) throws -> OktaAction {
        try JSONDecoder.helpdesk.decode(OktaAction.self, from: Data(json.utf8))
    }

    /// The stored event as export writes it; `wellFormed` says the details are one JSON object on one line.
    public static func storedEvent<R: StoreRow>(_ row: R) throws -> StoredEvent {
        guard row.int(7) == 1 else {
            throw StoreError.failed("event \(row.int64(0)) has details that are not one JSON object on one line; the store was changed outside helpdesk")
        }
        return StoredEvent(id: row.int64(0), requestID: RequestID(row.int64(1)), kind: row.text(2), actor: row.text(3), at: row.date(4), details: row.text(5),
                           oktaRequestID: row.optionalText(6))
    }
}
