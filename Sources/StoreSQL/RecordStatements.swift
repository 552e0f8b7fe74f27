import Foundation
import HelpdeskCore

/// The store's reads and writes that are the same SQL on both engines: requests by id, their
/// timelines, approvals, action runs and temporary grants. An engine's session conforms and adds
/// what is its own (new requests and their indexes, the queue, full-text search, export).
public protocol RecordStatements: StoreWriter {
    associatedtype Database: RecordDatabase
    var db: Database { get }
}

extension RecordStatements {
    // MARK: Requests

    public func request(_ id: RequestID) throws -> Request? {
        try db.query("SELECT \(RecordMapping.requestColumns) FROM requests r WHERE r.id = ?", [.integer(id.number)], RecordMapping.request).first
    }

    public func request(externalID: String) throws -> Request? {
        try db.query("SELECT \(RecordMapping.requestColumns) FROM requests r WHERE r.external_id = ?", [.text(externalID)], RecordMapping.request).first
    }

    public func update(_ id: RequestID, expectedVersion: Int, change: RequestChange, at: Date) throws -> Request {
        let current = try existingRequest(id)
        guard current.version == expectedVersion else {
            throw StoreError.conflict(id, expected: expectedVersion, actual: current.version)
        }
        let changed = change.applied(to: current)
        let changes = try db.change(
            """
            UPDATE requests SET status = ?, assignee = ?, urgency = ?, category = ?, updated_at = \(db.dialect.greatest("updated_at", "?")), version = version + 1
            WHERE id = ? AND version = ?
            """,
            [.text(changed.status.rawValue), .optional(changed.assignee), .int(changed.priority.urgencyRank), .text(changed.category),
             .time(at), .integer(id.number), .int(expectedVersion)]
        )
        guard changes == 1 else {
            let actual = try request(id)?.version ?? -1
            throw StoreError.conflict(id, expected: expectedVersion, actual: actual)
        }
        return try existingRequest(id)
    }

    public func statusCounts() throws -> [RequestStatus: Int] {
        let rows = try db.query("SELECT status, n FROM status_counts", []) { row in (row.text(0), row.int(1)) }
        var counts: [RequestStatus: Int] = [:]
        for (status, n) in rows {
            if let status = RequestStatus(rawValue: status) { counts[status] = n }
        }
        return counts
    }

    // MARK: Timeline

    @discardableResult
    public func append(_ draft: EventDraft, to requestID: RequestID) throws -> TimelineEvent {
        let details = String(decoding: try draft.payload.detailsJSON(), as: UTF8.self)
        try db.lockTimelineForAppend()
        let id = try db.insert(
            "INSERT INTO events (request_id, kind, actor, at, details, okta_request_id) VALUES (?, ?, ?, ?, ?, ?)",
            [.integer(requestID.number), .text(draft.payload.kind.rawValue), .text(draft.actor), .time(draft.at), .text(details),
             .optional(draft.payload.oktaRequestID)]
        )
        _ = try db.change("UPDATE requests SET updated_at = \(db.dialect.greatest("updated_at", "?")) WHERE id = ?", [.time(draft.at), .integer(requestID.number)])
        return TimelineEvent(id: id, requestID: requestID, actor: draft.actor, at: draft.at, payload: draft.payload)
    }

    public func timeline(of id: RequestID) throws -> [TimelineEvent] {
        try db.query("SELECT \(RecordMapping.eventColumns) FROM events e WHERE e.request_id = ? ORDER BY e.id", [.integer(id.number)], RecordMapping.event)
    }

    public func newestEvents(of id: RequestID, limit: Int, maxBytes: Int) throws -> (events: [TimelineEvent], earlier: Int) {
        var bytes = 0
        let newest = try db.query("SELECT \(RecordMapping.eventColumns) FROM events e WHERE e.request_id = ? ORDER BY e.id DESC LIMIT ?",
                                  [.integer(id.number), .int(max(1, limit))], until: { sized in
                                      bytes += sized.bytes
                                      return bytes >= maxBytes
                                  }) { row in (event: try RecordMapping.event(row), bytes: row.text(5).utf8.count) }
        guard let oldest = newest.last?.event else { return ([], 0) }
        let earlier = try db.scalar("SELECT count(*) FROM events WHERE request_id = ? AND id < ?", [.integer(id.number), .integer(oldest.id)]) ?? 0
        return (newest.reversed().map(\.event), Int(earlier))
    }

