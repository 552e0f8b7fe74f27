import Foundation
import HelpdeskTestSupport
@testable import SQLiteStore
import Synchronization
import Testing

/// A connection waiting for another's write lock looks again every millisecond, so it gets the
/// lock as soon as the other lets go, even after waiting a while — not up to 100 ms later, as
/// SQLite's own timeout does once it has waited a few hundred.
@Suite struct BusyWaitTests {
    let folder = TemporaryDirectory("hd-busy")

    @Test func aWriterWaitingGetsTheLockWithinMillisecondsOfItsRelease() throws {
        let path = folder.file("w.db")
        let holder = try SQLiteConnection(path: path)
        try holder.execute("PRAGMA journal_mode = WAL; CREATE TABLE t (a INTEGER)")
        for round in 0..<3 {
            try holder.execute("BEGIN IMMEDIATE")
            let finished = Mutex<ContinuousClock.Instant?>(nil)
            let failure = Mutex<String?>(nil)
            let waiter = Thread {
                do {
                    let other = try SQLiteConnection(path: path)
                    try other.run("INSERT INTO t (a) VALUES (?)", [.integer(Int64(round))])
                    finished.withLock { $0 = .now }
                } catch {
                    failure.withLock { $0 = "\(error)" }
                }
            }
            waiter.start()
            // SQLite's own timeout would, by now, look only every 100 ms (at 428 and 528 ms).
            Thread.sleep(forTimeInterval: 0.45)
            try holder.execute("COMMIT")
            let released = ContinuousClock.now
            #expect(eventuallyBlocking(15) { finished.withLock { $0 } != nil || failure.withLock { $0 } != nil })
            #expect(failure.withLock { $0 } == nil)
            let took = try #require(finished.withLock { $0 }) - released
            #expect(took < .milliseconds(40), "round \(round): \(took) after the lock was let go")
        }
        #expect(try holder.scalar("SELECT count(*) FROM t") == 3)
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
        #expect(BusyWait.poll <= .milliseconds(1))
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
