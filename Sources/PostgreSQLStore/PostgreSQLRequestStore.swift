import CPostgreSQL
import Foundation
import HelpdeskCore
import StoreSQL
import Synchronization

/// The request store on PostgreSQL, shared by the helpdesk services of several hosts. Writes are
/// serializable transactions, run again from the start when PostgreSQL finds they overlapped
/// another (their bodies touch nothing outside the database); the schema's constraints and
/// triggers keep the record, as on SQLite. Commits are announced with NOTIFY, and a second
/// connection listening for them is the change token.
public final class PostgreSQLRequestStore: RequestStore {
    public let location: String
    private let connection: Mutex<PGConnection>
    private let listener: Mutex<ChangeListener>
    /// The notification channel of this store's schema.
    private let channel: String

    /// How often a write that overlapped another is tried, in all.
    static let attempts = 12

    /// Opens the store at `url` (`postgresql://…`; a password comes from `password`, never the URL),
    /// migrating the schema under a lock.
    /// `answerTimeout`: how long the database may take to answer before its connection is
    /// given up as lost.
    public init(url: String, password: String? = nil, answerTimeout: TimeInterval = 30) throws(StoreError) {
        let location = StoreURL.displayed(url)
        self.location = location
        let db = try PGConnection(url: url, password: password, location: location, answerTimeout: answerTimeout)
        do {
            // A channel name is an identifier: at most 63 bytes (schemas that share a prefix only
            // hear each other's commits, which costs a reload).
            let schema = try Self.schema(db)
            channel = "helpdesk_" + String(decoding: Array(schema.utf8.prefix(48)), as: UTF8.self)
            try Self.migrate(db, schema: schema)
        } catch let error as PGError {
            throw error.storeError(location: location)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .failed("\(error)")
        }
        connection = Mutex(db)
        listener = Mutex(try ChangeListener(url: url, password: password, location: location, channel: channel))
    }

