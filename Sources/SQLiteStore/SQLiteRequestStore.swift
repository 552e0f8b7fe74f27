import CSQLite
import Foundation
import HelpdeskCore
import StoreSQL
import Synchronization

/// The request store on one SQLite file, shared by every console and command on the host.
/// WAL mode lets readers run beside a writer; writers queue behind a busy timeout; the schema's
/// triggers keep timelines append-only and decided approvals final.
public final class SQLiteRequestStore: RequestStore {
    public let location: String
    private let connection: Mutex<SQLiteConnection>
    /// Copies the log back into the file beside the writer; nil for a store in memory.
    let checkpointer: WALCheckpointer?

    /// Opens the store at `path`, creating the file and its folder when missing and migrating
    /// an older schema. Refuses, untouched, a file that is not a store or is from a newer build.
    public convenience init(path: String) throws(StoreError) {
        try self.init(path: path, migratingTo: Schema.latest)
    }

    /// Opens and migrates only up to `version` (tests build older stores with it), checkpointing
    /// the log at `checkpoints` on a thread `startThread` starts, by `checkpointPass`.
    init(path: String, migratingTo version: Int, checkpoints: WALCheckpointer.Thresholds = .standard,
         startThread: @escaping DedicatedThread.Starter = DedicatedThread.start,
         checkpointPass: @escaping WALCheckpointer.Pass = WALCheckpointer.passive) throws(StoreError) {
        if let problem = Self.libraryProblem(versionNumber: Int(sqlite3_libversion_number()), version: Self.libraryVersion) {
            throw .cannotOpen(path: path, reason: problem)
        }
        location = path
        try Self.requireFileOrNothing(at: path)
        try Self.createFolder(for: path)
        Self.createFile(at: path)
        let db = try SQLiteConnection(path: path)
        // Made at once, so it knows the file this connection opened.
        checkpointer = path == ":memory:" ? nil : WALCheckpointer(path: path, thresholds: checkpoints, startThread: startThread, pass: checkpointPass)
        try Self.prepareWhenFree(db, migratingTo: version)
        checkpointer?.attach(to: db)
        connection = Mutex(db)
    }

    deinit {
        guard let checkpointer else { return }
        connection.withLock { checkpointer.detach(from: $0) }
        checkpointer.stop()
    }

