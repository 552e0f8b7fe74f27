import CSQLite
import Foundation
import HelpdeskCore
import StoreSQL

/// One open SQLite database handle with a cache of prepared statements. Not thread-safe:
/// `SQLiteRequestStore` owns it behind a mutex.
final class SQLiteConnection: RecordDatabase {
    let handle: OpaquePointer
    let path: String
    private var statements: [String: Statement] = [:]
    /// The busy handler's state; SQLite holds it unretained, so the connection keeps it.
    private(set) var busyWait: BusyWait?

    /// Opens (creating if missing) the database at `path`. A file that is not SQLite is refused by
    /// SQLite itself on the first read, before anything writes. (The file is never opened any other
    /// way: closing a second descriptor on it would drop the locks this process holds through
    /// SQLite, and another process could then take the WAL from under a writer.)
    init(path: String, create: Bool = true) throws(StoreError) {
        self.path = path
        Self.configureLibrary
        var pointer: OpaquePointer?
        var flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
        if create { flags |= SQLITE_OPEN_CREATE }
        let code = sqlite3_open_v2(path, &pointer, flags, nil)
        guard code == SQLITE_OK, let pointer else {
            let reason = pointer.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            if let pointer { sqlite3_close_v2(pointer) }
            throw Self.openError(path: path, code: code, reason: reason)
        }
        handle = pointer
        sqlite3_extended_result_codes(handle, 1)
        waitWhenBusy(upTo: Self.busyTimeout)
    }

    /// Waits up to `limit` for another connection's write lock, looking again every millisecond.
    func waitWhenBusy(upTo limit: Duration) {
        let wait = BusyWait(limit: limit)
        wait.install(on: handle)
        busyWait = wait
    }

    /// While on, SQLite looks at the current task every `stepsBetweenLooks` steps of a statement
    /// and stops the statement (`SQLITE_INTERRUPT`) once the task is cancelled. Only for reads: a
    /// write stopped midway would roll back what its caller may already have done outside the store.
    func stopsWhenTaskCancelled(_ stops: Bool) {
        stopsWhenCancelled = stops
        guard stops else { return sqlite3_progress_handler(handle, 0, nil, nil) }
        sqlite3_progress_handler(handle, Self.stepsBetweenLooks, { _ in
            withUnsafeCurrentTask { $0?.isCancelled ?? false } ? 1 : 0
        }, nil)
    }

    /// Whether statements stop now when their task is cancelled.
    private(set) var stopsWhenCancelled = false

    /// Runs `work` to its end even in a read that stops when cancelled: what a read writes for
    /// itself (a scratch table) and cleans up afterwards must not be stopped halfway.
    func uninterrupted<T>(_ work: () throws -> T) rethrows -> T {
        guard stopsWhenCancelled else { return try work() }
        stopsWhenTaskCancelled(false)
        defer { stopsWhenTaskCancelled(true) }
        return try work()
    }

    /// How many of a statement's steps SQLite takes between looks at the task.
    static let stepsBetweenLooks: Int32 = 1_000

    /// Turns off SQLite's counting of the memory it holds, once, before the first connection opens
    /// (SQLite refuses the setting later, harmlessly). The counting takes a process-wide mutex on
    /// every allocation SQLite makes; nothing here reads the counts.
    private static let configureLibrary: Void = { _ = helpdesk_sqlite_keep_no_memory_statistics() }()

