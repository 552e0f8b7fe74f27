import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import OktaClient
import Testing

@Suite struct ClientBehaviourTests {
    static let token = "00SECRETsecretSECRETsecret0123456789abcdef"
    let clock = ManualClock(Date(timeIntervalSince1970: 1_795_000_000))

    func client(_ transport: StubTransport, configure: (inout OktaSettings) -> Void = { _ in }) throws -> (OktaDirectory, RecordingSleeper) {
        var settings = OktaSettings(org: try OrgURL("https://acme.okta.com"), token: try APIToken(Self.token))
        configure(&settings)
        let sleeper = RecordingSleeper(clock: clock)
        let http = OktaHTTPClient(settings: settings, transport: transport, clock: clock, sleeper: sleeper, jitter: { 0.05 })
        return (OktaDirectory(client: http, clock: clock), sleeper)
    }

    var reset: Int { Int(clock.now().timeIntervalSince1970) + 30 }

    @Test func followsThreePagesThroughLinkHeaders() async throws {
        let transport = StubTransport { request, index in
            let group = #"{"id":"00g\#(index)","type":"OKTA_GROUP","profile":{"name":"G\#(index)"}}"#
            let next = index < 2 ? ["Link": #"<https://acme.okta.com/api/v1/users/00u1/groups?after=cursor\#(index)&limit=1>; rel="next", <https://acme.okta.com/api/v1/users/00u1/groups>; rel="self""#] : [:]
            return .json(200, "[\(group)]", headers: next)
        }
        let groups = try await client(transport).0.groups(ofUser: "00u1")
        #expect(groups.map(\.id) == ["00g0", "00g1", "00g2"])
        #expect(transport.lines == [
            "GET /api/v1/users/00u1/groups",
            "GET /api/v1/users/00u1/groups?after=cursor0&limit=1",
            "GET /api/v1/users/00u1/groups?after=cursor1&limit=1",
        ])
        #expect(transport.requests.allSatisfy { $0.headers["Authorization"] == "SSWS \(Self.token)" })
    }

    @Test func aNextLinkToAnotherHostIsNotFollowedWithTheToken() async throws {
        let transport = StubTransport(always: .json(200, "[]", headers: ["Link": #"<https://evil.example.net/steal>; rel="next""#]))
        await #expect(throws: DirectoryError.self) { _ = try await client(transport).0.groups(ofUser: "00u1") }
        #expect(transport.requests.count == 1)
    }

    @Test func aRetryCancelledAfterAChangeGotNoAnswerIsUnknownNotFailed() async throws {
        let transport = StubTransport { request, _ in
            guard request.method == "PUT" else {
                return request.url.path.hasSuffix("/groups") ? .json(200, "[]") : .json(200, #"{"id":"00g1","type":"OKTA_GROUP","profile":{"name":"VPN"}}"#)
            }
            throw TransportFailure.noAnswer("the connection was reset")
        }
        var settings = OktaSettings(org: try OrgURL("https://acme.okta.com"), token: try APIToken(Self.token))
        settings.maxRetries = 3
        let directory = OktaDirectory(client: OktaHTTPClient(settings: settings, transport: transport, clock: clock, sleeper: CancelledSleeper()), clock: clock)
        await #expect {
            _ = try await directory.addToGroup(userID: "00u1", groupID: "00g1")
        } throws: { error in
            (error as? DirectoryError)?.kind == .outcomeUnknown && (error as? DirectoryError)?.summary?.contains("stopped while waiting to retry") == true
        }
        #expect(transport.requests.filter { $0.method == "PUT" }.count == 1)
    }

    @Test func a429WaitsUntilTheResetThenSucceeds() async throws {
        let reset = self.reset
        let transport = StubTransport(sequence: [
            .json(429, #"{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}"#,
                  headers: ["X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "\(reset)"]),
            .json(200, OktaRoutes.user, headers: ["X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": "599", "X-Rate-Limit-Reset": "\(reset + 60)"]),
        ])
        let (directory, sleeper) = try client(transport)
        let user = try await directory.user(.id("00u1"))
        #expect(user.id == "00u1")
        #expect(transport.requests.count == 2)
        #expect(sleeper.recorded.count == 1)
        let wait = try #require(sleeper.recorded.first)
        #expect(abs(wait - 30.05) < 0.001, "waits until X-Rate-Limit-Reset plus jitter, not a fixed backoff")
    }

    @Test(arguments: ["32503680000", "-5", "inf", "nan", "1e308"])
    func aResetThatIsFarAwayOrNonsenseHoldsCallsBackAMinuteAtMost(_ resetHeader: String) async throws {
        let transport = StubTransport(sequence: [
            .json(429, #"{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit"}"#,
                  headers: ["X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": resetHeader]),
            .json(200, OktaRoutes.user),
        ])
        let (directory, sleeper) = try client(transport)
        #expect(try await directory.user(.id("00u1")).id == "00u1")
        #expect(sleeper.recorded.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 61 }, "waited \(sleeper.recorded)")
    }

    @Test func repeated429sEndInARateLimitErrorSayingWhen() async throws {
        let reset = self.reset
        let transport = StubTransport(always: .json(429, #"{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit"}"#,
                                                    headers: ["X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "\(reset)"]))
        let (directory, _) = try client(transport) { $0.maxRateLimitWaits = 2 }
        await #expect {
            _ = try await directory.user(.id("00u1"))
        } throws: { error in
            let error = error as? DirectoryError
            return error?.kind == .rateLimited && error?.errorCode == "E0000047" && error?.message.contains("until") == true
        }
        #expect(transport.requests.count == 3)
    }

    @Test func slowsDownBeforeTheBucketRunsDry() async throws {
        // Two requests left in this window: the third waits for the reset without seeing a 429.
        let reset = self.reset
        let transport = StubTransport { _, index in
            let remaining = max(0, 1 - index)
            return .json(200, OktaRoutes.user, headers: ["X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": "\(remaining)", "X-Rate-Limit-Reset": "\(reset)"])
        }
        let (directory, sleeper) = try client(transport)
        for _ in 0..<3 { _ = try await directory.user(.id("00u1")) }
        #expect(transport.requests.count == 3)
        #expect(sleeper.recorded.count == 1)
        #expect(abs((sleeper.recorded.first ?? 0) - 30.05) < 0.001)
    }

    @Test func bucketsAreKeptApart() async throws {
        let reset = self.reset
        let transport = StubTransport { request, _ in
            request.url.path.hasPrefix("/api/v1/groups")
                ? .json(200, OktaRoutes.groupOkta, headers: ["X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "\(reset)"])
                : .json(200, OktaRoutes.user, headers: ["X-Rate-Limit-Remaining": "50", "X-Rate-Limit-Reset": "\(reset)"])
        }
        let (directory, sleeper) = try client(transport)
        _ = try await directory.group(id: "00g1")
        _ = try await directory.user(.id("00u1"))
        #expect(sleeper.recorded.isEmpty, "the apps bucket does not wait for the groups bucket")
    }

    @Test func concurrentLookUpsOfOneGroupShareOneRequest() async throws {
        let transport = StubTransport(always: .json(200, OktaRoutes.groupOkta))
        let (directory, _) = try client(transport)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 { group.addTask { _ = try await directory.group(id: "00g1") } }
            try await group.waitForAll()
        }
        #expect(transport.requests.count == 1)
        clock.advance(by: 601)
        _ = try await directory.group(id: "00g1")
        #expect(transport.requests.count == 2, "kept ten minutes")
    }

    @Test func whileABucketsLimitsAreUnknownOneRequestGoesFirst() async throws {
        let peak = PeakCounter()
        let reset = self.reset
        let transport = StubTransport { _, _ in
            .json(200, OktaRoutes.user, headers: ["X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": "2", "X-Rate-Limit-Reset": "\(reset)"])
        }
        let counting = CountingTransport(inner: transport, peak: peak)
        var settings = OktaSettings(org: try OrgURL("https://acme.okta.com"), token: try APIToken(Self.token))
        settings.maxInFlight = 10
        let sleeper = RecordingSleeper(clock: clock)
        let directory = OktaDirectory(client: OktaHTTPClient(settings: settings, transport: counting, clock: clock, sleeper: sleeper, jitter: { 0.05 }))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 { group.addTask { _ = try await directory.user(.id("00u1")) } }
            try await group.waitForAll()
        }
        #expect(transport.requests.count == 6)
        let entries = peak.entries
        #expect(entries.prefix(2) == [1, 1], "the first request went alone; the second only after its answer")
        #expect(entries[2] <= 2, "the first answer said 2 remain")
        #expect(!sleeper.recorded.isEmpty, "the rest waited for the reset instead of drawing 429s")
    }

    @Test func aServerErrorIsRetriedForAGet() async throws {
        let transport = StubTransport(sequence: [.json(500, #"{"errorCode":"E0000009","errorSummary":"Internal Server Error","errorLink":"E0000000"}"#),
                                                 .json(503, ""), .json(200, OktaRoutes.user)])
        let (directory, sleeper) = try client(transport)
        _ = try await directory.user(.id("00u1"))
        #expect(transport.requests.count == 3)
        #expect(sleeper.recorded.map { ($0 * 100).rounded() / 100 } == [0.55, 1.05])
    }

    @Test func aServerErrorIsNotRetriedForResetMFA() async throws {
        let transport = StubTransport { request, _ in
            request.method == "GET" ? .json(200, OktaRoutes.factors) : .json(500, #"{"errorCode":"E0000009"}"#, requestID: "req-500")
        }
        let (directory, _) = try client(transport)
        await #expect {
            _ = try await directory.resetFactors(userID: "00u1")
        } throws: { error in
            let error = error as? DirectoryError
            return error?.kind == .outcomeUnknown && error?.requestID == "req-500" && error?.message.contains("(Okta answered 500; a call that is not safe to repeat was not sent again)") == true
        }
        #expect(transport.lines.filter { $0.hasPrefix("POST") }.count == 1)
    }

    @Test func aTimeoutIsRetriedForDeleteButNotForLifecycleCalls() async throws {
        let flaky = StubTransport { _, index in
            if index == 0 { throw TransportFailure.noAnswer("The request timed out.") }
            return .empty()
        }
        _ = try await client(flaky).0.revokeSessions(userID: "00u1", oauthTokens: false)
        #expect(flaky.requests.count == 2)

        let lost = StubTransport { _, _ in throw TransportFailure.noAnswer("The request timed out.") }
        await #expect { _ = try await client(lost).0.suspend(userID: "00u1") } throws: { error in
            (error as? DirectoryError)?.kind == .outcomeUnknown
                && (error as? DirectoryError)?.message.contains("(no answer (The request timed out.); a call that is not safe to repeat was not sent again)") == true
        }
        #expect(lost.requests.count == 1)

        // A later try that ends the call says what the first that may have reached Okta met.
        let answeredThenGone = StubTransport { _, index in
            if index == 0 { return .json(500, #"{"errorCode":"E0000009"}"#) }
            throw TransportFailure.notSent("Could not connect to the server.")
        }
        await #expect { _ = try await client(answeredThenGone).0.revokeSessions(userID: "00u1", oauthTokens: false) } throws: { error in
            (error as? DirectoryError)?.message.contains("(an earlier try got 500; the next was not sent (Could not connect to the server.))") == true
        }

        // A call that is safe to repeat says it was, and how often.
        let stalled = StubTransport { _, _ in throw TransportFailure.noAnswer("The request timed out.") }
        await #expect { _ = try await client(stalled).0.revokeSessions(userID: "00u1", oauthTokens: false) } throws: { error in
            let message = (error as? DirectoryError)?.message ?? ""
            return (error as? DirectoryError)?.kind == .outcomeUnknown && message.contains("(no answer from acme.okta.com after 4 tries (The request timed out.))")
        }

        let refused = StubTransport { _, _ in throw TransportFailure.notSent("Could not connect to the server.") }
        await #expect { _ = try await client(refused).0.suspend(userID: "00u1") } throws: { ($0 as? DirectoryError)?.kind == .unavailable }
    }

    @Test(arguments: [
        (401, #"{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","errorId":"oaeX","errorCauses":[]}"#, DirectoryError.Kind.unauthorized, "invalid, expired or revoked"),
        (403, #"{"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action","errorCauses":[]}"#, .forbidden, "lacks the permission"),
        (404, #"{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: 00u9 (User)"}"#, .notFound, "no such"),
        (400, #"{"errorCode":"E0000041","errorSummary":"Credentials should not be set on this resource based on the scheme.","errorCauses":{"errorSummary":"User level credentials should not be provided for this scheme."}}"#, .invalid, "User level credentials"),
        (400, #"{"errorCode":"E0000001,","errorSummary":"Api validation failed: x","errorCauses":[{"errorSummary":"login: An object with this field already exists"}]}"#, .invalid, "already exists"),
        (500, #"{"errorCode":"E0000009","errorSummary":"Internal Server Error","errorLink":"E0000000","errorId":"sampleX"}"#, .unavailable, "could not be reached or failed"),
        (502, "<html>Bad gateway</html>", .unavailable, "HTTP 502"),
    ] as [(Int, String, DirectoryError.Kind, String)])
    func errorShapesDecode(status: Int, body: String, kind: DirectoryError.Kind, phrase: String) async throws {
        let transport = StubTransport(always: .json(status, body, requestID: "req-\(status)"))
        let (directory, _) = try client(transport) { $0.maxRetries = 0 }
        await #expect {
            _ = try await directory.user(.id("00u9"))
        } throws: { error in
            guard let error = error as? DirectoryError else { return false }
            return error.kind == kind && error.httpStatus == status && error.requestID == "req-\(status)" && error.description.contains(phrase)
        }
    }

    @Test func causesAndIDsAreKeptOnTheError() async throws {
        let body = #"{"errorCode":"E0000001","errorSummary":"Api validation failed","errorId":"oae123","errorCauses":[{"errorSummary":"first"},{"errorSummary":"second"}]}"#
        let transport = StubTransport(always: .json(400, body, requestID: "req-9"))
        do {
            _ = try await client(transport).0.suspend(userID: "00u1")
            Issue.record("expected an error")
        } catch let error as DirectoryError {
            #expect(error.errorCode == "E0000001")
            #expect(error.summary == "Api validation failed")
            #expect(error.causes == ["first", "second"])
            #expect(error.errorID == "oae123")
            #expect(error.requestID == "req-9")
            #expect(error.description.contains("first; second"))
        }
    }

    @Test func theTokenNeverAppearsInAnErrorEvenWhenTheServerEchoesIt() async throws {
        let echo = #"{"errorCode":"E0000011","errorSummary":"Invalid token SSWS \#(Self.token)","errorCauses":[{"errorSummary":"\#(Self.token)"}],"errorId":"\#(Self.token)"}"#
        let responses: [HTTPResponse] = [.json(401, echo, requestID: Self.token), .json(500, echo), .json(429, echo, headers: ["X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "\(reset)"])]
        for response in responses {
            let (directory, _) = try client(StubTransport(always: response)) { $0.maxRetries = 0; $0.maxRateLimitWaits = 0 }
            do {
                _ = try await directory.user(.id("00u1"))
                Issue.record("expected an error")
            } catch {
                let texts = ["\(error)", String(describing: error), String(reflecting: error), (error as? DirectoryError)?.message ?? ""]
                for text in texts { #expect(!text.contains(Self.token), "\(text)") }
            }
        }
        let failing = StubTransport { _, _ in throw TransportFailure.notSent("cannot connect with \(Self.token)") }
        do {
            _ = try await client(failing).0.user(.id("00u1"))
        } catch {
            #expect(!"\(error)".contains(Self.token))
        }
        let settings = OktaSettings(org: try OrgURL("https://acme.okta.com"), token: try APIToken(Self.token))
        for text in ["\(settings)", String(reflecting: settings), "\(settings.token as Any)", String(reflecting: settings.token as Any)] {
            #expect(!text.contains(Self.token), "\(text)")
        }
    }

    @Test func inFlightRequestsStayUnderTheConfiguredLimit() async throws {
        let peak = PeakCounter()
        let transport = SlowTransport(peak: peak)
        var settings = OktaSettings(org: try OrgURL("https://acme.okta.com"), token: try APIToken(Self.token))
        settings.maxInFlight = 3
        let directory = OktaDirectory(client: OktaHTTPClient(settings: settings, transport: transport, clock: clock, sleeper: RecordingSleeper(clock: clock)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<30 { group.addTask { _ = try await directory.user(.id("00u1")) } }
            try await group.waitForAll()
        }
        #expect(peak.total == 30)
        #expect(peak.peak <= 3)
        #expect(peak.peak >= 2, "requests do run concurrently")
    }
}

/// Counts how many callers are inside at once.
final class PeakCounter: Sendable {
    private let state = Mutex((now: 0, peak: 0, total: 0, entries: [Int]()))
    func enter() { state.withLock { $0.now += 1; $0.total += 1; $0.peak = max($0.peak, $0.now); $0.entries.append($0.now) } }
    /// How many were inside (including the newcomer) at each entry.
    var entries: [Int] { state.withLock { $0.entries } }
    func leave() { state.withLock { $0.now -= 1 } }
    var peak: Int { state.withLock { $0.peak } }
    var total: Int { state.withLock { $0.total } }
}

/// A transport whose answers take 5 ms without holding a thread.
struct SlowTransport: HTTPTransport {
    let peak: PeakCounter

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        peak.enter()
        try await Task.sleep(nanoseconds: 5_000_000)
        peak.leave()
        return .json(200, OktaRoutes.user)
    }
}

import Synchronization

/// Wraps a transport, counting requests in flight.
struct CountingTransport: HTTPTransport {
    let inner: StubTransport
    let peak: PeakCounter

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        peak.enter()
        defer { peak.leave() }
        try await Task.sleep(nanoseconds: 2_000_000)
        return try await inner.send(request)
    }
}

/// A sleeper whose every wait is cancelled (the service stopping).
struct CancelledSleeper: Sleeper {
    func sleep(seconds: TimeInterval) async throws { throw CancellationError() }
}
