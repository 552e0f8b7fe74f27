import Foundation
import HelpdeskCore
import PostgreSQLStore
import SQLiteStore
import StoreSQL

/// `helpdesk migrate-store`: copies a SQLite store into an empty PostgreSQL database in one
/// transaction, ids kept, then checks the copy: every table's count, and a checksum of the whole timeline read back
/// from both.
enum MigrateStoreCommand {
    static let spec = CommandSpec(
        name: "migrate-store",
        summary: "copy a SQLite store into an empty PostgreSQL database and check the copy",
        synopsis: "--from PATH --to URL [--password-file PATH] [--json]",
        options: [.json, .value("from", "PATH", "the SQLite store file to copy (stop the service that uses it first)"),
                  .value("to", "URL", "the PostgreSQL database, postgresql://user@host/db (no password in it)"),
                  .value("password-file", "PATH", "a file holding the database password, readable only by you")],
        discussion: "Refuses a database that already holds requests, events, approvals, runs or grants. Exit 1 when the copy does not match; the database is then left as it is, to be looked at and emptied before trying again."
    ) { invocation in
        guard let from = invocation.arguments.value("from"), !from.isEmpty else { throw CLIError.usage("--from needs the SQLite store's path", command: "migrate-store") }
        guard let url = invocation.arguments.value("to"), !url.isEmpty else { throw CLIError.usage("--to needs the PostgreSQL database's URL", command: "migrate-store") }
        if let problem = StoreSetting.problem(withURL: url) { throw CLIError.usage("--to \(problem)", command: "migrate-store") }
        guard FileManager.default.fileExists(atPath: from) else { throw CLIError.failed("\(from) does not exist; --from names an existing store file") }
        let source = try SQLiteRequestStore(path: from)
        let target = try PostgreSQLRequestStore(url: url, password: try invocation.arguments.value("password-file").map(PasswordFile.read))
        guard try target.isEmpty() else {
            throw CLIError.failed("\(target.location) already holds a helpdesk store; migrate-store copies only into an empty database (drop that schema or database to start again)")
        }
        // One transaction: an interrupted copy leaves the database as empty as it was.
        let counts = try target.copyIn { table, after in try source.rows(of: table, after: after, limit: 5_000) }
        var differences: [String] = []
        for table in StoredTable.allCases {
            let copied = try target.rowCount(of: table)
            let original = try source.rowCount(of: table)
            if copied != original { differences.append("\(table.rawValue): \(original) in the file, \(copied) in the database") }
        }
        let sourceSum = try TimelineChecksum.of(source)
        let targetSum = try TimelineChecksum.of(target)
        if sourceSum != targetSum { differences.append("the timelines differ (checksum \(sourceSum.hex) in the file, \(targetSum.hex) in the database)") }
        if invocation.wantsJSON {
            try invocation.printJSON(MigrateJSON(to: target.location, counts: counts, checksum: sourceSum.hex, matches: differences.isEmpty, differences: differences))
        } else if differences.isEmpty {
            invocation.out.line("Copied \(counts[.requests] ?? 0) requests, \(counts[.events] ?? 0) events, \(counts[.approvals] ?? 0) approvals, \(counts[.actionRuns] ?? 0) runs "
                + "and \(counts[.accessGrants] ?? 0) grants into \(target.location); every count and the timeline's checksum (\(sourceSum.hex)) match.")
        } else {
            invocation.err.line("helpdesk: the copy in \(target.location) does not match: " + differences.joined(separator: "; ") + ". It was left as it is; empty the database before trying again.")
        }
        return differences.isEmpty ? ExitCode.success : ExitCode.failure
    }
}

/// A checksum of a whole timeline as the store gives it for export (FNV-1a, 64 bits, over every
/// event's fields in id order): equal on two stores when they hold the same events.
struct TimelineChecksum: Equatable {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    var hex: String { String(format: "%016llx", value) }

    static func of(_ store: any RequestStore) throws -> TimelineChecksum {
        var sum = TimelineChecksum()
        var after: Int64?
        while true {
            let page = try store.read { try $0.storedEvents(since: nil, request: nil, afterEventID: after, limit: 5_000, maxBytes: 64 << 20) }
            guard let last = page.last else { return sum }
            for event in page {
                for field in [String(event.id), String(event.requestID.number), event.kind, event.actor, String(StoreTime.milliseconds(event.at)), event.details,
                              event.oktaRequestID ?? "\u{0}"] {
                    sum.add(field)
                }
            }
            after = last.id
        }
    }

    private mutating func add(_ field: String) {
        for byte in field.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01b3
        }
        // A separator, so ("ab", "c") and ("a", "bc") differ.
        value ^= 0x1f
        value = value &* 0x0000_0100_0000_01b3
    }
}

struct MigrateJSON: Encodable {
    let to: String
    let requests: Int
    let events: Int
    let approvals: Int
    let runs: Int
    let grants: Int
    let checksum: String
    let matches: Bool
    let differences: [String]

    init(to: String, counts: [StoredTable: Int], checksum: String, matches: Bool, differences: [String]) {
        self.to = to
        requests = counts[.requests] ?? 0
        events = counts[.events] ?? 0
        approvals = counts[.approvals] ?? 0
        runs = counts[.actionRuns] ?? 0
        grants = counts[.accessGrants] ?? 0
        self.checksum = checksum
        self.matches = matches
        self.differences = differences
    }
}