    /// How long a statement waits for another connection's lock before it gives up.
    static let busyTimeout: Duration = .seconds(10)

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Whether SQLite opened the file without write access.
    var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    /// Runs one or more statements with no results.
    func execute(_ sql: String) throws(StoreError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? errorMessage
            sqlite3_free(message)
            throw error(code: code, message: text)
        }
    }

    /// A cached prepared statement, reset and ready to bind.
    func prepare(_ sql: String) throws(StoreError) -> Statement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        var pointer: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard code == SQLITE_OK, let pointer else { throw error(code: code, message: errorMessage) }
        let statement = Statement(handle: pointer, connection: self)
        statements[sql] = statement
        return statement
    }

    /// Runs a statement that returns no rows.
    func run(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) {
        let statement = try prepare(sql)
        try statement.bind(values)
        while try statement.step() {}
    }

    /// Runs a query and maps every row. A query left part-read keeps its snapshot of the store
    /// open (the connection would go on seeing the store as it was, and could not write), so the
    /// statement is reset however the reading ends.
    func query<T>(_ sql: String, _ values: [SQLValue] = [], _ map: (Row) throws -> T) throws -> [T] {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(values)
        var rows: [T] = []
        while try statement.step() {
            rows.append(try map(Row(statement: statement)))
        }
        return rows
    }

    /// Like `query`, but stops stepping once `enough` says so of the row just read.
    func query<T>(_ sql: String, _ values: [SQLValue] = [], until enough: (T) -> Bool, _ map: (Row) throws -> T) throws -> [T] {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(values)
        var rows: [T] = []
        while try statement.step() {
            let row = try map(Row(statement: statement))
            rows.append(row)
            if enough(row) { break }
        }
        return rows
    }

    /// The first column of the first row, as an integer.
    func scalar(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) -> Int64? {
        let statement = try prepare(sql)
        try statement.bind(values)
        guard try statement.step() else { return nil }
        defer { statement.reset() }
        return statement.isNull(0) ? nil : statement.int64(0)
    }

    func change(_ sql: String, _ values: [SQLValue]) throws -> Int {
        try run(sql, values)
        return changes
    }

    func insert(_ sql: String, _ values: [SQLValue]) throws -> Int64 {
        try run(sql, values)
        return lastInsertRowID
    }

    /// The one writer already holds the database's write lock: events are appended in commit order.
    func lockTimelineForAppend() {}

    let dialect = SQLDialect(
        greatest: { "max(\($0), \($1))" }, jsonField: { "json_extract(\($0), '$.\($1)')" }, approverOrder: "rowid",
        wellFormedDetails: "json_valid(e.details) AND substr(e.details, 1, 1) = '{' AND instr(e.details, char(10)) = 0 AND instr(e.details, char(13)) = 0",
        timeIndexHint: "INDEXED BY events_by_time")

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    var changes: Int { Int(sqlite3_changes(handle)) }
    var errorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    /// Maps a result code to the store's error.
    func error(code: Int32, message: String) -> StoreError {
        switch code & 0xff {
        case SQLITE_BUSY, SQLITE_LOCKED: return .busy(path: path)
        case SQLITE_READONLY: return .readOnly(path: path)
        case SQLITE_NOTADB: return .notADatabase(path: path)
        case SQLITE_CORRUPT: return .damaged(path: path)
        case SQLITE_CONSTRAINT:
            return .refused(message)
        default: return .failed("\(message) (\(path))")
        }
    }

    private static func openError(path: String, code: Int32, reason: String) -> StoreError {
        switch code & 0xff {
        case SQLITE_NOTADB: .notADatabase(path: path)
        case SQLITE_READONLY: .readOnly(path: path)
        case SQLITE_CORRUPT: .damaged(path: path)
        case SQLITE_CANTOPEN where access(path, F_OK) != 0 && errno == EACCES:
            .cannotOpen(path: path, reason: "a folder on its path is closed to this user; ask an admin to add you to the store's group")
        case SQLITE_CANTOPEN where access(path, F_OK) == 0 && access(path, R_OK) != 0:
            .cannotOpen(path: path, reason: "this user may not read it; ask an admin to add you to the store's group or fix the file's mode")
        case SQLITE_CANTOPEN:
            FileManager.default.fileExists(atPath: path)
                ? .readOnly(path: path)
                : .cannotOpen(path: path, reason: "the folder is not writable or the path is not a file (\(reason))")
        default: .cannotOpen(path: path, reason: reason)
        }
    }
}
