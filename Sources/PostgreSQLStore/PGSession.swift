import Foundation
import HelpdeskCore
import StoreSQL

/// The reads and writes of one PostgreSQL transaction: the shared record statements, plus new
/// requests with their search vectors and the queue with full-text search.
final class PGSession: RecordStatements {
    let db: PGConnection

    init(db: PGConnection) {
        self.db = db
    }

    func insertRequest(_ new: NewRequest, at: Date) throws -> Request {
        let search = SearchText.document(subject: new.subject, body: new.body, requester: new.requester.value)
        let id = try db.insert(
            """
            INSERT INTO requests (requester, subject, body, category, urgency, status, created_at, updated_at, external_id, words, grams, word_text, gram_text)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::tsvector, ?::tsvector, ?, ?)
            """,
            [.text(new.requester.value), .text(new.subject), .text(new.body), .text(new.category), .int(new.priority.urgencyRank),
             .text(new.status.rawValue), .time(at), .time(at), .optional(new.externalID),
             .text(search.words), .text(search.grams), .text(search.wordText), .text(search.gramText)]
        )
        return RecordMapping.stored(new, id: id, at: at)
    }

    /// A text filter first walks this many rows of the queue in order, keeping those that match.
    static let textWalk = 4_000

    func queue(_ query: QueueQuery) throws -> QueuePage {
        let shared = QueueConditions(filter: query.filter)
        guard !shared.matchesNothing else { return QueuePage(requests: [], next: nil) }
        let limit = max(0, query.limit)
        let forward = query.direction == .forward
        let keyset = QueueConditions.keyset(query)
        let conditions = shared.conditions + keyset.conditions
        let values = shared.values + keyset.values
        let order = QueueConditions.order(forward: forward)
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        guard let typed = query.filter.text, !typed.trimmingCharacters(in: .whitespaces).isEmpty else {
            let rows = try db.query("SELECT \(RecordMapping.requestColumns) FROM requests r \(whereClause) ORDER BY \(order) LIMIT ?",
                                    values + [.int(limit + 1)], RecordMapping.request)
            return QueueConditions.page(rows, limit: limit, forward: forward)
        }
        guard let text = SearchText.conditions(typed: typed) else { return QueuePage(requests: [], next: nil) }
        let textWhere = "WHERE " + text.conditions.joined(separator: " AND ")
        // PostgreSQL cannot tell how many rows a prefix matches, so the plan is chosen here: a
        // short walk of the queue in order finds a page of a common word at once; a rarer one is
        // looked up in the word index and sorted. Each is planned for its own values.
        try db.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        defer { try? db.execute("SET LOCAL plan_cache_mode = DEFAULT; SET LOCAL enable_indexscan = DEFAULT") }
        let walked = try db.query(
            "SELECT \(RecordMapping.requestColumns) FROM (SELECT r.* FROM requests r \(whereClause) ORDER BY \(order) LIMIT \(Self.textWalk)) AS r \(textWhere) ORDER BY \(order) LIMIT ?",
            values + text.values + [.int(limit + 1)], RecordMapping.request)
        if walked.count > limit { return QueueConditions.page(walked, limit: limit, forward: forward) }
        try db.execute("SET LOCAL enable_indexscan = off")
        let found = try db.query("SELECT \(RecordMapping.requestColumns) FROM requests r \(whereClause.isEmpty ? textWhere : whereClause + " AND " + text.conditions.joined(separator: " AND ")) ORDER BY \(order) LIMIT ?",
                                 values + text.values + [.int(limit + 1)], RecordMapping.request)
        return QueueConditions.page(found, limit: limit, forward: forward)
    }

    func count(_ filter: QueueFilter) throws -> Int {
        guard let (conditions, values) = try filterConditions(filter) else { return 0 }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return Int(try db.scalar("SELECT count(*) FROM requests r \(whereClause)", values) ?? 0)
    }

    /// The filter's conditions with its text as full-text conditions; nil when nothing can match.
    private func filterConditions(_ filter: QueueFilter) throws -> ([String], [SQLValue])? {
        let shared = QueueConditions(filter: filter)
        guard !shared.matchesNothing else { return nil }
        guard let text = filter.text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return (shared.conditions, shared.values) }
        guard let search = SearchText.conditions(typed: text) else { return nil }
        return (shared.conditions + search.conditions, shared.values + search.values)
    }
}
