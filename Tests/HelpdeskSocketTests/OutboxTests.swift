import Foundation
@testable import HelpdeskSocket
import HelpdeskTestSupport
import Synchronization
import Testing

/// A connection's frames leave in the order they were queued, on the outbox's own thread, and
/// what was queued before a close still runs.
@Suite struct OutboxTests {
    final class Runs: Sendable {
        private let list = Mutex<[(Int, String?)]>([])
        func add(_ number: Int) { list.withLock { $0.append((number, Thread.current.name)) } }
        var numbers: [Int] { list.withLock { $0.map(\.0) } }
        var threads: Set<String?> { list.withLock { Set($0.map(\.1)) } }
    }

    @Test func workRunsInOrderOnTheOutboxsThreadAndWhatWasPostedBeforeACloseStillRuns() async {
        let outbox = Outbox(name: "test-outbox")
        let runs = Runs()
        let gate = DispatchSemaphore(value: 0)
        outbox.post { gate.wait() }
        for number in 0..<1_000 { outbox.post { runs.add(number) } }
        outbox.close()
        outbox.post { runs.add(-1) }
        gate.signal()
        #expect(await eventually { runs.numbers.count == 1_000 })
        #expect(runs.numbers == Array(0..<1_000))
        #expect(runs.threads == ["test-outbox"])
        try? await Task.sleep(nanoseconds: 50_000_000)
        #expect(!runs.numbers.contains(-1), "nothing runs that was posted after the close")
    }
}
