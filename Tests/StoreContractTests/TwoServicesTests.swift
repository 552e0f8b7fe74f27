import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import OktaClient
import Testing

/// Two services on one store, each with its own connection and engine, as two jump hosts would
/// run them: deciding one approval at once runs its action exactly once, and each sees what the
/// other committed through its change feed.
@Suite struct TwoServicesTests {
    static var engines: [StoreEngine] { StoreEngine.postgresURL == nil ? [.sqlite] : [.sqlite, .postgresql] }

    @Test(arguments: engines)
    func twoApproversAtOnceRunTheActionOnce(_ engine: StoreEngine) async throws {
        let under = try StoreUnderTest(engine)
        let clock = ManualClock()
        let directory = CountingDirectory(SimulatedTenant(clock: clock))
        let tenant = directory.inner
        let first = ActionEngine(store: try under.open(), directory: directory, clock: clock, policy: .default, team: DemoTeamFixture.team)
        let second = ActionEngine(store: try under.open(), directory: directory, clock: clock, policy: .default, team: DemoTeamFixture.team)
        for (round, name) in ["Engineering", "Finance", "Marketing"].enumerated() {
            guard let group = try await tenant.findGroups(name, limit: 5).first(where: { $0.name == name }) else {
                Issue.record("no group \(name) in the demo tenant")
                return
            }
            let request = try first.store.create(Fixtures.newRequest("Need \(name)", requester: "jane.doe@example.com"), by: "intake", at: clock.now())
            let asked = try await first.ask(.addToGroup(group.ref, expiry: nil), on: request.id, reason: "new role", by: DemoTeamFixture.alex)
            guard case .awaitingApproval(let approval) = asked else {
                Issue.record("adding to \(name) did not wait for an approval: \(asked)")
                return
            }
            async let byMorgan = Self.attempt { try await first.approve(approval.id, by: DemoTeamFixture.morgan) }
            async let bySam = Self.attempt { try await second.approve(approval.id, by: DemoTeamFixture.sam) }
            let outcomes = await [byMorgan, bySam]
            #expect(outcomes.filter { (try? $0.get()) != nil }.count == 1, "round \(round): \(outcomes)")
            #expect(directory.actionCalls.count == round + 1, "round \(round): \(directory.actionCalls)")
            let runs = try second.store.read { try $0.runs(of: request.id) }
            #expect(runs.count == 1)
        }
    }

    static func attempt(_ body: () async throws -> ActionOutcome) async -> Result<ActionOutcome, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    @Test(arguments: engines)
    func aServiceSeesWhatTheOtherCommitted(_ engine: StoreEngine) async throws {
        let under = try StoreUnderTest(engine)
        let writer = try under.open()
        let feed = ChangeFeed(store: try under.open(), pollInterval: try under.open().changePollInterval)
        let heard = Heard()
        let subscription = await feed.subscribe(after: nil) { event in
            if case .changed(let notice) = event { heard.add(notice.requests) }
        }
        defer { Task { await feed.unsubscribe(subscription) } }
        let request = try writer.create(Fixtures.newRequest("Need Salesforce"), by: "intake", at: Date())
        // The feed polls every 20–250 ms, but its poll runs on the pool a full parallel run keeps
        // busy: the suite's usual bound (30 s ran out once, in a run where the whole suite took 49 s).
        #expect(await eventually { heard.requests.contains(request.id) })
    }
}

/// What a change feed told, collected across threads.
final class Heard: @unchecked Sendable {
    // Behind the lock.
    private let lock = NSLock()
    private var seen: [RequestID] = []

    func add(_ requests: [RequestID]) { lock.withLock { seen += requests } }
    var requests: [RequestID] { lock.withLock { seen } }
}