    public func events(since: Date?, request: RequestID?, afterEventID: Int64?, limit: Int) throws -> [TimelineEvent] {
        guard let (whereClause, values) = try eventsWhere(since: since, request: request, afterEventID: afterEventID) else { return [] }
        return try db.query("SELECT \(RecordMapping.eventColumns) FROM events e \(whereClause) ORDER BY e.id LIMIT ?", values + [.int(limit)], RecordMapping.event)
    }

    public func storedEvents(since: Date?, request: RequestID?, afterEventID: Int64?, limit: Int, maxBytes: Int) throws -> [StoredEvent] {
        guard let (whereClause, values) = try eventsWhere(since: since, request: request, afterEventID: afterEventID) else { return [] }
        // Details go into the export as they are: they must be one JSON object on one line (as
        // the store writes them), or a hand-made row could break or forge lines.
        var bytes = 0
        return try db.query("SELECT \(RecordMapping.eventColumns), e.okta_request_id, \(db.dialect.wellFormedDetails) FROM events e \(whereClause) ORDER BY e.id LIMIT ?",
                            values + [.int(limit)], until: { event in
                                bytes += event.details.utf8.count
                                return bytes >= maxBytes
                            }, RecordMapping.storedEvent)
    }

    /// The WHERE clause of an events query and its values; nil when no event can match.
    private func eventsWhere(since: Date?, request: RequestID?, afterEventID: Int64?) throws -> (String, [SQLValue])? {
        var conditions: [String] = []
        var values: [SQLValue] = []
        if let since {
            conditions.append("e.at >= ?")
            values.append(.time(since))
            if afterEventID == nil, request == nil {
                // The time index finds the first event that recent; the walk in id order starts
                // there instead of at the beginning of the table (ids follow time, not strictly).
                guard let first = try db.scalar("SELECT min(id) FROM events \(db.dialect.timeIndexHint) WHERE at >= ?", [.time(since)]) else { return nil }
                conditions.append("e.id >= ?")
                values.append(.integer(first))
            }
        }
        if let request {
            conditions.append("e.request_id = ?")
            values.append(.integer(request.number))
        }
        if let afterEventID {
            conditions.append("e.id > ?")
            values.append(.integer(afterEventID))
        }
        return (conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "), values)
    }

    public func lastEventID() throws -> Int64 {
        try db.scalar("SELECT max(id) FROM events", []) ?? 0
    }

    // MARK: Approvals

    public func approval(_ id: ApprovalID) throws -> Approval? {
        try approvals(where: "a.id = ?", [.integer(id.number)]).first
    }

    public func approvals(of request: RequestID) throws -> [Approval] {
        try approvals(where: "a.request_id = ?", [.integer(request.number)])
    }

    public func approvals(of request: RequestID, decidedLimit: Int) throws -> (approvals: [Approval], earlier: Int) {
        let id = SQLValue.integer(request.number)
        let kept = try approvals(where: "a.request_id = ? AND (a.state = 'pending' OR a.id IN "
                                 + "(SELECT id FROM approvals WHERE request_id = ? AND state <> 'pending' ORDER BY id DESC LIMIT ?))", [id, id, .int(max(0, decidedLimit))])
        let decided = try db.scalar("SELECT count(*) FROM approvals WHERE request_id = ? AND state <> 'pending'", [id]) ?? 0
        return (kept, max(0, Int(decided) - kept.filter { $0.state != .pending }.count))
    }

    public func pendingApprovals(eligibleFor login: String?) throws -> [Approval] {
        if let login {
            return try approvals(
                where: "a.state = 'pending' AND a.id IN (SELECT approval_id FROM approval_approvers WHERE login = ?)", [.text(login)])
        }
        return try approvals(where: "a.state = 'pending'", [])
    }

    public func isListedApprover(_ login: String, forRequester requester: EmailAddress, at now: Date, decidedSince: Date) throws -> Bool {
        try db.scalar("SELECT count(*) FROM (SELECT 1 FROM approval_approvers l JOIN approvals a ON a.id = l.approval_id JOIN requests r ON r.id = a.request_id "
                      + "WHERE l.login = ? AND r.requester = ? AND ((a.state = 'pending' AND a.expires_at > ?) "
                      + "OR (a.state IN ('granted', 'denied') AND a.decided_by = ? AND a.decided_at >= ?)) LIMIT 1) AS listed",
                      [.text(login), .text(requester.value), .time(now), .text(login), .time(decidedSince)]) == 1
    }

    public func expiredApprovals(at date: Date) throws -> [Approval] {
        try approvals(where: "a.state = 'pending' AND a.expires_at <= ?", [.time(date)])
    }

    public func insertApproval(_ new: NewApproval) throws -> Approval {
        let id = try db.insert(
            "INSERT INTO approvals (request_id, action, reason, requested_by, requested_at, expires_at, target_user, requested_by_okta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [.integer(new.requestID.number), .text(new.subject.canonicalJSON), .text(new.reason), .text(new.requestedBy),
             .time(new.requestedAt), .time(new.expiresAt), .optional(new.targetUserID), .optional(new.requestedByOktaID)]
        )
        for approver in new.approvers {
            _ = try db.change("INSERT INTO approval_approvers (approval_id, login, basis, okta_user) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                              [.integer(id), .text(approver.login), .text(approver.basis.rawValue), .optional(approver.oktaUserID)])
        }
        guard let approval = try approval(ApprovalID(id)) else { throw StoreError.failed("approval \(id) vanished after insert") }
        return approval
    }

    public func decideApproval(_ id: ApprovalID, state: Approval.State, by login: String, at: Date, reason: String?, oktaUserID: String?) throws -> Bool {
        try db.change(
            "UPDATE approvals SET state = ?, decided_by = ?, decided_at = ?, decision_reason = ?, decided_by_okta = ? WHERE id = ? AND state = 'pending'",
            [.text(state.rawValue), .text(login), .time(at), .optional(reason), .optional(oktaUserID), .integer(id.number)]
        ) == 1
    }

    private func approvals(where condition: String, _ values: [SQLValue]) throws -> [Approval] {
        let rows = try db.query("SELECT \(RecordMapping.approvalColumns) FROM approvals a WHERE \(condition) ORDER BY a.id", values) { row in
            (row.int64(0), try RecordMapping.approvalFields(row))
        }
        return try rows.map { id, fields in
            let approvers = try db.query(
                "SELECT login, basis, okta_user FROM approval_approvers WHERE approval_id = ? ORDER BY \(db.dialect.approverOrder)", [.integer(id)]
            ) { row in
                EligibleApprover(login: row.text(0), basis: EligibleApprover.Basis(rawValue: row.text(1)) ?? .policy, oktaUserID: row.optionalText(2))
            }
            return fields(approvers)
        }
    }

    // MARK: Action runs

    public func run(_ id: ActionRunID) throws -> ActionRun? {
        try db.query("SELECT \(RecordMapping.runColumns) FROM action_runs u WHERE u.id = ?", [.integer(id.number)], RecordMapping.run).first
    }

    public func runs(of request: RequestID) throws -> [ActionRun] {
        try db.query("SELECT \(RecordMapping.runColumns) FROM action_runs u WHERE u.request_id = ? ORDER BY u.id", [.integer(request.number)], RecordMapping.run)
    }

    public func appliedRuns(on targetUserID: String, after: ActionRunID) throws -> [ActionRun] {
        // A reconciled run took effect when its reconcile event found it applied.
        let runID = db.dialect.jsonField("e.details", "runID")
        let finding = db.dialect.jsonField("e.details", "finding")
        return try db.query("""
            SELECT \(RecordMapping.runColumns) FROM action_runs u WHERE u.target_user = ? AND u.id > ? AND (u.state = 'succeeded' OR (u.state = 'reconciled' AND EXISTS (
                SELECT 1 FROM events e WHERE e.request_id = u.request_id AND e.kind = 'action-reconciled'
                AND \(runID) = ? || u.id AND \(finding) = ?)))
            ORDER BY u.id
            """, [.text(targetUserID), .integer(after.number), .text(ActionRunRecord.prefix + "-"), .text(ReconcileFinding.applied.rawValue)], RecordMapping.run)
    }

    public func unfinishedRuns(of request: RequestID?) throws -> [ActionRun] {
        if let request {
            return try db.query("SELECT \(RecordMapping.runColumns) FROM action_runs u WHERE u.state IN ('started', 'unknown') AND u.request_id = ? ORDER BY u.id",
                                [.integer(request.number)], RecordMapping.run)
        }
        return try db.query("SELECT \(RecordMapping.runColumns) FROM action_runs u WHERE u.state IN ('started', 'unknown') ORDER BY u.id", [], RecordMapping.run)
    }

    public func insertRun(_ new: NewActionRun) throws -> ActionRun {
        let id = try db.insert(
            """
            INSERT INTO action_runs (request_id, action, target_user, approval_id, revokes_grant, started_by, started_at, runner, deadline, plan_id, plan_step, plan_attempt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.integer(new.requestID.number), .text(new.action.canonicalJSON), .text(new.targetUserID), new.approvalID.map { .integer($0.number) } ?? .null,
             new.revokesGrant.map { .integer($0.number) } ?? .null, .text(new.startedBy), .time(new.startedAt), .optional(new.runner),
             new.deadline.map(SQLValue.time) ?? .null, new.planID.map { .integer($0.number) } ?? .null, new.planStep.map { .int($0) } ?? .null, new.planAttempt.map { .int($0) } ?? .null]
        )
        guard let run = try run(ActionRunID(id)) else { throw StoreError.failed("run vanished after insert") }
        return run
    }

    public func finishRun(_ id: ActionRunID, state: ActionRun.State, at: Date) throws -> Bool {
        try db.change("UPDATE action_runs SET state = ?, finished_at = ? WHERE id = ? AND state IN ('started', 'unknown')",
                      [.text(state.rawValue), .time(at), .integer(id.number)]) == 1
    }

    public func noteReconcileAttempt(_ id: ActionRunID, attempts: Int, next: Date) throws {
        _ = try db.change("UPDATE action_runs SET reconcile_attempts = ?, next_reconcile_at = ? WHERE id = ? AND state IN ('started', 'unknown')",
                          [.int(attempts), .time(next), .integer(id.number)])
    }

    // MARK: Temporary grants

    public func grant(_ id: GrantID) throws -> AccessGrant? {
        try db.query("SELECT \(RecordMapping.grantColumns) FROM access_grants g WHERE g.id = ?", [.integer(id.number)], RecordMapping.grant).first
    }

    public func grants(of request: RequestID) throws -> [AccessGrant] {
        try db.query("SELECT \(RecordMapping.grantColumns) FROM access_grants g WHERE g.request_id = ? ORDER BY g.id", [.integer(request.number)], RecordMapping.grant)
    }

    public func dueGrants(at date: Date, limit: Int) throws -> [AccessGrant] {
        try db.query("""
            SELECT \(RecordMapping.grantColumns) FROM access_grants g
            WHERE g.state = 'scheduled' AND g.revoke_at <= ? AND (g.next_attempt_at IS NULL OR g.next_attempt_at <= ?)
            ORDER BY g.revoke_at, g.id LIMIT ?
            """, [.time(date), .time(date), .int(limit)], RecordMapping.grant)
    }

    public func insertGrant(requestID: RequestID, grantRunID: ActionRunID, action: OktaAction, targetUserID: String, revokeAt: Date) throws -> AccessGrant {
        let id = try db.insert("INSERT INTO access_grants (request_id, grant_run, action, target_user, revoke_at) VALUES (?, ?, ?, ?, ?)",
                               [.integer(requestID.number), .integer(grantRunID.number), .text(action.canonicalJSON), .text(targetUserID), .time(revokeAt)])
        guard let grant = try grant(GrantID(id)) else { throw StoreError.failed("grant vanished after insert") }
        return grant
    }

    public func moveGrant(_ id: GrantID, from: AccessGrant.State, to: AccessGrant.State, by login: String, at: Date) throws -> Bool {
        // Only a scheduled grant has a next try; moving it anywhere else clears it.
        try db.change("UPDATE access_grants SET state = ?, claimed_by = ?, claimed_at = ?, next_attempt_at = CASE WHEN ? = 'scheduled' THEN next_attempt_at END WHERE id = ? AND state = ?",
                      [.text(to.rawValue), .text(login), .time(at), .text(to.rawValue), .integer(id.number), .text(from.rawValue)]) == 1
    }

    public func claimDueGrant(_ id: GrantID, by login: String, at: Date) throws -> Bool {
        try db.change("""
            UPDATE access_grants SET state = 'revoking', claimed_by = ?, claimed_at = ?, next_attempt_at = NULL
            WHERE id = ? AND state = 'scheduled' AND revoke_at <= ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
            """, [.text(login), .time(at), .integer(id.number), .time(at), .time(at)]) == 1
    }

    public func postponeGrant(_ id: GrantID, until: Date, at: Date) throws -> Bool {
        try db.change("UPDATE access_grants SET state = 'scheduled', revoke_at = ?, next_attempt_at = NULL, claimed_at = ? WHERE id = ? AND state = 'revoking'",
                      [.time(until), .time(at), .integer(id.number)]) == 1
    }

    public func retryGrant(_ id: GrantID, attempts: Int, next: Date, at: Date) throws -> Bool {
        try db.change("UPDATE access_grants SET state = 'scheduled', attempts = ?, next_attempt_at = ?, claimed_at = ? WHERE id = ? AND state = 'revoking'",
                      [.int(attempts), .time(next), .time(at), .integer(id.number)]) == 1
    }

    // MARK: Plans

    public func plan(_ id: PlanID) throws -> Plan? {
        try db.query("SELECT \(RecordMapping.planColumns) FROM plans p WHERE p.id = ?", [.integer(id.number)], RecordMapping.plan).first
    }

    public func plans(of request: RequestID) throws -> [Plan] {
        try db.query("SELECT \(RecordMapping.planColumns) FROM plans p WHERE p.request_id = ? ORDER BY p.id", [.integer(request.number)], RecordMapping.plan)
    }

    public func duePlans(at date: Date, limit: Int) throws -> [Plan] {
        try db.query("""
            SELECT \(RecordMapping.planColumns) FROM plans p
            WHERE (p.state = 'scheduled' AND (p.run_at IS NULL OR p.run_at <= ?)) OR p.state = 'running'
            ORDER BY CASE WHEN p.state = 'scheduled' THEN 0 ELSE 1 END, coalesce(p.run_at, p.lease_until, p.requested_at), p.id LIMIT ?
            """, [.time(date), .int(limit)], RecordMapping.plan)
    }

    public func activePlans(of requests: [RequestID]) throws -> [PlanProgress] {
        guard !requests.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: requests.count).joined(separator: ", ")
        // A step is done when one of its runs succeeded, or was reconciled and found applied.
        let runID = db.dialect.jsonField("e.details", "runID")
        let finding = db.dialect.jsonField("e.details", "finding")
        return try db.query("""
            SELECT p.id, p.request_id, p.title, p.state, p.run_at, p.steps,
                (SELECT count(DISTINCT u.plan_step) FROM action_runs u WHERE u.plan_id = p.id AND (u.state = 'succeeded' OR (u.state = 'reconciled' AND EXISTS (
                    SELECT 1 FROM events e WHERE e.request_id = u.request_id AND e.kind = 'action-reconciled' AND \(runID) = ? || u.id AND \(finding) = ?))))
            FROM plans p WHERE p.request_id IN (\(marks)) AND p.state IN ('awaiting-approval', 'scheduled', 'running') ORDER BY p.id
            """, [.text(ActionRunRecord.prefix + "-"), .text(ReconcileFinding.applied.rawValue)] + requests.map { .integer($0.number) }) { row in
            guard let state = Plan.State(rawValue: row.text(3)) else { throw StoreError.failed("plan \(row.int64(0)) has an unknown state") }
            let total = try JSONDecoder.helpdesk.decode([PlanStep].self, from: Data(row.text(5).utf8)).count
            return PlanProgress(planID: PlanID(row.int64(0)), requestID: RequestID(row.int64(1)), title: row.text(2), state: state, done: row.int(6),
                                total: total, runAt: row.optionalDate(4))
        }
    }

    public func insertPlan(_ new: NewPlan) throws -> Plan {
        let id = try db.insert(
            """
            INSERT INTO plans (request_id, playbook, title, steps, target_user, reason, requested_by, requested_at, run_at, undoes, state)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.integer(new.requestID.number), .text(new.playbook), .text(new.title), .text(try RecordMapping.stepsJSON(new.steps)), .text(new.targetUserID),
             .text(new.reason), .text(new.requestedBy), .time(new.requestedAt), new.runAt.map(SQLValue.time) ?? .null,
             new.undoes.map { .integer($0.number) } ?? .null, .text(new.state.rawValue)]
        )
        guard let plan = try plan(PlanID(id)) else { throw StoreError.failed("plan vanished after insert") }
        return plan
    }

