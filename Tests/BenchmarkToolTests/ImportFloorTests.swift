import CSQLite
import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import SQLiteStore
import Testing
@testable import helpdesk_benchmarks

/// SQLite alone is a floor only if it writes what the import wrote: every request, every event
/// and the word index, in a store the console reads the same way.
@Suite struct ImportFloorTests {
    @Test func theCopyHoldsTheImportsRequestsEventsAndWords() throws {
        let folder = TemporaryDirectory("hd-floor")
        let source = folder.file("import.db")
        let imported = try SQLiteRequestStore(path: source)
        let lines = try (0..<2_345).map { index in
            try NewRequest(requester: EmailAddress("user\(index)@example.com"), subject: "Printer \(index) jammed",
                           body: index == 1_234 ? "the quokka ate the toner" : "paper stuck", externalID: "ZD-\(index)")
        }
        for start in stride(from: 0, to: lines.count, by: 1_000) {
            _ = try imported.write { try $0.createOnce(Array(lines[start..<min(start + 1_000, lines.count)]), by: "importer", at: Date()) }
        }

        let seconds = try ImportFloor.copy(from: source, into: folder.file("floor.db"))
        #expect(seconds > 0)
        // Read as it was written: a store, when it opens, indexes requests the index lacks.
        #expect(Self.scalar(folder.file("floor.db"), "SELECT count(*) FROM requests_fts_docsize") == Int64(lines.count))
        #expect(Self.scalar(folder.file("floor.db"), "SELECT rowid FROM requests_fts WHERE requests_fts MATCH 'quokka'") == 1_235)
        let copy = try SQLiteRequestStore(path: folder.file("floor.db"))
        #expect(try copy.read { try $0.count(.all) } == lines.count)
        #expect(try copy.read { try $0.lastEventID() } == imported.read { try $0.lastEventID() })
        let found = try copy.read { try $0.queue(QueueQuery(filter: QueueFilter(text: "quokka"), limit: 5)) }.requests
        #expect(found.map(\.externalID) == ["ZD-1234"])
        #expect(try copy.read { try $0.count(QueueFilter(text: "printer")) } == lines.count)
    }

    private static func scalar(_ path: String, _ sql: String) -> Int64? {
        var db: OpaquePointer?
        defer { sqlite3_close(db) }
        var statement: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK,
              sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else { return nil }
        defer { sqlite3_finalize(statement) }
        return sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int64(statement, 0) : nil
    }
}