    public func read<T>(_ body: (any StoreReader) throws -> T) throws -> T {
        let location = location
        return try connection.withLock { db in
            var attempt = 0
            while true {
                attempt += 1
                do {
                    try Self.begin(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    let result = try body(PGSession(db: db))
                    try db.execute("COMMIT")
                    return result
                } catch {
                    try Self.recover(from: error, db, attempt: attempt, committing: false, location: location)
                }
            }
        }
    }

    /// Runs `body` in one serializable transaction, again from the start when PostgreSQL could not
    /// serialize it or the connection was lost before the commit was sent. A connection lost
    /// during the commit leaves the outcome unknown: that is said, not retried.
    public func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T {
        let (location, channel) = (location, channel)
        return try connection.withLock { db in
            var attempt = 0
            while true {
                attempt += 1
                var committing = false
                do {
                    try Self.begin(db, "BEGIN ISOLATION LEVEL SERIALIZABLE")
                    let result = try body(PGSession(db: db))
                    _ = try db.query("SELECT pg_notify(?, '')", [.text(channel)]) { _ in 0 }
                    committing = true
                    try db.execute("COMMIT")
                    return result
                } catch {
                    try Self.recover(from: error, db, attempt: attempt, committing: committing, location: location)
                }
            }
        }
    }

    private static func begin(_ db: PGConnection, _ sql: String) throws {
        if !db.isUp { try db.reconnect() }
        db.timelineLocked = false
        try db.execute(sql)
    }

    /// After a transaction failed: rolls back, and returns when it should run again (after a
    /// pause), or throws what the caller should hear.
    private static func recover(from error: any Error, _ db: PGConnection, attempt: Int, committing: Bool, location: String) throws {
        guard let failure = error as? PGError else {
            try? db.execute("ROLLBACK")
            throw error
        }
        if failure.isConnectionLost && committing {
            throw StoreError.failed("the connection to \(location) was lost while a change was being committed; whether it was saved is not known — reload and check before repeating it")
        }
        if !failure.isConnectionLost { try? db.execute("ROLLBACK") }
        // A database that did not answer in time is not asked again at once: the caller hears it.
        guard failure.isRetryable || (failure.isConnectionLost && !failure.isNoAnswer), attempt < Self.attempts else { throw failure.storeError(location: location) }
        pause(attempt)
    }

    /// A short random wait before running a transaction again, growing with each try.
    private static func pause(_ attempt: Int) {
        let ceiling = min(200, 2 << attempt)
        usleep(useconds_t(Int.random(in: 1...ceiling) * 1000))
    }

    /// Notifications received so far; a reconnection counts as a change (what happened while the
    /// listener was away is not known).
    public func changeToken() throws -> Int64 {
        try listener.withLock { try $0.token() }
    }

    /// The listener's socket is read without a round trip, so this can be polled often.
    public var changePollInterval: TimeInterval { 0.02 }

    /// The schema version of the database.
    public func schemaVersion() throws -> Int {
        let location = location
        return try connection.withLock { db in
            do { return Int(try db.scalar("SELECT max(version) FROM helpdesk_schema", []) ?? 0) } catch let error as PGError { throw error.storeError(location: location) }
        }
    }

    public static var latestSchemaVersion: Int { PostgreSQLSchema.latest }

    // MARK: Copying a store in

    /// True when the database holds no request, event, approval, run or grant.
    public func isEmpty() throws -> Bool {
        try read { reader in
            guard let session = reader as? PGSession else { throw StoreError.failed("not a PostgreSQL session") }
            return try Self.firstNonEmptyTable(session.db) == nil
        }
    }

    /// The first table that holds a row, or nil.
    private static func firstNonEmptyTable(_ db: PGConnection) throws -> StoredTable? {
        try StoredTable.allCases.first { table in
            try db.scalar("SELECT count(*) FROM (SELECT 1 FROM \(table.rawValue) LIMIT 1) AS any_row", []) != 0
        }
    }

    /// Copies another store in, in one transaction (all or nothing): each table in turn, page by
    /// page from `pages(table, after)` (rows as `StoredTable.columns` name them, with the row id
    /// to go on from; empty when the table is done), ids kept, search vectors built here, and each
    /// id sequence set to go on after the copy. Refuses a store that is not empty. Returns the
    /// rows copied per table.
    public func copyIn(_ pages: (StoredTable, Int64) throws -> [(rowID: Int64, values: [SQLValue])]) throws -> [StoredTable: Int] {
        try write { writer in
            guard let session = writer as? PGSession else { throw StoreError.failed("not a PostgreSQL session") }
            if let table = try Self.firstNonEmptyTable(session.db) {
                throw StoreError.refused("\(table.rawValue) is not empty: the database already holds a helpdesk store")
            }
            // Counting statuses row by row rewrites one row per request in one transaction, which
            // grows slower with every row: the counts are made once, after the copy.
            try session.db.execute("ALTER TABLE requests DISABLE TRIGGER requests_count")
            var counts: [StoredTable: Int] = [:]
            for table in StoredTable.allCases {
                var after: Int64 = 0
                while true {
                    let page = try pages(table, after)
                    guard let last = page.last else { break }
                    try Self.insert(page.map(\.values), into: table, session.db)
                    counts[table, default: 0] += page.count
                    after = last.rowID
                }
                _ = try session.db.query("SELECT setval(pg_get_serial_sequence('\(table.rawValue)', 'id'), coalesce((SELECT max(id) FROM \(table.rawValue)), 0) + 1, false)", []) { _ in 0 }
            }
            _ = try session.db.change("UPDATE status_counts SET n = (SELECT count(*) FROM requests r WHERE r.status = status_counts.status)", [])
            try session.db.execute("ALTER TABLE requests ENABLE TRIGGER requests_count")
            return counts
        }
    }

    /// Rows per INSERT of a copy (PostgreSQL takes at most 65,535 values per statement).
    static let copyBatch = 500

    private static func insert(_ rows: [[SQLValue]], into table: StoredTable, _ db: PGConnection) throws {
        var columns = table.columns
        var rows = rows
        if table == .requests {
            columns += ["words", "grams", "word_text", "gram_text"]
            rows = rows.map { row in
                guard case .text(let requester) = row[1], case .text(let subject) = row[2], case .text(let body) = row[3] else { return row + [.null, .null, .null, .null] }
                let search = SearchText.document(subject: subject, body: body, requester: requester)
                return row + [.text(search.words), .text(search.grams), .text(search.wordText), .text(search.gramText)]
            }
        }
        let tuple = "(" + columns.map { $0 == "words" || $0 == "grams" ? "?::tsvector" : "?" }.joined(separator: ", ") + ")"
        for start in stride(from: 0, to: rows.count, by: copyBatch) {
            let batch = rows[start..<min(start + copyBatch, rows.count)]
            let sql = "INSERT INTO \(table.rawValue) (\(columns.joined(separator: ", "))) VALUES " + Array(repeating: tuple, count: batch.count).joined(separator: ", ")
            _ = try db.change(sql, batch.flatMap { $0 })
        }
    }

    /// How many rows a table holds.
    public func rowCount(of table: StoredTable) throws -> Int {
        try read { reader in
            guard let session = reader as? PGSession else { throw StoreError.failed("not a PostgreSQL session") }
            return Int(try session.db.scalar("SELECT count(*) FROM \(table.rawValue)", []) ?? 0)
        }
    }

    /// The server's version, as `15.18`.
    public var serverVersion: String {
        connection.withLock { db in
            let number = Int(db.pq.serverVersion(db.handle))
            return "\(number / 10000).\(number % 10000)"
        }
    }

    /// The schema the store lives in: the first of the connection's search_path
    /// (`options=-csearch_path%3Dhelpdesk` in the URL), created when missing. Stores opening at
    /// once wait for each other here.
    private static func schema(_ db: PGConnection) throws -> String {
        let path = try db.query("SELECT current_setting('search_path')", []) { $0.text(0) }.first ?? ""
        if let first = searchPathSchemas(path).first, first != "$user",
           try db.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = ?", [.text(first)]) == 0 {
            // Created only when missing: a role that owns its schema needs no right to create others.
            try db.execute("BEGIN")
            do {
                try db.execute("SELECT pg_advisory_xact_lock(hashtext('helpdesk.create-schema'))")
                try db.execute("CREATE SCHEMA IF NOT EXISTS " + quoted(first))
                try db.execute("COMMIT")
            } catch {
                try? db.execute("ROLLBACK")
                throw error
            }
        }
        // The server's own answer: the store goes where its tables will be found.
        guard let current = try db.query("SELECT current_schema()", [], { $0.optionalText(0) }).first ?? nil else {
            throw StoreError.failed("the connection's search_path (\(path)) names no schema to keep the store in")
        }
        return current
    }

