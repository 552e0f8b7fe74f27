import Foundation
import HelpdeskCore

/// The reads and writes of one transaction on a connection. Lives only inside `read`/`write`.
final class Session: StoreWriter {
    let db: SQLiteConnection
    /// Requests written in this transaction and not yet in the word index, with their gram text.
    private var unindexed: (first: Int64, last: Int64)?
    private var pendingGrams: [(id: Int64, grams: String)] = []

    init(db: SQLiteConnection) {
        self.db = db
    }

    /// Puts the requests written in this transaction into the word and gram indexes, all at once;
    /// the store calls it before committing. FTS5 writes its pending rows out at every statement
    /// savepoint (each insert with triggers opens one), so indexing each request as it was
    /// written made one small segment per request and merged them over and over: an import
    /// spent most of its time there.
    func indexNewRequests() throws(StoreError) {
        for row in pendingGrams {
            try db.run("INSERT INTO requests_grams (rowid, grams) VALUES (?, ?)", [.integer(row.id), .text(row.grams)])
        }
        pendingGrams = []
        guard let range = unindexed else { return }
        unindexed = nil
        try db.run("INSERT INTO requests_fts (rowid, subject, body, requester) SELECT id, subject, body, requester FROM requests WHERE id BETWEEN ? AND ?",
                   [.integer(range.first), .integer(range.last)])
    }

    // MARK: Requests

    static let requestColumns = "r.id, r.requester, r.subject, r.body, r.category, r.urgency, r.status, r.assignee, r.created_at, r.updated_at, r.version, r.external_id"

    func request(_ id: RequestID) throws -> Request? {
        try db.query("SELECT \(Self.requestColumns) FROM requests r WHERE r.id = ?", [.integer(id.number)], Self.request).first
    }

    func request(externalID: String) throws -> Request? {
        try db.query("SELECT \(Self.requestColumns) FROM requests r WHERE r.external_id = ?", [.text(externalID)], Self.request).first
    }

