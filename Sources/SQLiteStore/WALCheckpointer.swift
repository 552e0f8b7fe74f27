import CSQLite
import Foundation

/// Copies the store's write-ahead log back into the database file on a thread of its own, so a
/// commit does not wait for it. The writing connection's hook asks for a checkpoint once the log
/// holds `Thresholds.background` pages, and runs one itself only from `Thresholds.inline` on
/// (a checkpoint that cannot keep up), as SQLite's own automatic checkpoint would at 1,000.
/// The checkpoints are passive: they copy what no reader still needs and never wait.
final class WALCheckpointer: @unchecked Sendable {
    /// Log sizes, in pages, at which a checkpoint is asked for and at which the writer runs one.
    struct Thresholds: Sendable {
        var background: Int32
        var inline: Int32

        static let standard = Thresholds(background: 1_000, inline: 8_000)
    }

    /// What a commit that left `frames` pages in the log does.
    enum Step: Equatable {
        case nothing, askTheThread, checkpointNow
    }

    let thresholds: Thresholds
    private let path: String
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var wanted = false
    private var stopping = false
    private var started = false
    private var finished = false
    private var completed = 0

    init(path: String, thresholds: Thresholds) {
        self.path = path
        self.thresholds = thresholds
    }

    func step(forFrames frames: Int32) -> Step {
        if frames >= thresholds.inline { return .checkpointNow }
        if frames >= thresholds.background { return .askTheThread }
        return .nothing
    }

    /// Replaces SQLite's automatic checkpoint on `connection` with this one. The connection must
    /// be detached (`detach`) before this object goes.
    func attach(to connection: SQLiteConnection) {
        sqlite3_wal_hook(connection.handle, { context, db, name, frames in
            guard let context else { return SQLITE_OK }
            let checkpointer = Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue()
            switch checkpointer.step(forFrames: frames) {
            case .nothing: break
            case .askTheThread: checkpointer.ask()
            case .checkpointNow: sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            }
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    func detach(from connection: SQLiteConnection) {
        sqlite3_wal_hook(connection.handle, nil, nil)
    }

    /// How many checkpoints the thread has run.
    var checkpointsRun: Int {
        condition.lock()
        defer { condition.unlock() }
        return completed
    }

    /// Ends the thread and closes its connection; returns once it has.
    func stop() {
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        condition.broadcast()
        while started && !finished { condition.wait() }
    }

    /// Called on the writer's thread inside its commit: only marks the wish and wakes the thread,
    /// starting it the first time.
    private func ask() {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return }
        wanted = true
        if !started {
            started = true
            let thread = Thread { [self] in run() }
            thread.name = "helpdesk store checkpoint"
            thread.start()
        }
        condition.broadcast()
    }

    private func run() {
        var connection: SQLiteConnection?
        while waitForWish() {
            if connection == nil { connection = Self.open(path) }
            guard let connection else { continue }
            sqlite3_wal_checkpoint_v2(connection.handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            condition.lock()
            completed += 1
            condition.unlock()
        }
        connection = nil
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// A connection that has read the store once: until it has, SQLite does not know the store
    /// is in WAL mode and a checkpoint does nothing.
    private static func open(_ path: String) -> SQLiteConnection? {
        guard let connection = try? SQLiteConnection(path: path, create: false),
              (try? connection.scalar("PRAGMA schema_version")) != nil else { return nil }
        return connection
    }

    /// Waits until a checkpoint is wanted (true) or the store closes (false).
    private func waitForWish() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !wanted && !stopping { condition.wait() }
        wanted = false
        return !stopping
    }
}
