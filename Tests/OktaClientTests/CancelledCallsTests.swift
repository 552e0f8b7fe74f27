import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import OktaClient
import Synchronization
import Testing

/// A read from Okta that nobody waits for any more (a card for a request the operator has left)
/// stops at once, even while Okta holds its answer; a change never stops half-way.
@Suite struct CancelledCallsTests {
    /// A server that holds every answer until `release`, and says which requests it has read.
    final class HeldAnswers: Sendable {
        final class Received: Sendable {
            let methods = Mutex<[String]>([])
        }

        let server: LoopbackHTTPServer
        private let gate: DispatchSemaphore
        private let received: Received

        init() throws {
            let gate = DispatchSemaphore(value: 0), received = Received()
            self.gate = gate
            self.received = received
            server = try LoopbackHTTPServer { request in
                received.methods.withLock { $0.append(request.method) }
                gate.wait()
                gate.signal()
                return .json(200, #"{"ok": true}"#)
            }
        }

        var requests: [String] { received.methods.withLock { $0 } }
        func release() { gate.signal() }
        func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(server.port)\(path)")! }
    }

    @Test func aReadNoLongerWantedStopsWhileOktaHoldsItsAnswer() async throws {
        let okta = try HeldAnswers()
        defer {
            okta.release()
            okta.server.stop()
        }
        let ended = Mutex(false)
        let read = Task {
            defer { ended.withLock { $0 = true } }
            return try await CurlTransport().send(HTTPRequest(method: "GET", url: okta.url("/api/v1/users/00u1/groups"), timeout: 120))
        }
        #expect(await eventually { okta.requests == ["GET"] })
        read.cancel()
        #expect(await eventually { ended.withLock { $0 } }, "stopped long before its two minutes")
        okta.release()
        await #expect(throws: TransportFailure.self) { try await read.value }
    }

    @Test func aReadCancelledBeforeItGoesIsNotSent() async throws {
        let okta = try HeldAnswers()
        defer {
            okta.release()
            okta.server.stop()
        }
        let ended = Mutex(false)
        let read = Task {
            defer { ended.withLock { $0 = true } }
            withUnsafeCurrentTask { $0?.cancel() }
            return try await CurlTransport().send(HTTPRequest(method: "GET", url: okta.url("/api/v1/groups/00g1"), timeout: 120))
        }
        #expect(await eventually { ended.withLock { $0 } })
        okta.release()
        await #expect(throws: TransportFailure.notSent("no longer needed; nothing was sent")) { try await read.value }
        #expect(okta.requests.isEmpty)
    }

    /// An Okta client over `okta` with `maxInFlight` connections and a long time limit.
    static func client(_ okta: HeldAnswers, maxInFlight: Int = 10) throws -> OktaHTTPClient {
        var settings = OktaSettings(org: try OrgURL("http://127.0.0.1:\(okta.server.port)"), token: try APIToken("00standIn-token-0123456789abcdef"))
        settings.timeout = 300
        settings.maxInFlight = maxInFlight
        return OktaHTTPClient(settings: settings)
    }

    /// Sends `held` (Okta holds its answer), then `behind`, which waits for it; cancels `behind`
    /// and says whether it ended while `held` was still held, and what it ended with, once Okta
    /// has answered; and how many requests Okta saw.
    static func cancel(_ behind: OktaCall, whileWaitingFor held: OktaCall, maxInFlight: Int = 10) async throws -> (endedWhileHeld: Bool, error: (any Error)?, sent: Int) {
        let okta = try HeldAnswers()
        defer {
            okta.release()
            okta.server.stop()
        }
        let client = try Self.client(okta, maxInFlight: maxInFlight)
        let holder = Task { try await client.send(held) }
        _ = await eventually { okta.requests.count == 1 }
        let ended = Mutex(false)
        let cancelled = Task {
            defer { ended.withLock { $0 = true } }
            return try await client.send(behind)
        }
        try await Task.sleep(for: .milliseconds(200))
        cancelled.cancel()
        let endedWhileHeld = await eventually { ended.withLock { $0 } }
        okta.release()
        _ = try? await holder.value
        do {
            _ = try await cancelled.value
            return (endedWhileHeld, nil, okta.requests.count)
        } catch {
            return (endedWhileHeld, error, okta.requests.count)
        }
    }

    @Test func aReadCancelledWhileWaitingForAFreeConnectionEndsAtOnceUnsent() async throws {
        let outcome = try await Self.cancel(OktaCall(.getApplication, ["0oa1"]), whileWaitingFor: OktaCall(.getGroup, ["00g1"]), maxInFlight: 1)
        #expect(outcome.endedWhileHeld, "ended while the only connection was still held")
        #expect(outcome.error is DirectoryError)
        #expect(outcome.sent == 1)
    }

    @Test func aReadCancelledWhileWaitingForItsBucketsFirstAnswerEndsAtOnceUnsent() async throws {
        let outcome = try await Self.cancel(OktaCall(.getUser, ["00u2"]), whileWaitingFor: OktaCall(.getUser, ["00u1"]))
        #expect(outcome.endedWhileHeld, "ended while the bucket's first answer was still held")
        #expect(outcome.error is DirectoryError)
        #expect(outcome.sent == 1)
    }

    @Test func aCallerCancelledWhileASharedLookUpIsOnItsWayStopsWaitingAndTheOthersGetIt() async throws {
        let cache = LookupCache<Int>(clock: SystemClock(), lifetime: 600)
        let gate = AsyncGate(), loads = Mutex(0)
        let load: @Sendable () async throws -> Int = {
            loads.withLock { $0 += 1 }
            await gate.wait()
            return 7
        }
        let cancelled = Task { try await cache.value(for: "00g1", load: load) }
        #expect(await eventually { loads.withLock { $0 } == 1 })
        let other = Task { try await cache.value(for: "00g1", load: load) }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        gate.open()
        #expect(try await other.value == 7)
        #expect(try await cache.value(for: "00g1", load: load) == 7)
        #expect(loads.withLock { $0 } == 1, "one request for everyone, kept")
    }

    @Test func aChangeOnItsWayIsNotStoppedByCancel() async throws {
        let okta = try HeldAnswers()
        defer { okta.server.stop() }
        let change = Task {
            try await CurlTransport().send(HTTPRequest(method: "PUT", url: okta.url("/api/v1/groups/00g1/users/00u1"), body: Data(), timeout: 120, mayRepeat: false))
        }
        #expect(await eventually { okta.requests == ["PUT"] })
        change.cancel()
        // Okta answers after the cancel: the answer is still read.
        try await Task.sleep(for: .milliseconds(1_500))
        okta.release()
        #expect(try await change.value.status == 200)
    }
}
