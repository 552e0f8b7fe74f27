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
    public init(url: String, password: String? = nil) throws(StoreError) {
        let location = Self.displayed(url)
        self.location = location
        let db = try PGConnection(url: url, password: password, location: location)
        do {
            try db.execute("SET idle_in_transaction_session_timeout = '60s'")
            let schema = try db.query("SELECT current_schema()", []) { $0.text(0) }.first ?? "public"
            channel = "helpdesk_" + schema
            try Self.migrate(db)
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

    /// The URL without a password, for messages.
    public static func displayed(_ url: String) -> String {
        guard var parts = URLComponents(string: url) else { return "the PostgreSQL store" }
        parts.password = nil
        return parts.string ?? "the PostgreSQL store"
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
        guard failure.isRetryable || failure.isConnectionLost, attempt < Self.attempts else { throw failure.storeError(location: location) }
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

    /// The server's version, as `15.18`.
    public var serverVersion: String {
        connection.withLock { db in
            let number = Int(PQserverVersion(db.handle))
            return "\(number / 10000).\(number % 10000)"
        }
    }

    private static func migrate(_ db: PGConnection) throws {
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