    public func read<T>(_ body: (any StoreReader) throws -> T) throws -> T {
        try connection.withLock { db in
            try db.execute("BEGIN")
            do {
                let result = try body(Session(db: db))
                try db.execute("COMMIT")
                return result
            } catch {
                try? db.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// The read stops at SQLite's next look at its task (`SQLiteConnection.stopsWhenTaskCancelled`),
    /// or before it begins when the task was cancelled while it waited for the connection. (Its
    /// transaction is written out beside `read`'s: the mutex's closure must hand back a value
    /// free of the body's region, which a shared helper taking the body cannot.)
    public func readUnlessCancelled<T>(_ body: (any StoreReader) throws -> T) throws -> T {
        do {
            return try connection.withLock { db in
                try Task.checkCancellation()
                try db.execute("BEGIN")
                do {
                    db.stopsWhenTaskCancelled(true)
                    let result = try body(Session(db: db))
                    db.stopsWhenTaskCancelled(false)
                    try db.execute("COMMIT")
                    return result
                } catch {
                    db.stopsWhenTaskCancelled(false)
                    try? db.execute("ROLLBACK")
                    throw error
                }
            }
        } catch where Task.isCancelled {
            throw CancellationError()
        }
    }

    public func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T {
        try connection.withLock { db in
            try db.execute("BEGIN IMMEDIATE")
            do {
                let session = Session(db: db)
                let result = try body(session)
                try session.indexNewRequests()
                try db.execute("COMMIT")
                return result
            } catch {
                try? db.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// `PRAGMA data_version`: changes when another connection commits.
    public func changeToken() throws -> Int64 {
        try connection.withLock { db in try db.scalar("PRAGMA data_version") ?? 0 }
    }

    /// The schema version of the open file.
    public func schemaVersion() throws -> Int {
        try connection.withLock { db in Int(try db.scalar("PRAGMA user_version") ?? 0) }
    }

    /// Up to `limit` rows of a table after the row `after` (by rowid), as stored, for a copy to
    /// another engine; the last element is each row's rowid, to go on from.
    public func rows(of table: StoredTable, after: Int64, limit: Int) throws -> [(rowID: Int64, values: [SQLValue])] {
        let columns = table.columns
        return try connection.withLock { db in
            try db.query("SELECT rowid, \(columns.joined(separator: ", ")) FROM \(table.rawValue) WHERE rowid > ? ORDER BY rowid LIMIT ?",
                         [.integer(after), .int(limit)]) { row in
                (row.int64(0), (1...Int32(columns.count)).map { row.statement.value($0) })
            }
        }
    }

    /// How many rows a table holds.
    public func rowCount(of table: StoredTable) throws -> Int {
        try connection.withLock { db in Int(try db.scalar("SELECT count(*) FROM \(table.rawValue)") ?? 0) }
    }

    /// The SQLite library's version.
    public static var libraryVersion: String { String(cString: sqlite3_libversion()) }

    /// The oldest SQLite the store's statements run on: `RETURNING` (3.35) writes an import
    /// batch; generated columns (3.31) are in the schema.
    static let minimumLibraryVersion = 3_035_000

    /// Why the SQLite library cannot hold the store, or nil when it can.
    static func libraryProblem(versionNumber: Int, version: String) -> String? {
        guard versionNumber < minimumLibraryVersion else { return nil }
        return "helpdesk needs SQLite 3.35 or newer and this system's library is \(version); install a newer libsqlite3"
    }

    /// The newest schema this build writes.
    public static var latestSchemaVersion: Int { Schema.latest }

    /// A store is a regular file (or a link to one), or nothing yet. SQLite would take a device or
    /// a pipe and fail on it with "disk I/O error" — after writing a journal beside it, which for
    /// `/dev/null` is a file anyone may write in `/dev`.
    private static func requireFileOrNothing(at path: String) throws(StoreError) {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR:
            throw .cannotOpen(path: path, reason: "it is a folder, not a store file; name a file in it, such as \((path as NSString).appendingPathComponent("helpdesk.db"))")
        default:
            throw .cannotOpen(path: path, reason: "it is not a file but a device, a pipe or a socket; name a store file")
        }
    }

    private static func createFolder(for path: String) throws(StoreError) {
        // A URI (`file:…?mode=ro`) names a file SQLite opens as it is; its text is no folder.
        guard path != ":memory:", !path.hasPrefix("file:") else { return }
        let folder = (path as NSString).deletingLastPathComponent
        guard !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) else { return }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .cannotOpen(path: path, reason: "could not create the folder \(folder): \(error.localizedDescription)")
        }
    }

    /// Creates a missing store file with mode 0666 less the umask, so a shared store (umask 007,
    /// a set-group-id folder) is writable by its group; SQLite alone would use 0644. The WAL and
    /// shared-memory files take the store file's mode.
    private static func createFile(at path: String) {
        guard path != ":memory:", !path.hasPrefix("file:") else { return }
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o666)
        if descriptor >= 0 { close(descriptor) }
    }

    /// `prepare`, again while another connection making the same new store holds it: two
    /// processes that find the file empty both turn on its write-ahead log, and the second's
    /// change of journal is refused at once, without the wait for the lock a write has
    /// (SQLite's answer when waiting could deadlock). Every step of `prepare` may be run again.
    private static func prepareWhenFree(_ db: SQLiteConnection, migratingTo target: Int) throws(StoreError) {
        let deadline = ContinuousClock.now + SQLiteConnection.busyTimeout
        while true {
            do {
                return try prepare(db, migratingTo: target)
            } catch .busy(let path) {
                guard ContinuousClock.now < deadline else { throw .busy(path: path) }
                usleep(useconds_t.random(in: 2_000...10_000))
            }
        }
    }

    /// Checks the version before anything writes, then sets the journal and migrates.
    private static func prepare(_ db: SQLiteConnection, migratingTo target: Int) throws(StoreError) {
        let found = Int(try db.scalar("PRAGMA user_version") ?? 0)
        if found > Schema.latest {
            throw .newerSchema(path: db.path, found: found, supported: Schema.latest)
        }
        if db.isReadOnly { throw .readOnly(path: db.path) }
        try db.execute("PRAGMA foreign_keys = ON")
        if db.path != ":memory:" {
            try db.execute("PRAGMA journal_mode = WAL")
        }
        try db.execute("PRAGMA synchronous = FULL")
        // A log that grew during a long import is cut back to this when it restarts.
        try db.execute("PRAGMA journal_size_limit = \(64 << 20)")
        // Statement journals and the search's one-row index copy stay in memory instead of temporary files.
        try db.execute("PRAGMA temp_store = MEMORY")
        if found < target { try migrate(db, to: target) }
        mergeTheWordIndexEightAtATime(db)
        if target >= 5 { try indexRequestsMissingFromTheIndex(db) }
    }

    /// The word index merges its segments eight at a time, not FTS5's four (DECISIONS.md). A
    /// setting kept in the index, written at an open rather than as a schema step, so a store
    /// stays readable by the build before; it is only speed, so an open never waits for it: when
    /// another connection holds the write lock, a later open writes it.
    private static func mergeTheWordIndexEightAtATime(_ db: SQLiteConnection) {
        guard (try? db.scalar("SELECT v FROM requests_fts_config WHERE k = 'automerge'")) != 8 else { return }
        db.waitWhenBusy(upTo: .zero)
        defer { db.waitWhenBusy(upTo: SQLiteConnection.busyTimeout) }
        try? db.execute("INSERT INTO requests_fts (requests_fts, rank) VALUES ('automerge', 8)")
    }

    /// Since schema 5 the store indexes new requests itself; a writer of an older build still
    /// running when the store was migrated would leave its requests out of the word index (it
    /// still writes their gram rows). The newest request tells (one look-up each); the missing
    /// ones are indexed.
    private static func indexRequestsMissingFromTheIndex(_ db: SQLiteConnection) throws(StoreError) {
        let newest = try db.scalar("SELECT max(id) FROM requests") ?? 0
        let newestIndexed = try db.scalar("SELECT max(id) FROM requests_fts_docsize") ?? 0
        guard newest != newestIndexed else { return }
        try db.execute("BEGIN IMMEDIATE")
        do throws(StoreError) {
            let missing = "SELECT id FROM requests WHERE id > ? AND id NOT IN (SELECT id FROM requests_fts_docsize WHERE id > ?)"
            try db.run("INSERT INTO requests_fts (rowid, subject, body, requester) SELECT id, subject, body, requester FROM requests WHERE id IN (\(missing))",
                       [.integer(newestIndexed), .integer(newestIndexed)])
            try db.execute("COMMIT")
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }

    /// Indexes the requests written before the gram index existed (only those that need it),
    /// one row at a time so a large store is not held in memory.
    private static func fillGrams(_ db: SQLiteConnection) throws(StoreError) {
        let rows = try db.prepare("SELECT id, subject || ' ' || body || ' ' || requester FROM requests WHERE (subject || body || requester) GLOB '*[^ -~]*'")
        defer { rows.reset() }
        while try rows.step() {
            let text = rows.text(1)
            guard GramText.needsGrams(text) else { continue }
            try db.run("INSERT INTO requests_grams (rowid, grams) VALUES (?, ?)", [.integer(rows.int64(0)), .text(GramText.indexText(text))])
        }
    }

    private static func migrate(_ db: SQLiteConnection, to target: Int) throws(StoreError) {
        try db.execute("BEGIN IMMEDIATE")
        do throws(StoreError) {
            // Another process may have migrated while this one waited for the lock.
            let current = Int(try db.scalar("PRAGMA user_version") ?? 0)
            if current > Schema.latest {
                throw .newerSchema(path: db.path, found: current, supported: Schema.latest)
            }
            if current < target {
                for version in (current + 1)...target {
                    try db.execute(Schema.migrations[version - 1])
                    if version == 4 { try fillGrams(db) }
                    try db.execute("PRAGMA user_version = \(version)")
                }
            }
            try db.execute("COMMIT")
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }
}