    func insertRequest(_ new: NewRequest, at: Date) throws -> Request {
        try db.run(
            """
            INSERT INTO requests (requester, subject, body, category, urgency, status, created_at, updated_at, external_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(new.requester.value), .text(new.subject), .text(new.body), .text(new.category), .int(new.priority.urgencyRank),
             .text(new.status.rawValue), .time(at), .time(at), .optional(new.externalID)]
        )
        let id = db.lastInsertRowID
        unindexed = (unindexed?.first ?? id, id)
        let text = new.subject + " " + new.body + " " + new.requester.value
        if GramText.needsGrams(text) { pendingGrams.append((id, GramText.indexText(text))) }
        // As stored: times to the millisecond, version 1, nobody assigned.
        let stored = StoreTime.date(StoreTime.milliseconds(at))
        return Request(id: RequestID(id), requester: new.requester, subject: new.subject, body: new.body, category: new.category, priority: new.priority,
                       status: new.status, assignee: nil, createdAt: stored, updatedAt: stored, version: 1, externalID: new.externalID)
    }

    func update(_ id: RequestID, expectedVersion: Int, change: RequestChange, at: Date) throws -> Request {
        let current = try existingRequest(id)
        guard current.version == expectedVersion else {
            throw StoreError.conflict(id, expected: expectedVersion, actual: current.version)
        }
        let changed = change.applied(to: current)
        try db.run(
            """
            UPDATE requests SET status = ?, assignee = ?, urgency = ?, category = ?, updated_at = max(updated_at, ?), version = version + 1
            WHERE id = ? AND version = ?
            """,
            [.text(changed.status.rawValue), .optional(changed.assignee), .int(changed.priority.urgencyRank), .text(changed.category),
             .time(at), .integer(id.number), .int(expectedVersion)]
        )
        guard db.changes == 1 else {
            let actual = try request(id)?.version ?? -1
            throw StoreError.conflict(id, expected: expectedVersion, actual: actual)
        }
        return try existingRequest(id)
    }

    // MARK: Timeline

    static let eventColumns = "e.id, e.request_id, e.kind, e.actor, e.at, e.details"

    @discardableResult
    func append(_ draft: EventDraft, to requestID: RequestID) throws -> TimelineEvent {
        let details = String(decoding: try draft.payload.detailsJSON(), as: UTF8.self)
        try db.run(
            "INSERT INTO events (request_id, kind, actor, at, details, okta_request_id) VALUES (?, ?, ?, ?, ?, ?)",
            [.integer(requestID.number), .text(draft.payload.kind.rawValue), .text(draft.actor), .time(draft.at), .text(details),
             .optional(draft.payload.oktaRequestID)]
        )
        let id = db.lastInsertRowID
        try db.run("UPDATE requests SET updated_at = max(updated_at, ?) WHERE id = ?", [.time(draft.at), .integer(requestID.number)])
        return TimelineEvent(id: id, requestID: requestID, actor: draft.actor, at: draft.at, payload: draft.payload)
    }

    func timeline(of id: RequestID) throws -> [TimelineEvent] {
        try db.query("SELECT \(Self.eventColumns) FROM events e WHERE e.request_id = ? ORDER BY e.id", [.integer(id.number)], Self.event)
    }

    func events(since: Date?, request: RequestID?, afterEventID: Int64?, limit: Int) throws -> [TimelineEvent] {
        guard let (whereClause, values) = try eventsWhere(since: since, request: request, afterEventID: afterEventID) else { return [] }
        return try db.query("SELECT \(Self.eventColumns) FROM events e \(whereClause) ORDER BY e.id LIMIT ?", values + [.int(limit)], Self.event)
    }

    func storedEvents(since: Date?, request: RequestID?, afterEventID: Int64?, limit: Int, maxBytes: Int) throws -> [StoredEvent] {
        guard let (whereClause, values) = try eventsWhere(since: since, request: request, afterEventID: afterEventID) else { return [] }
        // Details go into the export as they are: they must be one JSON object on one line (as
        // the store writes them), or a hand-made row could break or forge lines.
        let wellFormed = "json_valid(e.details) AND substr(e.details, 1, 1) = '{' AND instr(e.details, char(10)) = 0 AND instr(e.details, char(13)) = 0"
        var bytes = 0
        return try db.query("SELECT \(Self.eventColumns), e.okta_request_id, \(wellFormed) FROM events e \(whereClause) ORDER BY e.id LIMIT ?",
                            values + [.int(limit)], until: { event in
                                bytes += event.details.utf8.count
                                return bytes >= maxBytes
                            }) { row in
            guard row.int(7) == 1 else {
                throw StoreError.failed("event \(row.int64(0)) has details that are not one JSON object on one line; the store was changed outside helpdesk")
            }
            return StoredEvent(id: row.int64(0), requestID: RequestID(row.int64(1)), kind: row.text(2), actor: row.text(3), at: row.date(4), details: row.text(5),
                               oktaRequestID: row.optionalText(6))
        }
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
                guard let first = try db.scalar("SELECT min(id) FROM events INDEXED BY events_by_time WHERE at >= ?", [.time(since)]) else { return nil }
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

    func lastEventID() throws -> Int64 {
        try db.scalar("SELECT max(id) FROM events") ?? 0
    }

    // MARK: Queue

    /// Above this many full-text matches, the queue walks its index in order and keeps matching
    /// rows, instead of sorting every match.
    static let textMatchesToSort = 2_000

    func queue(_ query: QueueQuery) throws -> QueuePage {
        let sql = QueueSQL(filter: query.filter)
        guard !sql.matchesNothing else { return QueuePage(requests: [], next: nil) }
        let limit = max(0, query.limit)
        let forward = query.direction == .forward
        var conditions = sql.conditions
        var values = sql.values
        if let cursor = query.cursor {
            conditions.append("(r.urgency, r.created_at, r.id) \(forward ? ">" : "<") (?, ?, ?)")
            values += [.int(cursor.urgencyRank), .time(cursor.createdAt), .integer(cursor.id.number)]
        }
        let order = forward ? "r.urgency, r.created_at, r.id" : "r.urgency DESC, r.created_at DESC, r.id DESC"
        var rows: [Request]
        // The text match is run once. Words inside text without spaces are first found by some of
        // their pairs (cheap) and checked on the rows themselves, within a budget of text read;
        // past it, the index's exact phrase query decides instead. Many matches are walked in
        // queue order; few are looked up and sorted.
        if let words = query.filter.text.flatMap(WordCheck.init(typed:)),
           let walked = try walkChecking(words, conditions: conditions, values: values, order: order, limit: limit + 1) {
            return Self.page(walked, limit: limit, forward: forward)
        }
        var matching = try sql.textMatch.map { try matchingIDs($0.candidates) }
        var check = sql.textMatch?.check(budget: Self.phraseCheckBytes)
        if let candidates = matching, candidates.count > Self.textMatchesToSort {
            if let walked = try walkInOrder(conditions: conditions, values: values, order: order, keeping: candidates, limit: limit + 1, check: &check) {
                rows = walked
            } else {
                let exact = try matchingIDs(sql.textMatch!.exact)
                var none: PhraseCheck?
                rows = exact.count > Self.textMatchesToSort
                    ? try walkInOrder(conditions: conditions, values: values, order: order, keeping: exact, limit: limit + 1, check: &none) ?? []
                    : try lookUp(conditions: conditions, values: values, order: order, ids: exact, limit: limit + 1)
            }
        } else {
            if var phraseCheck = check, let candidates = matching {
                var kept: [Int64] = []
                for id in candidates {
                    guard let row = try request(RequestID(id)) else { continue }
                    guard let accepted = phraseCheck.accepts(row) else {
                        kept = try matchingIDs(sql.textMatch!.exact)
                        break
                    }
                    if accepted { kept.append(id) }
                }
                matching = kept
            }
            rows = try lookUp(conditions: conditions, values: values, order: order, ids: matching, limit: limit + 1)
        }
        return Self.page(rows, limit: limit, forward: forward)
    }

    /// A page of `limit` rows from `rows` (one more when there are more), in queue order.
    private static func page(_ rows: [Request], limit: Int, forward: Bool) -> QueuePage {
        var rows = rows
        let more = rows.count > limit
        if more { rows.removeLast() }
        let next = more ? rows.last.map(QueueCursor.init) : nil
        return QueuePage(requests: forward ? rows : rows.reversed(), next: next)
    }

    /// Walks the queue in order and keeps the rows that hold the typed words, while at least one
    /// row in `walkDensity` does and at most `walkTextBytes` of text has been checked; nil past
    /// either (a rare word, or long texts: the index finds them faster).
    private func walkChecking(_ words: WordCheck, conditions: [String], values: [SQLValue], order: String, limit: Int) throws -> [Request]? {
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let walk = try db.prepare("SELECT \(Self.requestColumns) FROM requests r \(whereClause) ORDER BY \(order)")
        defer { walk.reset() }
        try walk.bind(values)
        var picked: [Request] = []
        var walked = 0
        var textLeft = Self.walkTextBytes
        while picked.count < limit, try walk.step() {
            walked += 1
            if walked > Self.walkDensity * 8 && picked.count * Self.walkDensity < walked { return nil }
            let row = try Self.request(Row(statement: walk))
            textLeft -= row.subject.utf8.count + row.body.utf8.count
            if textLeft < 0 { return nil }
            let accepted = try words.accepts(row) ?? indexAccepts(row, query: words.indexQuery)
            if accepted { picked.append(row) }
        }
        return picked
    }

    /// A walk for typed words goes on while at least one row in this many holds them.
    static let walkDensity = 8
    /// …and while it has checked at most this much request text (a queue of 20,000-character
    /// bodies in other scripts would otherwise cost a second a letter).
    static let walkTextBytes = 1 << 20

    /// Whether the word index would find `query` in `request`: asked of a one-row copy of the
    /// index (same tokenizer), for text the word check does not decide itself.
    private func indexAccepts(_ request: Request, query: String) throws -> Bool {
        try db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.word_check USING fts5 (subject, body, requester, tokenize = '\(Schema.wordTokenizer)')")
        try db.run("INSERT INTO temp.word_check (rowid, subject, body, requester) VALUES (1, ?, ?, ?)",
                   [.text(request.subject), .text(request.body), .text(request.requester.value)])
        defer { try? db.run("DELETE FROM temp.word_check") }
        return try db.scalar("SELECT count(*) FROM temp.word_check WHERE word_check MATCH ?", [.text(query)]) ?? 0 > 0
    }

    /// How much request text one search may read to check phrases before asking the index instead.
    static let phraseCheckBytes = 4 << 20

    /// The rows among `ids` (all rows when nil) that meet the conditions, in queue order.
    private func lookUp(conditions: [String], values: [SQLValue], order: String, ids: [Int64]?, limit: Int) throws -> [Request] {
        var conditions = conditions
        var values = values
        if let ids {
            conditions.append("r.id IN (SELECT value FROM json_each(?))")
            values.append(.text("[" + ids.map(String.init).joined(separator: ",") + "]"))
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try db.query("SELECT \(Self.requestColumns) FROM requests r \(whereClause) ORDER BY \(order) LIMIT ?", values + [.int(limit)], Self.request)
    }

    /// The ids a full-text query matches, ascending.
    private func matchingIDs(_ query: TextMatch.Query) throws -> [Int64] {
        let matches = try db.prepare(query.sql)
        try matches.bind(query.values)
        var ids: [Int64] = []
        ids.reserveCapacity(Self.textMatchesToSort * 8)
        while try matches.step() { ids.append(matches.int64(0)) }
        matches.reset()
        return ids
    }

    /// Walks the queue index in order and keeps the rows the full-text match contains: many
    /// matches means the first page is found after a short walk, with no sort.
    /// nil when `check` ran out of budget before the page was found.
    private func walkInOrder(conditions: [String], values: [SQLValue], order: String, keeping matching: [Int64], limit: Int,
                             check: inout PhraseCheck?) throws -> [Request]? {
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let walk = try db.prepare("SELECT r.id FROM requests r \(whereClause) ORDER BY \(order)")
        defer { walk.reset() }
        try walk.bind(values)
        var picked: [Request] = []
        while picked.count < limit, try walk.step() {
            let id = walk.int64(0)
            guard Self.sortedContains(matching, id), let row = try request(RequestID(id)) else { continue }
            if check != nil {
                guard let accepted = check!.accepts(row) else { return nil }
                if !accepted { continue }
            }
            picked.append(row)
        }
        return picked
    }

    private static func sortedContains(_ sorted: [Int64], _ value: Int64) -> Bool {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low] == value
    }

    func count(_ filter: QueueFilter) throws -> Int {
        let sql = QueueSQL(filter: filter)
        guard !sql.matchesNothing else { return 0 }
        let (conditions, values) = sql.withTextCondition
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return Int(try db.scalar("SELECT count(*) FROM requests r \(whereClause)", values) ?? 0)
    }

    func statusCounts() throws -> [RequestStatus: Int] {
        let rows = try db.query("SELECT status, n FROM status_counts") { row in (row.text(0), row.int(1)) }
        var counts: [RequestStatus: Int] = [:]
        for (status, n) in rows {
            if let status = RequestStatus(rawValue: status) { counts[status] = n }
        }
        return counts
    }

    // MARK: Approvals

    static let approvalColumns = "a.id, a.request_id, a.action, a.reason, a.requested_by, a.requested_at, a.expires_at, a.state, a.decided_by, a.decided_at, a.decision_reason, a.target_user, a.requested_by_okta, a.decided_by_okta"

    func approval(_ id: ApprovalID) throws -> Approval? {
        try approvals(where: "a.id = ?", [.integer(id.number)]).first
    }

    func approvals(of request: RequestID) throws -> [Approval] {
        try approvals(where: "a.request_id = ?", [.integer(request.number)])
    }

    func pendingApprovals(eligibleFor login: String?) throws -> [Approval] {
        if let login {
            return try approvals(
                where: "a.state = 'pending' AND a.id IN (SELECT approval_id FROM approval_approvers WHERE login = ?)", [.text(login)])
        }
        return try approvals(where: "a.state = 'pending'", [])
    }

    func expiredApprovals(at date: Date) throws -> [Approval] {
        try approvals(where: "a.state = 'pending' AND a.expires_at <= ?", [.time(date)])
    }

    func insertApproval(_ new: NewApproval) throws -> Approval {
        try db.run(
            "INSERT INTO approvals (request_id, action, reason, requested_by, requested_at, expires_at, target_user, requested_by_okta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [.integer(new.requestID.number), .text(new.action.canonicalJSON), .text(new.reason), .text(new.requestedBy),
             .time(new.requestedAt), .time(new.expiresAt), .optional(new.targetUserID), .optional(new.requestedByOktaID)]
        )
        let id = db.lastInsertRowID
        for approver in new.approvers {
            try db.run("INSERT OR IGNORE INTO approval_approvers (approval_id, login, basis, okta_user) VALUES (?, ?, ?, ?)",
                       [.integer(id), .text(approver.login), .text(approver.basis.rawValue), .optional(approver.oktaUserID)])
        }
        guard let approval = try approval(ApprovalID(id)) else { throw StoreError.failed("approval \(id) vanished after insert") }
        return approval
    }

    func decideApproval(_ id: ApprovalID, state: Approval.State, by login: String, at: Date, reason: String?, oktaUserID: String?) throws -> Bool {
        try db.run(
            "UPDATE approvals SET state = ?, decided_by = ?, decided_at = ?, decision_reason = ?, decided_by_okta = ? WHERE id = ? AND state = 'pending'",
            [.text(state.rawValue), .text(login), .time(at), .optional(reason), .optional(oktaUserID), .integer(id.number)]
        )
        return db.changes == 1
    }

    private func approvals(where condition: String, _ values: [SQLValue]) throws -> [Approval] {
        let rows = try db.query("SELECT \(Self.approvalColumns) FROM approvals a WHERE \(condition) ORDER BY a.id", values) { row in
            (row.int64(0), try Self.approvalFields(row))
        }
        return try rows.map { id, fields in
            let approvers = try db.query(
                "SELECT login, basis, okta_user FROM approval_approvers WHERE approval_id = ? ORDER BY rowid", [.integer(id)]
            ) { row in
                EligibleApprover(login: row.text(0), basis: EligibleApprover.Basis(rawValue: row.text(1)) ?? .policy, oktaUserID: row.optionalText(2))
            }
            return fields(approvers)
        }
    }

    // MARK: Action runs and grants

    static let runColumns = "u.id, u.request_id, u.action, u.target_user, u.approval_id, u.revokes_grant, u.started_by, u.started_at, u.state, u.finished_at, u.runner, u.deadline, u.reconcile_attempts, u.next_reconcile_at"

    func run(_ id: ActionRunID) throws -> ActionRun? {
        try db.query("SELECT \(Self.runColumns) FROM action_runs u WHERE u.id = ?", [.integer(id.number)], Self.run).first
    }

    func runs(of request: RequestID) throws -> [ActionRun] {
        try db.query("SELECT \(Self.runColumns) FROM action_runs u WHERE u.request_id = ? ORDER BY u.id", [.integer(request.number)], Self.run)
    }

    func appliedRuns(on targetUserID: String, after: ActionRunID) throws -> [ActionRun] {
        // A reconciled run took effect when its reconcile event found it applied.
        try db.query("""
            SELECT \(Self.runColumns) FROM action_runs u WHERE u.target_user = ? AND u.id > ? AND (u.state = 'succeeded' OR (u.state = 'reconciled' AND EXISTS (
                SELECT 1 FROM events e WHERE e.request_id = u.request_id AND e.kind = 'action-reconciled'
                AND json_extract(e.details, '$.runID') = ? || u.id AND json_extract(e.details, '$.finding') = ?)))
            ORDER BY u.id
            """, [.text(targetUserID), .integer(after.number), .text(ActionRunRecord.prefix + "-"), .text(ReconcileFinding.applied.rawValue)], Self.run)
    }

    func unfinishedRuns(of request: RequestID?) throws -> [ActionRun] {
        if let request {
            return try db.query("SELECT \(Self.runColumns) FROM action_runs u WHERE u.state IN ('started', 'unknown') AND u.request_id = ? ORDER BY u.id",
                                [.integer(request.number)], Self.run)
        }
        return try db.query("SELECT \(Self.runColumns) FROM action_runs u WHERE u.state IN ('started', 'unknown') ORDER BY u.id", [], Self.run)
    }

    func insertRun(_ new: NewActionRun) throws -> ActionRun {
        try db.run(
            """
            INSERT INTO action_runs (request_id, action, target_user, approval_id, revokes_grant, started_by, started_at, runner, deadline)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.integer(new.requestID.number), .text(new.action.canonicalJSON), .text(new.targetUserID), new.approvalID.map { .integer($0.number) } ?? .null,
             new.revokesGrant.map { .integer($0.number) } ?? .null, .text(new.startedBy), .time(new.startedAt), .optional(new.runner),
             new.deadline.map(SQLValue.time) ?? .null]
        )
        guard let run = try run(ActionRunID(db.lastInsertRowID)) else { throw StoreError.failed("run vanished after insert") }
        return run
    }

    func finishRun(_ id: ActionRunID, state: ActionRun.State, at: Date) throws -> Bool {
        try db.run("UPDATE action_runs SET state = ?, finished_at = ? WHERE id = ? AND state IN ('started', 'unknown')",
                   [.text(state.rawValue), .time(at), .integer(id.number)])
        return db.changes == 1
    }

    func noteReconcileAttempt(_ id: ActionRunID, attempts: Int, next: Date) throws {
        try db.run("UPDATE action_runs SET reconcile_attempts = ?, next_reconcile_at = ? WHERE id = ? AND state IN ('started', 'unknown')",
                   [.int(attempts), .time(next), .integer(id.number)])
    }

    static let grantColumns = "g.id, g.request_id, g.grant_run, g.action, g.target_user, g.revoke_at, g.state, g.attempts, g.next_attempt_at"

    func grant(_ id: GrantID) throws -> AccessGrant? {
        try db.query("SELECT \(Self.grantColumns) FROM access_grants g WHERE g.id = ?", [.integer(id.number)], Self.grant).first
    }

    func grants(of request: RequestID) throws -> [AccessGrant] {
        try db.query("SELECT \(Self.grantColumns) FROM access_grants g WHERE g.request_id = ? ORDER BY g.id", [.integer(request.number)], Self.grant)
    }

    func dueGrants(at date: Date, limit: Int) throws -> [AccessGrant] {
        try db.query("""
            SELECT \(Self.grantColumns) FROM access_grants g
            WHERE g.state = 'scheduled' AND g.revoke_at <= ? AND (g.next_attempt_at IS NULL OR g.next_attempt_at <= ?)
            ORDER BY g.revoke_at, g.id LIMIT ?
            """, [.time(date), .time(date), .int(limit)], Self.grant)
    }

    func insertGrant(requestID: RequestID, grantRunID: ActionRunID, action: OktaAction, targetUserID: String, revokeAt: Date) throws -> AccessGrant {
        try db.run("INSERT INTO access_grants (request_id, grant_run, action, target_user, revoke_at) VALUES (?, ?, ?, ?, ?)",
                   [.integer(requestID.number), .integer(grantRunID.number), .text(action.canonicalJSON), .text(targetUserID), .time(revokeAt)])
        guard let grant = try grant(GrantID(db.lastInsertRowID)) else { throw StoreError.failed("grant vanished after insert") }
        return grant
    }

    func moveGrant(_ id: GrantID, from: AccessGrant.State, to: AccessGrant.State, by login: String, at: Date) throws -> Bool {
        // Only a scheduled grant has a next try; moving it anywhere else clears it.
        try db.run("UPDATE access_grants SET state = ?, claimed_by = ?, claimed_at = ?, next_attempt_at = CASE WHEN ? = 'scheduled' THEN next_attempt_at END WHERE id = ? AND state = ?",
                   [.text(to.rawValue), .text(login), .time(at), .text(to.rawValue), .integer(id.number), .text(from.rawValue)])
        return db.changes == 1
    }

    func claimDueGrant(_ id: GrantID, by login: String, at: Date) throws -> Bool {
        try db.run("""
            UPDATE access_grants SET state = 'revoking', claimed_by = ?, claimed_at = ?, next_attempt_at = NULL
            WHERE id = ? AND state = 'scheduled' AND revoke_at <= ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
            """, [.text(login), .time(at), .integer(id.number), .time(at), .time(at)])
        return db.changes == 1
    }

    func postponeGrant(_ id: GrantID, until: Date, at: Date) throws -> Bool {
        try db.run("UPDATE access_grants SET state = 'scheduled', revoke_at = ?, next_attempt_at = NULL, claimed_at = ? WHERE id = ? AND state = 'revoking'",
                   [.time(until), .time(at), .integer(id.number)])
        return db.changes == 1
    }

    func retryGrant(_ id: GrantID, attempts: Int, next: Date, at: Date) throws -> Bool {
        try db.run("UPDATE access_grants SET state = 'scheduled', attempts = ?, next_attempt_at = ?, claimed_at = ? WHERE id = ? AND state = 'revoking'",
                   [.int(attempts), .time(next), .time(at), .integer(id.number)])
        return db.changes == 1
    }

    // MARK: Row mapping

    static func run(_ row: Row) throws -> ActionRun {
        guard let state = ActionRun.State(rawValue: row.text(8)) else { throw StoreError.failed("run \(row.int64(0)) has an unknown state") }
        return ActionRun(
            id: ActionRunID(row.int64(0)), requestID: RequestID(row.int64(1)), action: try action(row.text(2)), targetUserID: row.text(3),
            approvalID: row.optionalInt64(4).map(ApprovalID.init), revokesGrant: row.optionalInt64(5).map(GrantID.init),
            startedBy: row.text(6), startedAt: row.date(7), state: state, finishedAt: row.optionalDate(9), runner: row.optionalText(10),
            deadline: row.optionalDate(11), reconcileAttempts: row.int(12), nextReconcileAt: row.optionalDate(13))
    }

    static func grant(_ row: Row) throws -> AccessGrant {
        guard let state = AccessGrant.State(rawValue: row.text(6)) else { throw StoreError.failed("grant \(row.int64(0)) has an unknown state") }
        return AccessGrant(id: GrantID(row.int64(0)), requestID: RequestID(row.int64(1)), grantRunID: ActionRunID(row.int64(2)),
                           action: try action(row.text(3)), targetUserID: row.text(4), revokeAt: row.date(5), state: state,
                           attempts: row.int(7), nextAttemptAt: row.optionalDate(8))
    }

    static func action(_ json: String) throws -> OktaAction {
        try JSONDecoder.helpdesk.decode(OktaAction.self, from: Data(json.utf8))
    }

    static func request(_ row: Row) throws -> Request {
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

    static func event(_ row: Row) throws -> TimelineEvent {
        guard let kind = EventKind(rawValue: row.text(2)) else {
            throw StoreError.failed("event \(row.int64(0)) has an unknown kind \(row.text(2)); upgrade helpdesk")
        }
        let payload = try EventPayload(kind: kind, details: Data(row.text(5).utf8))
        return TimelineEvent(id: row.int64(0), requestID: RequestID(row.int64(1)), actor: row.text(3), at: row.date(4), payload: payload)
    }

    /// Reads an approval row; the approvers come from a second query.
    static func approvalFields(_ row: Row) throws -> ([EligibleApprover]) -> Approval {
        let action = try action(row.text(2))
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
            Approval(id: id, requestID: requestID, action: action, reason: reason, requestedBy: requestedBy, requestedAt: requestedAt,
                     expiresAt: expiresAt, approvers: approvers, targetUserID: targetUserID, requestedByOktaID: requestedByOktaID, state: state,
                     decidedBy: decidedBy, decidedAt: decidedAt, decisionReason: decisionReason, decidedByOktaID: decidedByOktaID)
        }
    }
}
