import ConsoleViewModel
import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import Synchronization
import Testing

/// Reads the console no longer wants (a window a newer one replaced, the timeline of a request
/// the selection left) stop in the store. Their store stalls a read by holding its thread, so
/// these run one at a time: two stalls at once would hold both task threads of a two-core machine
/// and nothing would be left to cancel them.
@Suite(.serialized) struct StalledStoreReadTests {
    let suite: EffectRunnerTests

    init() throws { suite = try EffectRunnerTests() }

    /// A backend as the suite's, on its store wrapped to stall the first read that may be cancelled.
    func stallingBackend() -> (StallingReadStore, HelpdeskBackend) {
        let stalling = StallingReadStore(suite.store)
        let engine = ActionEngine(store: stalling, directory: suite.directory, clock: suite.clock, policy: .default, team: DemoTeamFixture.team)
        let backend = HelpdeskBackend(engine: engine) { login in
            guard let member = DemoTeamFixture.team.member(login) else { throw Refusal("\(login) is not an operator") }
            return member
        }
        return (stalling, backend)
    }

    @Test func aWindowStillBeingReadWhenANewerOneIsAskedForIsCancelledAndNotDelivered() async throws {
        let (stalling, other) = stallingBackend()
        let request = try suite.jane()
        let (runner, delivered) = try suite.runner(on: other)
        runner.submit([suite.queueLoad(1, text: "l")])
        #expect(await eventually { stalling.stalled })
        runner.submit([suite.queueLoad(2, text: "lost")])
        await runner.waitUntilIdle()
        await runner.stop()
        #expect(stalling.stallEnded == .cancelled, "the first window's search stopped as soon as the second was asked for")
        guard case .queueLoaded(let snapshot)? = delivered.all.first, delivered.all.count == 1 else {
            Issue.record("only the newer window is delivered, not the cancelled one's failure: \(delivered.all)"); return
        }
        #expect(snapshot.generation == 2)
        #expect(snapshot.window.rows.map(\.id) == [request.id])
    }

    @Test func aWindowTheConsoleGaveUpOnIsCancelledAndNotDelivered() async throws {
        let (stalling, other) = stallingBackend()
        _ = try suite.jane()
        let (runner, delivered) = try suite.runner(on: other)
        runner.submit([suite.queueLoad(1, text: "l")])
        #expect(await eventually { stalling.stalled })
        runner.submit([.dropQueueLoads(before: 2)])
        await runner.waitUntilIdle()
        await runner.stop()
        #expect(stalling.stallEnded == .cancelled, "the window's search stopped when the console gave up on it")
        #expect(delivered.all.isEmpty, "neither the window nor its cancellation is delivered: \(delivered.all)")
    }

    @Test func aTimelineStillBeingReadWhenTheSelectionMovesOnIsCancelledAndNotDelivered() async throws {
        let (stalling, other) = stallingBackend()
        let first = try suite.jane()
        let second = try suite.store.create(Fixtures.newRequest("Need VPN", requester: "omar.haddad@example.com"), by: "intake", at: suite.clock.now())
        let (runner, delivered) = try suite.runner(on: other)
        runner.submit([.loadDetail(first.id)])
        #expect(await eventually { stalling.stalled })
        runner.submit([.loadDetail(second.id)])
        await runner.waitUntilIdle()
        await runner.stop()
        #expect(stalling.stallEnded == .cancelled, "the first timeline's read stopped as soon as the second was asked for")
        guard case .detailLoaded(let id, _)? = delivered.all.first, delivered.all.count == 1 else {
            Issue.record("only the second timeline is delivered, not the first or its cancellation: \(delivered.all)"); return
        }
        #expect(id == second.id)
    }
}

/// The store, except that its first read nobody wants once cancelled (`readUnlessCancelled`: a
/// queue window, a timeline) stalls until its task is cancelled or ten seconds pass, and says
/// which ended it.
final class StallingReadStore: RequestStore {
    enum StallEnd: Equatable { case cancelled, timedOut }

    private let base: any RequestStore
    private let state = Mutex<(searches: Int, stalled: Bool, ended: StallEnd?)>((0, false, nil))

    init(_ base: any RequestStore) { self.base = base }

    var stalled: Bool { state.withLock { $0.stalled } }
    var stallEnded: StallEnd? { state.withLock { $0.ended } }
    var location: String { base.location }

    func read<T>(_ body: (any StoreReader) throws -> T) throws -> T { try base.read(body) }
    func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T { try base.write(body) }
    func changeToken() throws -> Int64 { try base.changeToken() }

    func readUnlessCancelled<T>(_ body: (any StoreReader) throws -> T) throws -> T {
        let first = state.withLock { $0.searches += 1; $0.stalled = $0.searches == 1; return $0.searches == 1 }
        if first {
            let limit = ContinuousClock.now + .seconds(10)
            while !Task.isCancelled && ContinuousClock.now < limit { usleep(1_000) }
            state.withLock { $0.ended = Task.isCancelled ? .cancelled : .timedOut }
        }
        return try base.readUnlessCancelled(body)
    }
}
