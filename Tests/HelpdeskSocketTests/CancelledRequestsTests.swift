import Foundation
import HelpdeskCore
@testable import HelpdeskSocket
import HelpdeskTestSupport
import OktaClient
import Synchronization
import Testing

/// A client may cancel a request it no longer needs (a card for a request the operator has
/// scrolled past): a read stops, waiting or running, and gives its turn and its place on the
/// connection back; a change is never stopped once asked.
@Suite struct CancelledRequestsTests {
    private static var oktaTurns: UInt64 { TurnsPerUser.key(user: getuid(), waitsForOkta: true) }

    @Test func cardsNoLongerWantedStopAndHoldNothingWhileOktaStalls() async throws {
        let fixture = try ServiceFixture(latency: 600)
        let server = try fixture.listen(as: "alex")
        defer { Task { await server.stop(grace: 0.1) } }
        let client = fixture.client("alex")
        let jane = try EmailAddress("jane.doe@example.com")
        // Sixteen cards for requests scrolled past, with Okta not answering: eight run, eight wait.
        let cards = (0..<ServerLimits().maxInFlightPerConnection).map { _ in
            Task { () -> String in
                do { return try await client.requesterCard(jane).user.email } catch { return "\(type(of: error))" }
            }
        }
        #expect(await eventually { server.turns.count(Self.oktaTurns) == (8, 8) })
        for card in cards { card.cancel() }
        for card in cards { #expect(await card.value == "CancellationError") }
        #expect(await eventually { server.turns.count(Self.oktaTurns) == (0, 0) && server.activeRequests == 0 },
                "every stalled card stopped: \(server.turns.count(Self.oktaTurns)), \(server.activeRequests) running")
        // The connection and the turns are free again: the queue is read, and the next card is Okta's first.
        #expect(try await client.queue(QueueQuery(filter: QueueFilter(), limit: 5)).requests.isEmpty)
        await fixture.tenant.setLatency(0)
        #expect(try await client.requesterCard(jane).user.email == jane.value)
    }

