import CSQLite
import Foundation
import Synchronization
import HelpdeskCore
import HelpdeskTestSupport
@testable import SQLiteStore
import Testing

/// The log is copied back into the database file by a thread of the store's own, and by the
/// writer only when that thread falls far behind.
@Suite struct CheckpointTests {
    let folder = TemporaryDirectory()

    @Test func aCommitLeavesTheLogToTheCheckpointThread() async throws {
        let path = folder.file("background.db")
        let store = try SQLiteRequestStore(path: path, migratingTo: Schema.latest, checkpoints: .init(background: 50, inline: 1_000_000))
        try Self.write(requests: 200, to: store)
        let checkpointer = try #require(store.checkpointer)
        #expect(await eventually { checkpointer.checkpointsRun >= 1 })
        #expect(try rowsInTheFileAlone(path) == 200)
    }

    @Test func aLogTheThreadHasNotCopiedIsCopiedByTheWriterPastTheInlineSize() throws {
        let path = folder.file("inline.db")
        let store = try SQLiteRequestStore(path: path, migratingTo: Schema.latest, checkpoints: .init(background: 1_000_000, inline: 50))
        try Self.write(requests: 200, to: store)
        #expect(try rowsInTheFileAlone(path) == 200)
        #expect(store.checkpointer?.checkpointsRun == 0)
    }

    @Test func aSmallCommitAsksForNoCheckpoint() async throws {
        let path = folder.file("small.db")
        let store = try SQLiteRequestStore(path: path)
        try Self.write(requests: 20, to: store)
        try await Task.sleep(nanoseconds: 100_000_000)
        #expect(store.checkpointer?.checkpointsRun == 0)
        #expect(try rowsInTheFileAlone(path) == 0)
    }

    @Test func closingTheStoreEndsTheThreadAndRemovesTheLog() async throws {
        let path = folder.file("closing.db")
        do {
            let store = try SQLiteRequestStore(path: path, migratingTo: Schema.latest, checkpoints: .init(background: 50, inline: 1_000_000))
            try Self.write(requests: 200, to: store)
            let checkpointer = try #require(store.checkpointer)
            #expect(await eventually { checkpointer.checkpointsRun >= 1 })
        }
        // The last connection to close copies the log and removes it; one left open keeps it.
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(try rowsInTheFileAlone(path) == 200)
    }

    @Test func aThreadThatNeverStartsLeavesTheLogToTheWriterAndTheStoreStillCloses() async throws {
        let path = folder.file("never.db")
        let closed = Mutex(false)
        DedicatedThread.start("test store") {
            do {
                let store = try SQLiteRequestStore(path: path, migratingTo: Schema.latest, checkpoints: .init(background: 20, inline: 300),
                                                   startThread: { _, _ in })
                try Self.write(requests: 30, to: store)
                #expect(store.checkpointer?.asked == true)
                try Self.write(requests: 300, to: store, from: 30)
            } catch {
                Issue.record("\(error)")
            }
            closed.withLock { $0 = true }
        }
        #expect(await eventually { closed.withLock { $0 } })
        #expect(try rowsInTheFileAlone(path) == 330)
    }

