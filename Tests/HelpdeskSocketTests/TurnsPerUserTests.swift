import Foundation
import HelpdeskCore
@testable import HelpdeskSocket
import HelpdeskTestSupport
import Synchronization
import Testing

/// A user's requests take turns: at most `maxRunningPerUser` run at once over all their
/// connections (those that may wait for Okta apart from the rest), the rest start in the order
/// they came as those end, and other users are not held by them.
@Suite struct TurnsPerUserTests {
    /// A service whose every client is alex, with Okta answering after `latency` seconds and
    /// `turns` of alex's requests (of each kind) running at once.
    static func serving(latency: TimeInterval, turns: Int) throws -> (ServiceFixture, SocketServer) {
        let fixture = try ServiceFixture(latency: latency)
        var limits = ServerLimits()
        limits.maxRunningPerUser = turns
        return (fixture, try fixture.listen(as: "alex", limits: limits))
    }

    @Test func aUsersRequestsPastTheLimitWaitAndStartInTheOrderTheyCame() async throws {
        let turns = TurnsPerUser(limit: 2)
        #expect(await turns.begin(1) == .now)
        #expect(await turns.begin(1) == .now)
        let started = Started()
        var waiters: [Task<Void, Never>] = []
        for index in 0..<3 {
            waiters.append(Task {
                if await turns.begin(1) == .afterWaiting { started.add(index) }
            })
            // Each is waiting before the next is sent, so the order they came is known.
            #expect(await eventually { turns.count(1).waiting == index + 1 })
        }
        #expect(turns.count(1) == (2, 3))
        #expect(await turns.begin(2) == .now)
        #expect(turns.count(2) == (1, 0), "another user is not held")
        #expect(started.all.isEmpty)
        turns.end(1)
        #expect(await eventually { started.all == [0] })
        #expect(turns.count(1) == (2, 2), "the turn passed on: still two running")
        // One end at a time: two waiters let go together start on two threads in either order.
        turns.end(1)
        #expect(await eventually { started.all == [0, 1] })
        turns.end(1)
        for waiter in waiters { await waiter.value }
        #expect(started.all == [0, 1, 2])
        for _ in 0..<2 { turns.end(1) }
        turns.end(2)
        #expect(turns.count(1) == (0, 0) && turns.count(2) == (0, 0))
    }

    @Test func onceTheServiceStopsNoWaitingRequestStarts() async throws {
        let turns = TurnsPerUser(limit: 1)
        #expect(await turns.begin(1) == .now)
        let waiter = Task { await turns.begin(1) }
        #expect(await eventually { turns.count(1).waiting == 1 })
        turns.close()
        #expect(await waiter.value == .refused)
        #expect(await turns.begin(2) == .refused, "nor any that comes after")
        turns.end(1)
        #expect(turns.count(1) == (0, 0))
    }

    @Test func aServiceStartedAgainAfterAStopServes() async throws {
        let fixture = try ServiceFixture()
        let server = try fixture.listen(as: "alex")
        await server.stop(grace: 1)
        try server.start(mode: 0o600)
        defer { Task { await server.stop(grace: 1) } }
        #expect(try await fixture.client("alex").queue(QueueQuery(filter: QueueFilter(), limit: 5)).requests.isEmpty)
    }

    @Test func requestsWaitingTheirTurnWhenTheServiceStopsAreToldSoAndDoNotRun() async throws {
        let (fixture, server) = try Self.serving(latency: 0.5, turns: 4)
        let client = fixture.client("alex")
        let jane = try EmailAddress("jane.doe@example.com")
        let answers = Task {
            await withTaskGroup(of: String.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        do { return try await client.requesterCard(jane).user.email } catch { return "\(error)" }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(await eventually { server.turns.count(TurnsPerUser.key(user: getuid(), waitsForOkta: true)).waiting == 8 })
        await server.stop(grace: 0.1)
        let all = await answers.value
        #expect(all.filter { $0.contains("the helpdesk service is stopping; ask again once it is back") }.count == 8, "\(all)")
    }

    @Test func requestsWaitingTheirTurnForAClientThatHasGoneDoNotRun() async throws {
        // The client goes while the two turns are held by Okta's slow answers: 3 s of them, so a
        // busy machine running the rest of the suite still gets there first.
        let (fixture, server) = try Self.serving(latency: 3, turns: 2)
        defer { Task { await server.stop(grace: 1) } }
        let request = try await fixture.client("alex").create(Fixtures.newRequest("Locked out", requester: "omar.haddad@example.com"))
        var raw: RawClient? = try RawClient(fixture.path("alex"))
        _ = try await raw?.hello()
        for id in 2..<4 { raw?.send(json: #"{"id": \#(id), "method": "requesterCard", "params": {"email": "jane.doe@example.com"}}"#) }
        // Revoking sessions runs at once, without an approval: each that ran is counted by the tenant.
        let ask = String(decoding: try WireProtocol.encoder.encode(ActionAsk(requestID: request.id, spec: ActionSpec(.revokeSessions), reason: "suspicious sign-in")), as: UTF8.self)
        for id in 4..<8 { raw?.send(json: #"{"id": \#(id), "method": "act", "params": \#(ask)}"#) }
        #expect(await eventually { server.turns.count(TurnsPerUser.key(user: getuid(), waitsForOkta: true)) == (2, 4) })
        _ = try await fixture.client("alex").note(request.id, "while Okta is slow")
        #expect(server.turns.count(TurnsPerUser.key(user: getuid(), waitsForOkta: true)) == (2, 4), "the store's quick work is not held by Okta's")
        raw = nil
        #expect(await eventually { server.activeRequests == 0 })
        #expect(await fixture.tenant.actionCount(.revokeSessions) == 0, "nothing ran for a client that had gone")
    }

    @Test func requestsOverTheSocketTakeTurnsAndAreAllAnswered() async throws {
        let (fixture, server) = try Self.serving(latency: 0.1, turns: 4)
        defer { Task { await server.stop(grace: 1) } }
        let client = fixture.client("alex")
        let jane = try EmailAddress("jane.doe@example.com")
        _ = try await client.requesterCard(jane)
        // A card is two rounds of Okta calls (the user; then groups, apps, factors, sign-ins and the
        // manager at once): 0.2 s. Sixteen at once, four at a time, take four turns.
        let start = ContinuousClock.now
        let answered = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 { group.addTask { try await client.requesterCard(jane).user.email == jane.value } }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        let elapsed = start.duration(to: .now)
        #expect(answered == 16)
        #expect(elapsed >= .milliseconds(750), "\(elapsed)")
    }
}

/// The requests that have started, in order.
private final class Started: Sendable {
    private let list = Mutex<[Int]>([])
    func add(_ index: Int) { list.withLock { $0.append(index) } }
    var all: [Int] { list.withLock { $0 } }
}
