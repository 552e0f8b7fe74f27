import CSQLite
import Foundation
import HelpdeskCore
import SQLiteStore

/// What SQLite alone takes to write an import's rows on this machine, now: the requests, their
/// "created" events and the word index of a store `helpdesk import` wrote, copied into a fresh
/// store of the same schema and settings, in transactions of as many requests as an import batch, by
/// `INSERT … SELECT` statements with no program around them. An import, which must also bind
/// each value and look up which external ids are taken, cannot be quicker than this; the figure
/// tells a slow hour of the machine from a slow import. (The log is copied back as SQLite does by
/// itself, inside the commit that passes 1,000 pages, where the store uses a thread of its own;
/// turning SQLite's copying off measured within the machine's noise.)
enum ImportFloor {
    static let requestsPerTransaction = LocalHelpdeskService.importBatchLimit

    /// Copies `source`'s requests into a new store at `target`; the copy's wall time in seconds.
    static func copy(from source: String, into target: String) throws -> Double {
        // The store makes the file: its schema, its word index's settings.
        _ = try SQLiteRequestStore(path: target)
        var db: OpaquePointer?
        guard sqlite3_open(target, &db) == SQLITE_OK, let db else {
            sqlite3_close(db)
            throw BenchmarkFailure("cannot open \(target)")
        }
        defer { sqlite3_close(db) }
        // The settings a store's connection has (SQLiteRequestStore.prepare).
        for setup in ["PRAGMA foreign_keys = ON", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA temp_store = MEMORY",
                      "ATTACH '\(source.replacingOccurrences(of: "'", with: "''"))' AS source"] {
            try execute(db, setup)
        }
        let count = try scalar(db, "SELECT count(*) FROM source.requests")
        let start = ContinuousClock.now
        var first: Int64 = 1
        while first <= count {
            let last = first + Int64(requestsPerTransaction) - 1
            try execute(db, """
                BEGIN IMMEDIATE;
                INSERT INTO main.requests (id, requester, subject, body, category, urgency, status, created_at, updated_at, external_id)
                    SELECT id, requester, subject, body, category, urgency, status, created_at, updated_at, external_id
                    FROM source.requests WHERE id BETWEEN \(first) AND \(last);
                INSERT INTO main.events (request_id, kind, actor, at, details)
                    SELECT request_id, kind, actor, at, details FROM source.events WHERE request_id BETWEEN \(first) AND \(last);
                INSERT INTO main.requests_fts (rowid, subject, body, requester)
                    SELECT id, subject, body, requester FROM main.requests WHERE id BETWEEN \(first) AND \(last);
                COMMIT;
                """)
            first = last + 1
        }
        let elapsed = start.duration(to: .now).components
        guard try scalar(db, "SELECT count(*) FROM main.requests") == count else {
            throw BenchmarkFailure("the copy into \(target) wrote a different number of requests than \(source) holds")
        }
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }

    private static func execute(_ db: OpaquePointer, _ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(db, sql, nil, nil, &message) == SQLITE_OK else {
            let reason = message.map { String(cString: $0) } ?? "unknown"
            sqlite3_free(message)
            throw BenchmarkFailure("SQLite: \(reason)")
        }
    }

    private static func scalar(_ db: OpaquePointer, _ sql: String) throws -> Int64 {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw BenchmarkFailure("SQLite: \(String(cString: sqlite3_errmsg(db)))")
        }
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW else { throw BenchmarkFailure("SQLite: no row for \(sql)") }
        return sqlite3_column_int64(statement, 0)
    }
}