    @Test func aThreadThatStartsAfterTheStoreClosedEndsAtOnce() throws {
        let path = folder.file("late.db")
        let late = Mutex<(@Sendable () -> Void)?>(nil)
        do {
            let store = try SQLiteRequestStore(path: path, migratingTo: Schema.latest, checkpoints: .init(background: 50, inline: 1_000_000),
                                               startThread: { _, work in late.withLock { $0 = work } })
            try Self.write(requests: 200, to: store)
        }
        let work = try #require(late.withLock { $0 })
        work()
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func theThreadNeverCheckpointsAnotherFilePutAtThePath() async throws {
        let link = folder.file("link.db")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: folder.file("first.db"))
        let store = try SQLiteRequestStore(path: link, migratingTo: Schema.latest, checkpoints: .init(background: 50, inline: 1_000_000))
        _ = try SQLiteRequestStore(path: folder.file("second.db"))
        try FileManager.default.removeItem(atPath: link)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: folder.file("second.db"))
        try Self.write(requests: 200, to: store)
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(store.checkpointer?.checkpointsRun == 0)
    }

    @Test func theWriterPastTheInlineSizeWaitsForTheThreadsPassThenCopiesTheRest() async throws {
        let path = folder.file("slow-pass.db")
        let state = Mutex((passBegan: false, passReleased: false, passes: Int32(0), passesWhileTheWriterWaited: 0, written: false, mayClose: false))
        let checkpointer = Mutex<WALCheckpointer?>(nil)
        // Each pass says it copied more and left some, so the thread would go on passing.
        let slowPass: WALCheckpointer.Pass = { connection in
            let writerWaits = checkpointer.withLock { $0 }?.writerIsWaiting ?? false
            let passes = state.withLock { state in
                state.passBegan = true
                state.passes += 1
                if state.passes > 1 && writerWaits { state.passesWhileTheWriterWaited += 1 }
                return state.passes
            }
            // These limits only keep a broken run from hanging: they are well past the test's own
            // waits (60 s), so that in a starved run (this test failed once in a suite that ran
            // twice as slow) none of them is what ends a pass or lets the writer on.
            let deadline = Date().addingTimeInterval(180)
            while !state.withLock({ $0.passReleased }) && Date() < deadline { usleep(1_000) }
            _ = WALCheckpointer.passive(connection)
            return (SQLITE_OK, 1_000_000, passes)
        }
        DedicatedThread.start("test writer") {
            do {
                let store = try SQLiteRequestStore(path: path, migratingTo: Schema.latest, checkpoints: .init(background: 20, inline: 300),
                                                   checkpointPass: slowPass)
                checkpointer.withLock { $0 = store.checkpointer }
                try Self.write(requests: 30, to: store)
                let deadline = Date().addingTimeInterval(180)
                while !state.withLock({ $0.passBegan }) && Date() < deadline { usleep(1_000) }
                try Self.write(requests: 300, to: store, from: 30)
                state.withLock { $0.written = true }
                while !state.withLock({ $0.mayClose }) && Date() < deadline.addingTimeInterval(180) { usleep(1_000) }
            } catch {
                Issue.record("\(error)")
            }
        }
        #expect(await eventually { state.withLock { $0.passBegan } })
        // The writer's second commit passes the inline size while the thread's pass is held.
        #expect(await eventually { checkpointer.withLock { $0?.writerIsWaiting } == true })
        #expect(!state.withLock { $0.written }, "the writer's checkpoint did not wait for the thread's pass")
        state.withLock { $0.passReleased = true }
        #expect(await eventually { state.withLock { $0.written } })
        #expect(try rowsInTheFileAlone(path) == 330)
        #expect(state.withLock { $0.passesWhileTheWriterWaited } == 0, "the thread went on passing while the writer waited")
        state.withLock { $0.mayClose = true }
    }

    @Test func theStepFollowsTheLogsSize() {
        let checkpointer = WALCheckpointer(path: folder.file("steps.db"), thresholds: .standard)
        #expect(checkpointer.step(forFrames: 999) == .nothing)
        #expect(checkpointer.step(forFrames: 1_000) == .askTheThread)
        #expect(checkpointer.step(forFrames: 7_999) == .askTheThread)
        #expect(checkpointer.step(forFrames: 8_000) == .checkpointNow)
    }

    /// One transaction of requests with bodies of about 3 KB (a page or so each).
    private static func write(requests count: Int, to store: SQLiteRequestStore, from first: Int = 0) throws {
        let body = String(repeating: "the authenticator stopped working ", count: 90)
        let batch = (first..<first + count).map { Fixtures.newRequest("Request \($0)", body: body, externalID: "CK-\($0)") }
        _ = try store.write { try $0.createOnce(batch, by: "alex", at: Date()) }
    }

    /// The requests the database file holds without its log: a copy of the file alone, opened.
    private func rowsInTheFileAlone(_ path: String) throws -> Int64 {
        let copy = folder.file("copy-\(UUID().uuidString).db")
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let file = try SQLiteConnection(path: copy, create: false)
        guard try file.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'requests'") == 1 else { return 0 }
        return try file.scalar("SELECT count(*) FROM requests") ?? 0
    }
}
