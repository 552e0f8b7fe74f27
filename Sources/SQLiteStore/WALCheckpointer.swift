import CSQLite
import Foundation
import HelpdeskCore

/// Copies the store's write-ahead log back into the database file on a thread of its own, so a
/// commit does not wait for it. The writing connection's hook asks for a checkpoint once the log
/// holds `Thresholds.background` pages, and runs one itself only from `Thresholds.inline` on
/// (a thread that cannot keep up, or cannot start), as SQLite's own automatic checkpoint would at
/// 1,000. The checkpoints are passive: they copy what no reader still needs and never wait.
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

    /// Passes a wish may take: each copies what the writer committed during the last, so the
    /// log is wholly copied (and restarted by the next writer) between two commits.
    static let passesPerWish = 8

    /// One passive checkpoint of a connection's store: SQLite's result code, the log's pages and
    /// how many of them are copied. Tests hand in a slow one.
    typealias Pass = @Sendable (_ connection: OpaquePointer) -> (code: Int32, log: Int32, copied: Int32)

    static let passive: Pass = { connection in
        var log: Int32 = 0
        var copied: Int32 = 0
        let code = sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, &log, &copied)
        return (code, log, copied)
    }

    let thresholds: Thresholds
    private let path: String
    /// The file the store opened, so the thread never checkpoints another put at its path.
    private let file: FileIdentity?
    private let startThread: DedicatedThread.Starter
    private let pass: Pass
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var wanted = false
    private var stopping = false
    private var threadAsked = false
    private var running = false
    private var finished = false
    private var completed = 0
    private var passing = false
    private var writerWaiting = false
    private var hookContext: Unmanaged<WALCheckpointer>?

    init(path: String, thresholds: Thresholds, startThread: @escaping DedicatedThread.Starter = DedicatedThread.start,
         pass: @escaping Pass = WALCheckpointer.passive) {
        self.path = path
        self.pass = pass
        self.thresholds = thresholds
        self.startThread = startThread
        file = FileIdentity(path: path)
    }

    func step(forFrames frames: Int32) -> Step {
        if frames >= thresholds.inline { return .checkpointNow }
        if frames >= thresholds.background { return .askTheThread }
        return .nothing
    }

    /// Replaces SQLite's automatic checkpoint on `connection` with this one, until `detach`.
    func attach(to connection: SQLiteConnection) {
        let context = Unmanaged.passRetained(self)
        condition.lock()
        hookContext = context
        condition.unlock()
        sqlite3_wal_hook(connection.handle, { context, db, name, frames in
            guard let context else { return SQLITE_OK }
            let checkpointer = Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue()
            switch checkpointer.step(forFrames: frames) {
            case .nothing: break
            case .askTheThread: checkpointer.ask()
            case .checkpointNow: checkpointer.checkpointAsTheWriter(db, name)
            }
            return SQLITE_OK
        }, context.toOpaque())
    }

    func detach(from connection: SQLiteConnection) {
        sqlite3_wal_hook(connection.handle, nil, nil)
        condition.lock()
        let context = hookContext
        hookContext = nil
        condition.unlock()
        context?.release()
    }

    /// Whether a commit has asked for the thread.
    var asked: Bool {
        condition.withLock { threadAsked }
    }

    /// Whether the writer is waiting for a pass of the thread's to end.
    var writerIsWaiting: Bool {
        condition.withLock { writerWaiting }
    }

    /// How many checkpoints the thread has run.
    var checkpointsRun: Int {
        condition.withLock { completed }
    }

    /// Ends the thread and closes its connection; returns once it has. A thread that was asked
    /// for and has not begun is not waited for: it finds the store closed when it does begin.
    func stop() {
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        condition.broadcast()
        while running && !finished { condition.wait() }
    }

    /// Called on the writer's thread inside its commit: only marks the wish and wakes the thread,
    /// asking for it the first time.
    private func ask() {
        let first = condition.withLock {
            guard !stopping else { return false }
            wanted = true
            condition.broadcast()
            defer { threadAsked = true }
            return !threadAsked
        }
        if first { startThread("hd-checkpoint") { [self] in run() } }
    }

    private func run() {
        // Begun after the store closed, it finds no wish to wait for and ends.
        condition.withLock { running = true }
        var connection: SQLiteConnection?
        while waitForWish() {
            if connection == nil { connection = open() }
            guard let connection else { continue }
            checkpoint(connection)
            condition.withLock { completed += 1 }
        }
        connection = nil
        condition.withLock {
            finished = true
            condition.broadcast()
        }
    }

    /// Passive checkpoints until the log is wholly copied, a pass copies nothing new (a reader
    /// still needs the rest), the passes run out or the writer is waiting to checkpoint itself.
    private func checkpoint(_ connection: SQLiteConnection) {
        var copiedBefore: Int32 = -1
        for _ in 0..<Self.passesPerWish {
            condition.lock()
            guard !writerWaiting else {
                condition.unlock()
                return
            }
            passing = true
            condition.unlock()
            let result = pass(connection.handle)
            condition.withLock {
                passing = false
                condition.broadcast()
            }
            guard result.code == SQLITE_OK, result.copied < result.log, result.copied > copiedBefore else { return }
            copiedBefore = result.copied
        }
    }

    /// The writer's checkpoint past the inline size. A pass of the thread's holds SQLite's
    /// checkpoint lock, and the writer's passive checkpoint would then copy nothing: with slow
    /// syncs the log would grow on, so the writer waits for that pass to end, then copies the rest.
    private func checkpointAsTheWriter(_ db: OpaquePointer?, _ name: UnsafePointer<CChar>?) {
        condition.lock()
        writerWaiting = true
        while passing { condition.wait() }
        condition.unlock()
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        condition.lock()
        writerWaiting = false
        condition.unlock()
    }

    /// The thread's connection, on the file the store opened: it has read the store once (until
    /// then SQLite does not know the store is in WAL mode, and a checkpoint does nothing), and
    /// syncs as the store's own connection does. Nil when the path now names another file.
    private func open() -> SQLiteConnection? {
        guard let file, let connection = try? SQLiteConnection(path: path, create: false),
              FileIdentity(path: path) == file else { return nil }
        connection.waitWhenBusy(upTo: .seconds(1))
        guard (try? connection.execute("PRAGMA synchronous = FULL")) != nil,
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

/// A file's device and inode, to tell whether a path still names the file once opened.
struct FileIdentity: Equatable {
    let device: UInt64
    let inode: UInt64

    init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }
}
