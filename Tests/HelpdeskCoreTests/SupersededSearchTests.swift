import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import Synchronization
import Testing

/// The queue's reads and a request's timeline stop when the task asking for them is cancelled
/// (the console asked for a newer window or moved to another request; the client cancelled over
/// the socket), instead of reading on to an answer nobody reads while the newer read waits for the store.
@Suite struct SupersededSearchTests {
    @Test func queueAndTimelineReadsInACancelledTaskEndInCancellation() async throws {
        let fixture = try EngineFixture()
        _ = try fixture.store.create(Fixtures.newRequest("Lost my phone"), by: "intake", at: fixture.clock.now())
        let service = try ImportServiceTests.service(on: fixture)
        let request = try fixture.store.read { try $0.queue(QueueQuery(filter: QueueFilter(), limit: 1)) }.requests[0]
        let filter = QueueFilter(text: "lost")
        let go = Mutex(false)
        let reads = Task { () -> [String] in
            while !go.withLock({ $0 }) { try? await Task.sleep(nanoseconds: 1_000_000) }
            var outcomes: [String] = []
            do { _ = try await service.queue(QueueQuery(filter: filter, limit: 10)); outcomes.append("answered") } catch { outcomes.append("\(type(of: error))") }
            do {
                _ = try await service.queueSlice(QueueSliceRequest(filter: filter, after: nil, direction: .forward, limit: 10, windowSize: 50))
                outcomes.append("answered")
            } catch { outcomes.append("\(type(of: error))") }
            do { _ = try await service.detail(of: request.id); outcomes.append("answered") } catch { outcomes.append("\(type(of: error))") }
            return outcomes
        }
        reads.cancel()
        go.withLock { $0 = true }
        #expect(await reads.value == ["CancellationError", "CancellationError", "CancellationError"])
        // Not cancelled, the same reads answer.
        #expect(try await service.queue(QueueQuery(filter: filter, limit: 10)).requests.count == 1)
        #expect(try await service.detail(of: request.id).request.id == request.id)
    }
}
