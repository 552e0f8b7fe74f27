import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import SQLiteStore
import Synchronization
import Testing

/// A read nobody wants any more stops: while it runs, SQLite looks at the read's task and stops
/// the statement running once the task is cancelled, so a superseded search frees the store's
/// connection for the one that replaced it. Writes, and plain reads, run to their end.
@Suite struct CancelledReadTests {
    let folder = TemporaryDirectory("hd-cancelled-read")

    /// Counts to ten million in SQL: about three seconds' work.
    static let longCount = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000000) SELECT count(*) FROM c"
    /// A hundred thousand: a few hundredths of a second.
    static let shortCount = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) SELECT count(*) FROM c"

    /// A flag one task raises and another waits for.
    final class Flag: Sendable {
        private let raised = Mutex(false)
        func raise() { raised.withLock { $0 = true } }
        func wait() async { while !raised.withLock({ $0 }) { try? await Task.sleep(nanoseconds: 1_000_000) } }
    }

    @Test func aReadCancelledMidStatementStopsWithCancellation() async throws {
        let store = try SQLiteRequestStore(path: folder.file("s.db"))
        // The cancel comes from a thread of its own: the suite's other tests may hold every
        // thread of the task pool, and the count would then run its three seconds.
        let started = DispatchSemaphore(value: 0)
        let read = Task {
            try store.readUnlessCancelled { reader in
                started.signal()
                return try (reader as! Session).db.scalar(Self.longCount)
            }
        }
        Thread.detachNewThread {
            started.wait()
            usleep(10_000)
            read.cancel()
        }
        let outcome = await read.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        // The store goes on: the read's transaction ended and SQLite no longer stops statements.
        #expect(try store.read { try ($0 as! Session).db.scalar(Self.shortCount) } == 100_000)
        #expect(try store.create(Fixtures.newRequest("After"), by: "intake", at: Date()).subject == "After")
    }

    /// A search checks rows of other scripts with a one-row copy of the word index (a table of its
    /// own, written and emptied for each row): stopped at any point of that, the next search
    /// still finds what it should.
    @Test func searchesStoppedAtAnyMomentLeaveTheNextOneWorking() async throws {
        let store = try SQLiteRequestStore(path: folder.file("s.db"))
        try store.write { writer in
            for index in 0..<400 {
                _ = try writer.create(Fixtures.newRequest("メールにログインできません \(index)", requester: "user\(index)@example.com"), by: "intake", at: Date())
            }
        }
        let query = QueueQuery(filter: QueueFilter(text: "user"), limit: 50)
        let expected = try store.read { try $0.queue(query) }.requests.map(\.id)
        #expect(expected.count == 50)
        // The searches and the checks hold their threads while SQLite works: they run off the
        // task pool, which the suite's other tests need to keep time.
        let executor = OwnThreadExecutor()
        var stopped = 0
        for round in 0..<60 {
            let search = Task(executorPreference: executor) { try store.readUnlessCancelled { try $0.queue(query) } }
            try await Task.sleep(nanoseconds: UInt64(round % 20) * 100_000)
            search.cancel()
            if case .failure = await search.result { stopped += 1 }
            let after = try await offPool { try store.read { try $0.queue(query) }.requests.map(\.id) }
            #expect(after == expected, "after round \(round)")
        }
        #expect(stopped > 0, "some searches were stopped midway")
    }

    /// Runs tasks on a dispatch queue of its own instead of the task pool.
    final class OwnThreadExecutor: TaskExecutor {
        private let queue = DispatchQueue(label: "cancelled-read-tests")
        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            let executor = asUnownedTaskExecutor()
            queue.async { job.runSynchronously(on: executor) }
        }
    }

    @Test func aReadCancelledBeforeItBeginsDoesNotRun() async throws {
        let store = try SQLiteRequestStore(path: folder.file("s.db"))
        let ran = Mutex(false)
        let go = Flag()
        let read = Task {
            await go.wait()
            return try store.readUnlessCancelled { _ in ran.withLock { $0 = true } }
        }
        read.cancel()
        go.raise()
        await #expect(throws: CancellationError.self) { try await read.value }
        #expect(!ran.withLock { $0 })
    }

    @Test func writesAndPlainReadsInACancelledTaskRunToTheirEnd() async throws {
        let store = try SQLiteRequestStore(path: folder.file("s.db"))
        let go = Flag()
        let work = Task {
            await go.wait()
            let written = try store.write { writer in
                _ = try (writer as! Session).db.scalar(Self.shortCount)
                return try writer.create(Fixtures.newRequest("Written while cancelled"), by: "intake", at: Date())
            }
            let read = try store.read { try ($0 as! Session).db.scalar(Self.shortCount) }
            return (written, read)
        }
        work.cancel()
        go.raise()
        let (written, read) = try await work.value
        #expect(try store.existingRequest(written.id).subject == "Written while cancelled")
        #expect(read == 100_000)
    }
}
