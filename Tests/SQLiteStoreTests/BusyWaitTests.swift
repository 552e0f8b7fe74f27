import Foundation
import HelpdeskTestSupport
@testable import SQLiteStore
import Synchronization
import Testing

/// A connection waiting for another's write lock looks again every millisecond, so it gets the
/// lock soon after the other lets go, even after waiting a while — SQLite's own timeout, once it
/// has waited a few hundred milliseconds, looks only every 100 ms.
@Suite struct BusyWaitTests {
    let folder = TemporaryDirectory("hd-busy")

    @Test func aWriterWaitingLooksAgainEveryMillisecondAndWritesOnceTheLockIsLetGo() throws {
        let path = folder.file("w.db")
        let holder = try SQLiteConnection(path: path)
        try holder.execute("PRAGMA journal_mode = WAL; CREATE TABLE t (a INTEGER)")
        try holder.execute("BEGIN IMMEDIATE")
        let outcome = Mutex<(looks: Int, failure: String?)?>(nil)
        let waiter = Thread {
            do {
                let other = try SQLiteConnection(path: path)
                try other.run("INSERT INTO t (a) VALUES (1)")
                outcome.withLock { $0 = (other.busyWait?.looks ?? 0, nil) }
            } catch {
                outcome.withLock { $0 = (0, "\(error)") }
            }
        }
        waiter.start()
        // A second of looks: about a thousand every millisecond, twenty as SQLite's own would.
        Thread.sleep(forTimeInterval: 1)
        #expect(outcome.withLock { $0 } == nil, "the write went in while the lock was held")
        try holder.execute("COMMIT")
        #expect(eventuallyBlocking(15) { outcome.withLock { $0 } != nil })
        let (looks, failure) = try #require(outcome.withLock { $0 })
        #expect(failure == nil)
        #expect(looks >= 200, "\(looks) looks in a second")
        #expect(try holder.scalar("SELECT count(*) FROM t") == 1)
    }

    @Test func aWaitGivesUpOnceItsLimitHasPassed() {
        let now = Mutex(ContinuousClock.now)
        let wait = BusyWait(limit: .seconds(10)) { now.withLock { $0 } }
        #expect(wait.shouldRetry(attempt: 0))
        now.withLock { $0 += .seconds(9) }
        #expect(wait.shouldRetry(attempt: 9_000))
        now.withLock { $0 += .seconds(1) }
        #expect(!wait.shouldRetry(attempt: 10_000))
        // A new statement's wait starts again.
        #expect(wait.shouldRetry(attempt: 0))
        #expect(!BusyWait(limit: .zero).shouldRetry(attempt: 0))
        #expect(BusyWait.poll <= 1_000)
    }
}

/// Polls `condition` on this thread until it holds or `seconds` pass, then looks once more.
private func eventuallyBlocking(_ seconds: Double, _ condition: () -> Bool) -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.001)
    }
    return condition()
}