    @Test func aCancelledReadIsAnsweredOnceAsCancelled() async throws {
        let fixture = try ServiceFixture(latency: 600)
        let server = try fixture.listen(as: "alex")
        defer { Task { await server.stop(grace: 0.1) } }
        let raw = try RawClient(fixture.path("alex"))
        _ = try await raw.hello()
        raw.send(json: #"{"id": 2, "method": "requesterCard", "params": {"email": "jane.doe@example.com"}}"#)
        #expect(await eventually { server.turns.count(Self.oktaTurns) == (1, 0) })
        raw.send(json: #"{"cancel": 2}"#)
        raw.send(json: #"{"cancel": 99}"#)
        let answer = try await raw.next(timeout: 20)
        #expect(answer["id"] as? Int == 2)
        #expect((answer["error"] as? [String: Any])?["code"] as? String == "cancelled", "\(answer)")
        // Cancelling a request that is not running is no mistake, and nothing else is answered.
        raw.send(json: #"{"id": 3, "method": "session", "params": {}}"#)
        let next = try await raw.next(timeout: 20)
        #expect(next["id"] as? Int == 3 && next["result"] != nil, "\(next)")
    }

    /// The service over Okta reached by HTTP (the stand-in), each call waiting up to five minutes,
    /// with `maxInFlight` connections to it; and a raw client that has said hello.
    private struct OverHTTP {
        let okta: OktaStandIn
        let server: SocketServer
        let raw: RawClient

        init(maxInFlight: Int = 10) async throws {
            let tenant = SimulatedTenant()
            okta = try OktaStandIn(tenant: tenant)
            var settings = OktaSettings(org: try OrgURL(okta.orgURL), token: try APIToken(okta.token))
            settings.timeout = 300
            settings.maxInFlight = maxInFlight
            let fixture = try ServiceFixture(tenant: tenant, directory: OktaDirectory(client: OktaHTTPClient(settings: settings), clock: SystemClock()))
            server = try fixture.listen(as: "alex")
            raw = try RawClient(fixture.path("alex"))
            _ = try await raw.hello()
        }

        func stop() {
            okta.stop()
            let server = server
            Task { await server.stop(grace: 0.1) }
        }
    }

    @Test func aCardCancelledWhileOktaHoldsItsAnswerStopsAtOnce() async throws {
        let service = try await OverHTTP()
        defer { service.stop() }
        let (okta, server, raw) = (service.okta, service.server, service.raw)
        // Okta holds the user's groups for two minutes, and the service would wait five for them.
        okta.inject(.init("GET", "/groups", .stall(120)))
        raw.send(json: #"{"id": 2, "method": "requesterCard", "params": {"email": "jane.doe@example.com"}}"#)
        #expect(await eventually { okta.requests.contains { $0.hasSuffix("/groups") } })
        raw.send(json: #"{"cancel": 2}"#)
        let answer = try await raw.next(timeout: 60)
        #expect(answer["id"] as? Int == 2)
        #expect((answer["error"] as? [String: Any])?["code"] as? String == "cancelled", "\(answer)")
        #expect(await eventually { server.activeRequests == 0 })
    }

    @Test func aReadCancelledWhileWaitingForOktasConcurrencyLimitStopsAtOnce() async throws {
        let service = try await OverHTTP(maxInFlight: 1)
        defer { service.stop() }
        let (okta, server, raw) = (service.okta, service.server, service.raw)
        // A read still wanted holds Okta's only connection for two minutes.
        okta.inject(.init("GET", "/apps", .stall(120)))
        raw.send(json: #"{"id": 2, "method": "findApps", "params": {"text": "Zoom"}}"#)
        #expect(await eventually { okta.requests.contains { $0.contains("/apps") } })
        raw.send(json: #"{"id": 3, "method": "findGroups", "params": {"text": "Sales"}}"#)
        #expect(await eventually { server.turns.count(Self.oktaTurns) == (2, 0) })
        raw.send(json: #"{"cancel": 3}"#)
        let answer = try await raw.next(timeout: 60)
        #expect(answer["id"] as? Int == 3, "the waiting read is answered first: \(answer)")
        #expect((answer["error"] as? [String: Any])?["code"] as? String == "cancelled", "\(answer)")
        #expect(!okta.requests.contains { $0.contains("/groups") }, "nothing was sent for it")
    }

    @Test func aSecondRequestUnderAnIdStillRunningIsRefused() async throws {
        let fixture = try ServiceFixture(latency: 600)
        let server = try fixture.listen(as: "alex")
        defer { Task { await server.stop(grace: 0.1) } }
        var raw: RawClient? = try RawClient(fixture.path("alex"))
        _ = try await raw?.hello()
        raw?.send(json: #"{"id": 2, "method": "requesterCard", "params": {"email": "jane.doe@example.com"}}"#)
        raw?.send(json: #"{"id": 2, "method": "findGroups", "params": {"text": "Sales"}}"#)
        let refused = try #require(try await raw?.next(timeout: 60))
        #expect(refused["id"] as? Int == 2)
        #expect((refused["error"] as? [String: Any])?["code"] as? String == "protocol", "\(refused)")
        #expect(await eventually { server.turns.count(Self.oktaTurns) == (1, 0) })
        // The one running under that id is still the client's to cancel, and stops when it goes.
        raw = nil
        #expect(await eventually { server.activeRequests == 0 && server.turns.count(Self.oktaTurns) == (0, 0) })
    }

    @Test func aFloodOfCancelsIsNoMistakeAndAnswersNothing() async throws {
        let fixture = try ServiceFixture()
        let server = try fixture.listen(as: "alex")
        defer { Task { await server.stop(grace: 0.1) } }
        let raw = try RawClient(fixture.path("alex"))
        raw.send(json: #"{"cancel": 1}"#)
        _ = try await raw.hello()
        var bytes = Data()
        for id in 0..<50_000 { bytes += Frame.encode(Data(#"{"cancel": \#(id)}"#.utf8)) }
        raw.send(bytes: bytes)
        raw.send(json: #"{"id": 7, "method": "session", "params": {}}"#)
        let next = try await raw.next(timeout: 60)
        #expect(next["id"] as? Int == 7 && next["result"] != nil, "\(next)")
    }

    @Test func readsCancelledAtAnyMomentResumeTheirCallersOnceAndLeaveNothingRunning() async throws {
        let fixture = try ServiceFixture()
        let server = try fixture.listen(as: "alex")
        defer { Task { await server.stop(grace: 0.1) } }
        let client = fixture.client("alex")
        _ = try await client.session()
        for round in 0..<40 {
            let reads = (0..<12).map { _ in
                Task { () -> String in
                    do { return "\(try await client.queue(QueueQuery(filter: QueueFilter(), limit: 5)).requests.count)" } catch { return "\(type(of: error))" }
                }
            }
            for (index, read) in reads.enumerated() where index % 2 == round % 2 { read.cancel() }
            for read in reads { #expect(["0", "CancellationError"].contains(await read.value)) }
        }
        #expect(try await client.queue(QueueQuery(filter: QueueFilter(), limit: 5)).requests.isEmpty)
        #expect(await eventually { server.activeRequests == 0 })
    }

    @Test func cancelsRacingTheHandOverOfTurnsLeaveNoTurnTakenOrLost() async throws {
        let turns = TurnsPerUser(limit: 2)
        for _ in 0..<200 {
            let tasks = (0..<8).map { _ in
                Task {
                    let turn = await turns.begin(1)
                    if turn == .now || turn == .afterWaiting { turns.end(1) }
                }
            }
            for (index, task) in tasks.enumerated() where index % 3 != 0 { task.cancel() }
            for task in tasks { await task.value }
            #expect(turns.count(1) == (0, 0))
        }
    }

    @Test func aReadRunningForAClientThatHasGoneStops() async throws {
        let fixture = try ServiceFixture(latency: 600)
        let server = try fixture.listen(as: "alex")
        defer { Task { await server.stop(grace: 0.1) } }
        var raw: RawClient? = try RawClient(fixture.path("alex"))
        _ = try await raw?.hello()
        raw?.send(json: #"{"id": 2, "method": "requesterCard", "params": {"email": "jane.doe@example.com"}}"#)
        raw?.send(json: #"{"id": 3, "method": "findGroups", "params": {"text": "Sales"}}"#)
        #expect(await eventually { server.turns.count(Self.oktaTurns) == (2, 0) })
        raw = nil
        #expect(await eventually { server.activeRequests == 0 && server.turns.count(Self.oktaTurns) == (0, 0) })
    }

    @Test func aRequestCancelledWhileWaitingItsTurnLeavesTheLine() async throws {
        let turns = TurnsPerUser(limit: 1)
        #expect(await turns.begin(1) == .now)
        let first = Task { await turns.begin(1) }
        #expect(await eventually { turns.count(1).waiting == 1 })
        let second = Task { await turns.begin(1) }
        #expect(await eventually { turns.count(1).waiting == 2 })
        first.cancel()
        #expect(await first.value == .cancelled)
        #expect(turns.count(1) == (1, 1))
        turns.end(1)
        #expect(await second.value == .afterWaiting, "the turn passed over the cancelled request")
        turns.end(1)
        #expect(turns.count(1) == (0, 0))
        let cancelledFirst = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await turns.begin(1)
        }
        #expect(await cancelledFirst.value == .now, "a free turn is taken whether or not the request was cancelled")
        turns.end(1)
    }

    @Test func aChangeAskedForIsNotStoppedByCancel() async throws {
        let fixture = try ServiceFixture(latency: 0.5)
        let server = try fixture.listen(as: "alex")
        defer { Task { await server.stop(grace: 1) } }
        let request = try await fixture.client("alex").create(Fixtures.newRequest("Locked out", requester: "omar.haddad@example.com"))
        let raw = try RawClient(fixture.path("alex"))
        _ = try await raw.hello()
        let ask = String(decoding: try WireProtocol.encoder.encode(ActionAsk(requestID: request.id, spec: ActionSpec(.revokeSessions), reason: "suspicious sign-in")), as: UTF8.self)
        raw.send(json: #"{"id": 2, "method": "act", "params": \#(ask)}"#)
        #expect(await eventually { server.turns.count(Self.oktaTurns) == (1, 0) })
        raw.send(json: #"{"cancel": 2}"#)
        let answer = try await raw.next(timeout: 20)
        #expect(answer["id"] as? Int == 2 && answer["result"] != nil, "\(answer)")
        #expect(await fixture.tenant.actionCount(.revokeSessions) == 1)
    }

    @Test func aCancelledCallerOfAChangeStillWaitsForItsAnswer() async throws {
        let fixture = try ServiceFixture(latency: 0.5)
        let server = try fixture.listen(as: "alex")
        defer { Task { await server.stop(grace: 1) } }
        let client = fixture.client("alex")
        let request = try await client.create(Fixtures.newRequest("Locked out", requester: "omar.haddad@example.com"))
        let act = Task { try await client.act(ActionAsk(requestID: request.id, spec: ActionSpec(.revokeSessions), reason: "suspicious sign-in")) }
        #expect(await eventually { server.turns.count(Self.oktaTurns) == (1, 0) })
        act.cancel()
        if case .ran = try await act.value {} else { Issue.record("the action's outcome was not waited for") }
        #expect(await fixture.tenant.actionCount(.revokeSessions) == 1)
    }

    /// Threads kept busy until stopped, three seconds at most: a machine whose cores are taken
    /// widens every race, and the rest of a suite run beside it is not starved for long.
    final class Spin: Sendable {
        private let running = Mutex(true)
        private let until = Date().addingTimeInterval(3)
        var on: Bool { running.withLock { $0 } && Date() < until }
        func stop() { running.withLock { $0 = false } }
    }

    /// Blocking read of the next frame on `fd` (no sleep between the answer and the next request).
    static func nextFrame(_ fd: Int32, _ decoder: inout FrameDecoder, _ ready: inout [Data]) throws -> [String: Any] {
        while ready.isEmpty {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { throw RawFailure("the service closed the connection") }
            ready += try decoder.push(buffer[0..<count])
        }
        guard let object = try JSONSerialization.jsonObject(with: ready.removeFirst()) as? [String: Any] else { throw RawFailure("not an object") }
        return object
    }

    @Test func anIdReusedTheMomentItsAnswerArrivesIsNotRefused() async throws {
        let fixture = try ServiceFixture()
        let server = try fixture.listen(as: "alex")
        defer { Task { await server.stop(grace: 0.1) } }
        let raw = try RawClient(fixture.path("alex"))
        _ = try await raw.hello()
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(raw.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // A busy machine (two threads spinning on two cores) widens the gap between the answer
        // being queued and the id being released.
        let spinning = Spin()
        for _ in 0..<2 { Thread { while spinning.on { } }.start() }
        defer { spinning.stop() }
        // The reads block: on a thread of their own, never one of the pool the service answers on.
        let fd = raw.fd
        let refusals = try await offPool { () throws -> [String] in
            var decoder = FrameDecoder(maximum: WireProtocol.maxResponseFrame)
            var ready: [Data] = []
            var refusals: [String] = []
            for round in 0..<5_000 {
                // A change (its log line is written after the answer is queued) and a read, alternately.
                let request = round % 2 == 0 ? #"{"id": 2, "method": "note", "params": {"request": "REQ-999999", "text": "hi"}}"#
                                             : #"{"id": 2, "method": "session", "params": {}}"#
                _ = UnixSocket.writeAll(fd, Frame.encode(Data(request.utf8)), within: 60)
                let answer: [String: Any]
                do { answer = try Self.nextFrame(fd, &decoder, &ready) } catch {
                    refusals.append("round \(round): \(error)")
                    return refusals
                }
                if let error = answer["error"] as? [String: Any], error["code"] as? String == "protocol" { refusals.append("round \(round): \(error["message"] ?? "")") }
            }
            return refusals
        }
        withExtendedLifetime(raw) {}
        #expect(refusals.isEmpty, "\(refusals.count) refused: \(refusals.prefix(4)) … \(refusals.suffix(2))")
    }
}
