import Foundation
import HelpdeskCore
import StoreSQL

/// The reads and writes of one transaction on a connection. Lives only inside `read`/`write`.
final class Session: RecordStatements {
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
        keepGrams(of: new, id: id)
        return RecordMapping.stored(new, id: id, at: at)
    }

    /// Keeps a new request's gram row for `indexNewRequests` when its text has a script written
    /// without spaces (each part is checked as it is; the row is the parts joined).
    private func keepGrams(of new: NewRequest, id: Int64) {
        guard GramText.needsGrams(new.subject) || GramText.needsGrams(new.body) || GramText.needsGrams(new.requester.value) else { return }
        pendingGrams.append((id, GramText.indexText(new.subject + " " + new.body + " " + new.requester.value)))
    }

    /// An import batch in a few statements: the external ids already taken are looked up, and
    /// the new requests and their "created" events go in up to `rowsPerStatement` rows a
    /// statement (one statement per row spent most of an import's time starting statements).
    /// Numbers stay consecutive: a row is never offered that a unique index would turn away.
    func createOnce(_ requests: [NewRequest], by actor: String, at: Date) throws -> [OnceWrite] {
        let keys = requests.map { $0.externalID.map(ExternalIDKey.init) }
        var outcomes: [OnceWrite?] = Array(repeating: nil, count: requests.count)
        var firstIndex: [ExternalIDKey: Int] = [:]
        firstIndex.reserveCapacity(requests.count)
        var asked: [String] = []
        for (index, key) in keys.enumerated() {
            guard let key, firstIndex[key] == nil else { continue }
            firstIndex[key] = index
            asked.append(key.text)
        }
        let taken = try requestIDs(externalIDs: asked)
        var fresh: [Int] = []
        for (index, key) in keys.enumerated() {
            guard let key else { fresh.append(index); continue }
            if let id = taken[key] {
                outcomes[index] = .found(id)
            } else if firstIndex[key] == index {
                fresh.append(index)
            }
        }
        var start = 0
        while start < fresh.count {
            let count = Self.statementRows(left: fresh.count - start)
            let indexes = Array(fresh[start..<(start + count)])
            let statement = indexes.map { requests[$0] }
            let ids = try insertRequests(statement, at: at)
            try insertCreatedEvents(zip(ids, statement).map { ($0, $1) }, by: actor, at: at)
            for (id, index) in zip(ids, indexes) { outcomes[index] = .created(id) }
            start += count
        }
        return try keys.enumerated().map { index, key in
            if let outcome = outcomes[index] { return outcome }
            // A repeat of an external id earlier in the list.
            guard let key, let first = firstIndex[key], case .created(let id)? = outcomes[first] else {
                throw StoreError.failed("request \(index + 1) of an import batch was neither written nor found (\(db.path))")
            }
            return .found(id)
        }
    }

    /// Most rows one statement writes or looks up; the rest go in statements of powers of two,
    /// so a few statements are prepared once and kept.
    static let rowsPerStatement = 128

    static func statementRows(left: Int) -> Int {
        left >= rowsPerStatement ? rowsPerStatement : 1 << (Int.bitWidth - 1 - left.leadingZeroBitCount)
    }

    private static let externalIDLookups = RowsStatement { "SELECT external_id, id FROM requests WHERE external_id IN (\(RowsStatement.repeated("?", $0)))" }
    private static let requestInserts = RowsStatement {
        "INSERT INTO requests (requester, subject, body, category, urgency, status, created_at, updated_at, external_id) "
            + "VALUES \(RowsStatement.repeated("(?, ?, ?, ?, ?, ?, ?, ?, ?)", $0)) RETURNING id"
    }
    private static let createdEventInserts = RowsStatement {
        "INSERT INTO events (request_id, kind, actor, at, details) VALUES \(RowsStatement.repeated("(?, ?, ?, ?, ?)", $0))"
    }

    /// The requests that hold any of these external ids, by the ids' bytes.
    private func requestIDs(externalIDs: [String]) throws -> [ExternalIDKey: RequestID] {
        var found: [ExternalIDKey: RequestID] = [:]
        var start = 0
        while start < externalIDs.count {
            let count = Self.statementRows(left: externalIDs.count - start)
            let values = externalIDs[start..<(start + count)].map(SQLValue.text)
            for (externalID, id) in try db.query(Self.externalIDLookups[rows: count], values, { ($0.text(0), $0.int64(1)) }) {
                found[ExternalIDKey(externalID)] = RequestID(id)
            }
            start += count
        }
        return found
    }

    /// Inserts requests in one statement and returns their ids in the order written.
    private func insertRequests(_ requests: [NewRequest], at: Date) throws -> [RequestID] {
        var values: [SQLValue] = []
        values.reserveCapacity(requests.count * 9)
        let time = SQLValue.time(at)
        for new in requests {
            // One value at a time: an array literal per row is an allocation per row.
            values.append(.text(new.requester.value))
            values.append(.text(new.subject))
            values.append(.text(new.body))
            values.append(.text(new.category))
            values.append(.int(new.priority.urgencyRank))
            values.append(.text(new.status.rawValue))
            values.append(time)
            values.append(time)
            values.append(.optional(new.externalID))
        }
        // Ids grow as rows are written; RETURNING's own order is not promised.
        let ids = try db.query(Self.requestInserts[rows: requests.count], values) { $0.int64(0) }.sorted()
        guard ids.count == requests.count, let first = ids.first, let last = ids.last else {
            throw StoreError.failed("an import statement wrote \(ids.count) of \(requests.count) requests (\(db.path))")
        }
        unindexed = (unindexed?.first ?? first, last)
        for (id, new) in zip(ids, requests) { keepGrams(of: new, id: id) }
        return ids.map(RequestID.init)
    }

    /// The "created" events of requests just written, in one statement.
    private func insertCreatedEvents(_ wrote: [(id: RequestID, new: NewRequest)], by actor: String, at: Date) throws {
        var values: [SQLValue] = []
        values.reserveCapacity(wrote.count * 5)
        let kind = SQLValue.text(EventKind.created.rawValue)
        let author = SQLValue.text(actor)
        let time = SQLValue.time(at)
        for (id, new) in wrote {
            let created = EventPayload.Created(requester: new.requester, subject: new.subject, priority: new.priority, category: new.category)
            values.append(.integer(id.number))
            values.append(kind)
            values.append(author)
            values.append(time)
            values.append(.text(created.detailsJSON))
        }
        try db.run(Self.createdEventInserts[rows: wrote.count], values)
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
        let keyset = QueueConditions.keyset(query)
        let conditions = sql.conditions + keyset.conditions
        let values = sql.values + keyset.values
        let order = QueueConditions.order(forward: forward)
        var rows: [Request]
        // The text match is run once. Words inside text without spaces are first found by some of
        // their pairs (cheap) and checked on the rows themselves, within a budget of text read;
        // past it, the index's exact phrase query decides instead. Many matches are walked in
        // queue order; few are looked up and sorted.
        if let words = query.filter.text.flatMap(WordCheck.init(typed:)),
           let walked = try walkChecking(words, conditions: conditions, values: values, order: order, limit: limit + 1) {
            return QueueConditions.page(walked, limit: limit, forward: forward)
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
        return QueueConditions.page(rows, limit: limit, forward: forward)
    }

    /// Walks the queue in order and keeps the rows that hold the typed words, while at least one
    /// row in `walkDensity` does and at most `walkTextBytes` of text has been checked; nil past
    /// either (a rare word, or long texts: the index finds them faster).
    private func walkChecking(_ words: WordCheck, conditions: [String], values: [SQLValue], order: String, limit: Int) throws -> [Request]? {
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let walk = try db.prepare("SELECT \(RecordMapping.requestColumns) FROM requests r \(whereClause) ORDER BY \(order)")
        defer { walk.reset() }
        try walk.bind(values)
        var picked: [Request] = []
        var walked = 0
        var textLeft = Self.walkTextBytes
        while picked.count < limit, try walk.step() {
            walked += 1
            if walked > Self.walkDensity * 8 && picked.count * Self.walkDensity < walked { return nil }
            let row = try RecordMapping.request(Row(statement: walk))
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
    /// index (same tokenizer), for text the word check does not decide itself. Never stopped
    /// halfway by a cancelled search: the copy would keep its row, and every later search fail.
    private func indexAccepts(_ request: Request, query: String) throws -> Bool {
        try db.uninterrupted {
            try db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.word_check USING fts5 (subject, body, requester, tokenize = '\(Schema.wordTokenizer)')")
            try db.run("INSERT INTO temp.word_check (rowid, subject, body, requester) VALUES (1, ?, ?, ?)",
                       [.text(request.subject), .text(request.body), .text(request.requester.value)])
            defer { try? db.run("DELETE FROM temp.word_check") }
            return try db.scalar("SELECT count(*) FROM temp.word_check WHERE word_check MATCH ?", [.text(query)]) ?? 0 > 0
        }
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
        return try db.query("SELECT \(RecordMapping.requestColumns) FROM requests r \(whereClause) ORDER BY \(order) LIMIT ?", values + [.int(limit)], RecordMapping.request)
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
}