    /// The schema names of a search_path as the server reads them: unquoted names in lower case,
    /// quoted ones as written.
    static func searchPathSchemas(_ path: String) -> [String] {
        var names: [String] = []
        var current = ""
        var quotedName = false
        var inQuotes = false
        var characters = Array(path)[...]
        while let character = characters.popFirst() {
            if inQuotes {
                if character == "\"" {
                    if characters.first == "\"" {
                        current.append("\"")
                        characters.removeFirst()
                    } else {
                        inQuotes = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                inQuotes = true
                quotedName = true
            } else if character == "," {
                names.append(current)
                current = ""
                quotedName = false
            } else if !character.isWhitespace {
                // The server folds only A to Z in a name that is not quoted.
                current += quotedName || !character.isASCII ? String(character) : character.lowercased()
            }
        }
        names.append(current)
        return names.filter { !$0.isEmpty }
    }

    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func migrate(_ db: PGConnection, schema: String) throws {
        try db.execute("BEGIN")
        do {
            // One migrator at a time per schema; the others wait here, then find it done.
            try db.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.helpdesk_schema'))")
            try db.execute("CREATE TABLE IF NOT EXISTS helpdesk_schema (version bigint NOT NULL)")
            let current = Int(try db.scalar("SELECT max(version) FROM helpdesk_schema", []) ?? 0)
            if current > PostgreSQLSchema.latest {
                throw StoreError.newerSchema(path: db.location, found: current, supported: PostgreSQLSchema.latest)
            }
            if current < PostgreSQLSchema.latest {
                for version in (current + 1)...PostgreSQLSchema.latest {
                    try db.execute(PostgreSQLSchema.migrations[version - 1])
                }
                // The schema's functions find its tables there, whatever the caller's search_path
                // (a temporary table of the caller's cannot stand in for the store's).
                for function in PostgreSQLSchema.functions {
                    try db.execute("ALTER FUNCTION \(function)() SET search_path = \(quoted(schema)), pg_catalog, pg_temp")
                }
                _ = try db.change("DELETE FROM helpdesk_schema", [])
                _ = try db.change("INSERT INTO helpdesk_schema (version) VALUES (?)", [.int(PostgreSQLSchema.latest)])
            }
            try db.execute("COMMIT")
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }
}
