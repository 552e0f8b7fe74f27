import CSQLite
import Foundation
import HelpdeskTestSupport
@testable import SQLiteStore
import StoreSQL
import Testing

/// A statement's text values are copied once into a block of its own that SQLite reads in place:
/// every value must come back whole, whatever the values beside it, the statement's earlier runs
/// or another statement bound meanwhile.
@Suite struct BindingTests {
    let folder = TemporaryDirectory("hd-binding")

    static let texts = ["", "a", "nul\u{0}inside", "é接続👩‍💻\u{202E}", String(repeating: "long ", count: 60_000), "", "last"]

    static func values(_ texts: [String]) -> [SQLValue] {
        texts.enumerated().flatMap { index, text in [.text(text), .null, .integer(Int64(index) - 3)] }
    }

    static func selectEvery(_ count: Int) -> String {
        "SELECT " + (1...count).map { "?\($0)" }.joined(separator: ", ")
    }

    static func read(_ row: Row, count: Int) -> [SQLValue] {
        (0..<Int32(count)).map { column in
            row.statement.value(column)
        }
    }

    @Test func everyValueOfAStatementIsReadBackWhole() throws {
        let db = try SQLiteConnection(path: folder.file("b.db"))
        let values = Self.values(Self.texts)
        let rows = try db.query(Self.selectEvery(values.count), values) { Self.read($0, count: values.count) }
        #expect(rows == [values])
    }

    @Test func aStatementRunAgainReadsItsNewValuesNotItsLast() throws {
        let db = try SQLiteConnection(path: folder.file("b.db"))
        for round in 0..<5 {
            let values = Self.values(Self.texts.map { $0.isEmpty ? $0 : "\(round)" + $0 })
            let rows = try db.query(Self.selectEvery(values.count), values) { Self.read($0, count: values.count) }
            #expect(rows == [values], "round \(round)")
        }
    }

    @Test func aQueryPartReadKeepsItsValuesWhileAnotherStatementRuns() throws {
        let db = try SQLiteConnection(path: folder.file("b.db"))
        let first = try db.prepare("SELECT ?1 UNION ALL SELECT ?2")
        defer { first.reset() }
        try first.bind([.text("first " + String(repeating: "x", count: 500)), .text("second")])
        #expect(try first.step())
        #expect(first.text(0) == "first " + String(repeating: "x", count: 500))
        let other = try db.query("SELECT ?1 || ?2", [.text("other "), .text(String(repeating: "y", count: 5_000))]) { $0.text(0) }
        #expect(other == ["other " + String(repeating: "y", count: 5_000)])
        #expect(try first.step())
        #expect(first.text(0) == "second")
    }

    @Test func aStatementBoundAgainMidRowStartsAgainWithItsNewText() throws {
        let db = try SQLiteConnection(path: folder.file("b.db"))
        let statement = try db.prepare("SELECT ?1 UNION ALL SELECT ?2")
        defer { statement.reset() }
        try statement.bind([.text("first " + String(repeating: "x", count: 300_000)), .text("second")])
        #expect(try statement.step())
        try statement.bind([.text("again"), .text("and again")])
        #expect(try statement.step())
        #expect(statement.text(0) == "again")
        #expect(try statement.step())
        #expect(statement.text(0) == "and again")
    }

    @Test func textWrittenToATableIsStoredWhole() throws {
        let db = try SQLiteConnection(path: folder.file("b.db"))
        try db.execute("CREATE TABLE t (a TEXT, b TEXT)")
        for text in Self.texts { try db.run("INSERT INTO t (a, b) VALUES (?, ?)", [.text(text), .text(text + "!")]) }
        let stored = try db.query("SELECT a, b FROM t ORDER BY rowid", []) { [$0.text(0), $0.text(1)] }
        #expect(stored == Self.texts.map { [$0, $0 + "!"] })
    }

    /// SQLite's own count of the memory it holds takes a lock on every allocation; the store turns
    /// it off before the first connection opens, so nothing is counted.
    @Test func sqliteCountsNoMemory() throws {
        let db = try SQLiteConnection(path: folder.file("b.db"))
        try db.execute("CREATE TABLE t (a TEXT); INSERT INTO t VALUES ('x')")
        #expect(sqlite3_memory_used() == 0)
    }
}
