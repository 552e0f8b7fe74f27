import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import OktaClient
import Synchronization
import Testing

/// An async transport: a closure that may wait.
final class AsyncStub: HTTPTransport {
    let responder: @Sendable (HTTPRequest) async throws -> HTTPResponse
    let log = Mutex<[HTTPRequest]>([])
    init(_ responder: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) { self.responder = responder }
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        log.withLock { $0.append(request) }
        return try await responder(request)
    }
}

/// What a second review of the service app's client found, held: concurrent nonce challenges, doctor's
/// refusals scrubbed, an echoed token cut short, hostile challenges, renewal waiters under
/// cancellation, the rate limiter when no token comes, secret files that are not files.
@Suite struct OAuthClientEdgeTests {
    let clock = ManualClock(Date(timeIntervalSince1970: 1_795_000_000))

    func http(_ transport: any HTTPTransport, dpop: Bool = true) throws -> OktaHTTPClient {
        let app = OAuthApp(clientID: "0oaservice00000000001", key: try SigningKey.generateP256(), scopes: OAuthApp.defaultScopes, dpop: dpop)
        return OktaHTTPClient(settings: OktaSettings(org: try OrgURL("https://acme.okta.com"), credential: .oauth(app)),
                              transport: transport, clock: clock, sleeper: RecordingSleeper(clock: clock), jitter: { 0.05 })
    }
    static func isToken(_ r: HTTPRequest) -> Bool { r.url.path == "/oauth2/v1/token" }
    static func token(_ v: String, _ type: String = "DPoP") -> HTTPResponse {
        .json(200, #"{"access_token":"\#(v)","token_type":"\#(type)","expires_in":3600}"#)
    }
    static func proofNonce(_ proof: String?) -> String? {
        guard let proof, let part = proof.split(separator: ".").dropFirst().first else { return nil }
        var b = String(part).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b.count % 4 != 0 { b += "=" }
        guard let data = Data(base64Encoded: b), let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return obj["nonce"] as? String
    }

    // Two changes in flight when Okta starts asking for a nonce: both should be answered with it.
    @Test(.timeLimit(.minutes(1))) func concurrentNonceChallenge() async throws {
        let tokenCalls = Atomic<Int>(0)
        let arrived = Atomic<Int>(0)
        let transport = AsyncStub { request in
            if Self.isToken(request) { let n = tokenCalls.add(1, ordering: .relaxed).newValue; return Self.token("tok\(n)") }
            if request.url.path.hasSuffix("warm") || request.headers["DPoP"] == nil { return .json(200, "{}") }
            let nonce = Self.proofNonce(request.headers["DPoP"])
            if nonce == "N1" { return .json(200, "{}") }
            // a first try without the nonce: wait until the other change is in flight too
            arrived.add(1, ordering: .relaxed)
            for _ in 0..<2000 where arrived.load(ordering: .relaxed) < 2 { try await Task.sleep(nanoseconds: 1_000_000) }
            return .json(401, "{}", headers: ["WWW-Authenticate": #"DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof""#, "DPoP-Nonce": "N1"])
        }
        let client = try http(transport)
        // warm the users bucket so that two calls may be in flight together
        _ = try? await client.send(OktaCall(.getUser, ["00uwarm"]))
        arrived.store(0, ordering: .relaxed)
        async let a: Result<OktaHTTPClient.Answer, DirectoryError> = { do { return .success(try await client.send(OktaCall(.unlockUser, ["00u1"]))) } catch { return .failure(error as! DirectoryError) } }()
        async let b: Result<OktaHTTPClient.Answer, DirectoryError> = { do { return .success(try await client.send(OktaCall(.suspendUser, ["00u2"]))) } catch { return .failure(error as! DirectoryError) } }()
        let results = await [a, b]
        let failures = results.compactMap { if case .failure(let e) = $0 { return "\(e.kind): \(e.message)" } else { return nil } }
        #expect(failures.isEmpty, "two POSTs refused together for a DPoP nonce: one retried, the other \(failures) (token requests \(tokenCalls.load(ordering: .relaxed)), arrived \(arrived.load(ordering: .relaxed)))")
        #expect(tokenCalls.load(ordering: .relaxed) == 1, "a nonce challenge discarded a good token: \(tokenCalls.load(ordering: .relaxed)) token requests")
    }

    // checkSetup (doctor) builds refusals with settings.scrub only, which is a no-op for OAuth.
    @Test func checkSetupScrubsEchoedTokenAndProof() async throws {
        let transport = AsyncStub { request in
            if Self.isToken(request) { return Self.token("opaqueSECRETaccessTOKEN1234") }
            let auth = request.headers["Authorization"] ?? ""
            let proof = request.headers["DPoP"] ?? ""
            return .json(403, #"{"errorCode":"E0000006","errorSummary":"denied for \#(auth)","errorCauses":[{"errorSummary":"proof \#(proof)"}]}"#)
        }
        let client = try http(transport)
        let report = await client.checkSetup()
        let text = report.reads.map { "\($0.refusal.map { "\($0.message) \($0.causes)" } ?? "")" }.joined(separator: " | ")
        #expect(!text.contains("opaqueSECRETaccessTOKEN1234"), "doctor's checkSetup carries the access token: \(text.prefix(300))")
        #expect(!text.contains("eyJ"), "doctor's checkSetup carries a DPoP proof JWT: \(text.prefix(300))")
    }

    // A refused proof's description cut at 120 before scrubbing: a token split by the cut is not found.
    @Test func truncatedEchoOfOpaqueToken() async throws {
        let secret = String(repeating: "S", count: 200)
        let transport = AsyncStub { request in
            if Self.isToken(request) { return Self.token(secret) }
            return .json(401, "{}", headers: ["WWW-Authenticate": #"DPoP error="invalid_dpop_proof", error_description="bad for \#(secret)""#])
        }
        let client = try http(transport)
        do { _ = try await client.send(OktaCall(.getUser, ["00u1"])); Issue.record("expected error") } catch {
            #expect(!error.message.contains(String(repeating: "S", count: 40)), "part of an echoed opaque token survives the scrub after a cut: \(error.message)")
        }
    }

    @Test func challengeParserOnHostileHeaders() {
        let inputs = ["", ",", ",,,,,,", " , , ", "\"", "DPoP error=\"", "DPoP error=\"abc\\", String(repeating: "=", count: 4096),
                      String(repeating: "a=", count: 2048), String(repeating: "a ", count: 2048), String(repeating: ",", count: 4096),
                      "DPoP =", "DPoP error==", "DPoP error=,", "\u{0}\u{1}", "DPoP e\u{301}rror=\"x\"", String(repeating: "\"", count: 4096),
                      "DPoP " + String(repeating: "a=\"b\", ", count: 500)]
        let start = Date()
        for input in inputs { _ = AuthChallenge.parse(input) }
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("DPoP Bearer error=\"use_dpop_nonce\",\\ =\"\t\r\n;:é\u{301}")
        for _ in 0..<5_000 {
            let n = Int.random(in: 0..<200, using: &rng)
            _ = AuthChallenge.parse(String((0..<n).map { _ in alphabet.randomElement(using: &rng)! }))
        }
        #expect(Date().timeIntervalSince(start) < 20, "parse slow")
        // a token68 challenge before the DPoP one hides it
        let both = AuthChallenge.parse(#"Basic YWxh==, DPoP error="use_dpop_nonce""#)
        #expect(both.contains { $0.scheme == "dpop" }, "a token68 challenge before DPoP's hides it: \(both)")
        let emptyValue = AuthChallenge.parse(#"DPoP error="use_dpop_nonce", error_description=, algs="ES256""#)
        #expect(emptyValue.contains { $0.error == "use_dpop_nonce" }, "one empty parameter drops the challenge: \(emptyValue)")
    }

    // Many callers of one renewal, some cancelled before, during, after: no double resume, no hang.
    @Test(.timeLimit(.minutes(1))) func renewalWaitersUnderCancellation() async throws {
        let count = Atomic<Int>(0)
        let transport = AsyncStub { request in
            let n = count.add(1, ordering: .relaxed).newValue
            try? await Task.sleep(nanoseconds: UInt64.random(in: 0...2_000_000))
            if n % 7 == 0 { return .json(503, #"{"error":"server_error"}"#) }
            return Self.token("tok\(n)")
        }
        let client = try http(transport)
        let tokens = try #require(client.tokens)
        for round in 0..<200 {
            if let t = try? await tokens.current() { await tokens.discard(["Authorization": "DPoP \(t.value)"]) }
            await withTaskGroup(of: Void.self) { group in
                for i in 0..<20 {
                    let task = Task { _ = try? await tokens.current() }
                    if i % 3 == 0 { task.cancel() }
                    group.addTask {
                        if i % 3 == 1 { try? await Task.sleep(nanoseconds: UInt64.random(in: 0...1_000_000)); task.cancel() }
                        _ = await task.result
                    }
                }
            }
            _ = round
        }
        // a caller already cancelled, with a renewal needed
        if let t = try? await tokens.current() { await tokens.discard(["Authorization": "DPoP \(t.value)"]) }
        let pre = Task { () -> String in
            withUnsafeCurrentTask { $0?.cancel() }
            do { _ = try await tokens.current(); return "token" } catch { return (error as! DirectoryError).message }
        }
        let r = await pre.value
        #expect(r.contains("stopped"), "pre-cancelled caller: \(r)")
    }

    // authorize() throws: the bucket's flight count goes back to 0 and the first-reading waiters wake.
    @Test(.timeLimit(.minutes(1))) func rateLimiterBalancedWhenTokenFails() async throws {
        let transport = AsyncStub { request in
            if Self.isToken(request) { try? await Task.sleep(nanoseconds: 5_000_000); return .json(400, #"{"error":"invalid_client","error_description":"nope"}"#) }
            return .json(200, "{}")
        }
        let client = try http(transport)
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<30 { group.addTask { _ = try? await client.send(OktaCall(.getUser, ["00u\(i)"])) } }
        }
        let bucket = OktaCall(.getUser, ["00u1"]).endpoint.bucket
        let snap = await client.rateLimiter.snapshot(bucket)
        #expect((snap?.inFlight ?? 0) == 0, "bucket in flight \(String(describing: snap))")
    }

    @Test func secretFileOnFIFOAndDevice() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("r17b-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let fifo = dir.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let start = Date()
        #expect(throws: DirectoryError.self) { _ = try SecretFile.read(fifo, what: "key") }
        #expect(throws: DirectoryError.self) { _ = try SecretFile.read("/dev/zero", what: "key") }
        #expect(throws: DirectoryError.self) { _ = try SecretFile.read(dir.path, what: "key") }
        #expect(Date().timeIntervalSince(start) < 10, "SecretFile blocked on a FIFO")
    }
}
