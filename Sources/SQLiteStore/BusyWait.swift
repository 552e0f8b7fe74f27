import CSQLite
import Foundation

/// How a connection waits for another connection's write lock: it looks again every millisecond
/// until `limit` has passed. SQLite's own busy timeout sleeps longer and longer between looks (up
/// to 100 ms), so beside a writer that lets go for a millisecond between transactions — an import
/// in another process — it almost never looked in the gap and waited out its whole timeout.
final class BusyWait {
    /// The time between looks, in microseconds.
    static let poll: useconds_t = 1_000

    private let limit: Duration
    private let clock: () -> ContinuousClock.Instant
    private var since: ContinuousClock.Instant?
    /// Times SQLite has found the lock taken since this wait was installed.
    private(set) var looks = 0

    init(limit: Duration, clock: @escaping () -> ContinuousClock.Instant = { .now }) {
        self.limit = limit
        self.clock = clock
    }

    /// Whether to look again, after waiting `poll` microseconds: called each time SQLite finds the lock taken,
    /// `attempt` counting from 0 for each statement that waits.
    func shouldRetry(attempt: Int32) -> Bool {
        let now = clock()
        looks += 1
        if attempt == 0 { since = now }
        guard let since, now - since < limit else { return false }
        return true
    }

    /// Installs this wait on `handle`, which holds it unretained: its connection keeps it.
    func install(on handle: OpaquePointer) {
        sqlite3_busy_handler(handle, { context, attempt in
            guard let context else { return 0 }
            let wait = Unmanaged<BusyWait>.fromOpaque(context).takeUnretainedValue()
            guard wait.shouldRetry(attempt: attempt) else { return 0 }
            usleep(BusyWait.poll)
            return 1
        }, Unmanaged.passUnretained(self).toOpaque())
    }
}
