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
        let id = try db.insert(
            """
            INSERT INTO requests (requester, subject, body, category, urgency, status, created_at, updated_at, external_id, words, grams)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::tsvector, ?::tsvector)
            """,
            [.text(new.requester.value), .text(new.subject), .text(new.body), .text(new.category), .int(new.priority.urgencyRank),
             .text(new.status.rawValue), .time(at), .time(at), .optional(new.externalID),
             .text(SearchText.words(subject: new.subject, body: new.body, requester: new.requester.value)),
             .text(SearchText.grams(subject: new.subject, body: new.body, requester: new.requester.value))]
        )
        return RecordMapping.stored(new, id: id, at: at)
    }

    func queue(_ query: QueueQuery) throws -> QueuePage {
        guard var (conditions, values) = try filterConditions(query.filter) else { return QueuePage(requests: [], next: nil) }
        let limit = max(0, query.limit)
        let forward = query.direction == .forward
        if let cursor = query.cursor {
            let after = QueueConditions.after(cursor, forward: forward)
            conditions.append(after.condition)
            values += after.values
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let rows = try db.query("SELECT \(RecordMapping.requestColumns) FROM requests r \(whereClause) ORDER BY \(QueueConditions.order(forward: forward)) LIMIT ?",
                                values + [.int(limit + 1)], RecordMapping.request)
        return QueueConditions.page(rows, limit: limit, forward: forward)
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