    public func movePlan(_ id: PlanID, from: Plan.State, to: Plan.State, note: String?, at: Date) throws -> Bool {
        let final: SQLValue = to.isFinal ? .time(at) : .null
        return try db.change("""
            UPDATE plans SET state = ?, note = coalesce(?, note), finished_at = ?,
                runner = CASE WHEN ? = 1 THEN NULL ELSE runner END, lease_until = CASE WHEN ? = 1 THEN NULL ELSE lease_until END
            WHERE id = ? AND state = ?
            """, [.text(to.rawValue), .optional(note), final, .int(to.isFinal ? 1 : 0), .int(to.isFinal ? 1 : 0), .integer(id.number), .text(from.rawValue)]) == 1
    }

    public func claimPlan(_ id: PlanID, runner: String, until: Date, at: Date, replacing: String?) throws -> Bool {
        try db.change("""
            UPDATE plans SET state = 'running', runner = ?, lease_until = ?
            WHERE id = ? AND ((state = 'scheduled' AND (run_at IS NULL OR run_at <= ?))
                OR (state = 'running' AND (runner = ? OR runner = ? OR lease_until IS NULL OR lease_until <= ?)))
            """, [.text(runner), .time(until), .integer(id.number), .time(at), .text(runner), .optional(replacing), .time(at)]) == 1
    }
}
