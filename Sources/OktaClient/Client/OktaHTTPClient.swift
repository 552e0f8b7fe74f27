import Foundation
import HelpdeskCore

/// Sends calls to the Okta org: authentication, timeouts, rate limits, bounded concurrency,
/// retries only where repeating is safe, pagination through `Link` headers, and typed errors
/// that keep Okta's request id and never the token.
public final class OktaHTTPClient: Sendable {
    let settings: OktaSettings
    private let transport: any HTTPTransport
    let clock: any Clock
    private let sleeper: any Sleeper
    let rateLimiter: RateLimiter
    private let inFlight: ConcurrencyLimiter
    private let backoffJitter: @Sendable () -> TimeInterval
    /// The service app's access tokens, when the credential is OAuth (nil for an API token).
    let tokens: AccessTokenSource?
    private let credentialProblem: DirectoryError?

    public init(
        settings: OktaSettings, transport: any HTTPTransport = CurlTransport(), clock: any Clock = SystemClock(),
        sleeper: any Sleeper = TaskSleeper(), jitter: @escaping @Sendable () -> TimeInterval = { Double.random(in: 0.02...0.15) }
    ) {
        self.settings = settings
        self.transport = transport
        self.clock = clock
        self.sleeper = sleeper
        rateLimiter = RateLimiter(clock: clock, sleeper: sleeper, jitter: jitter)
        inFlight = ConcurrencyLimiter(limit: min(settings.maxInFlight, 75))
        backoffJitter = jitter
        var problem: DirectoryError?
        if case .oauth(let app) = settings.credential {
            do {
                tokens = try AccessTokenSource(app: app, org: settings.org, transport: transport, clock: clock, timeout: settings.timeout)
            } catch {
                tokens = nil
                problem = error
            }
        } else {
            tokens = nil
        }
        credentialProblem = problem
    }

    /// A successful answer with Okta's request id.
    struct Answer: Sendable {
        let response: HTTPResponse
        var requestID: String? { response.header("X-Okta-Request-Id").map(OktaHTTPClient.shortID) }
    }

    /// Sends one call. Non-2xx answers become `DirectoryError`s; 404 stays a `.notFound` for callers to interpret.
    func send(_ call: OktaCall) async throws(DirectoryError) -> Answer {
        try await send(call, url: call.url(on: settings.org))
    }

    /// Waits until a call to `endpoint` would not wait for Okta's rate limit (a cancelled wait ends at once).
    func waitForRoom(_ endpoint: Endpoint) async {
        try? await rateLimiter.waitForRoom(endpoint.bucket)
    }

    /// How long ago Okta's rate limit last held a call to `endpoint` back, if ever.
    func sinceHeldBack(_ endpoint: Endpoint) async -> Duration? {
        await rateLimiter.sinceHeldBack(endpoint.bucket).map { .seconds($0) }
    }

    /// Sends one call; a 404 answer is nil (already gone, not assigned) instead of an error.
    func sendUnlessNotFound(_ call: OktaCall) async throws(DirectoryError) -> Answer? {
        do {
            return try await send(call)
        } catch {
            if error.kind == .notFound { return nil }
            throw error
        }
    }

    /// Sends a GET and follows `Link: <…>; rel="next"` until there is none: at most `maxPages`
    /// pages and 32 MiB in all, never the same page twice, never to another host. A list longer
    /// than that is refused, never returned cut short (a missing sharer of an email, a missing
    /// group a temporary grant must not revoke).
    func sendAll(_ call: OktaCall, maxPages: Int = 50) async throws(DirectoryError) -> [Answer] {
        var answers: [Answer] = []
        var url = call.url(on: settings.org)
        var seen: Set<URL> = [url]
        var bytes = 0
        for _ in 0..<maxPages {
            let answer = try await send(call, url: url)
            answers.append(answer)
            bytes += answer.response.body.count
            guard let next = LinkHeader.next(answer.response.header("Link")) else { return answers }
            guard settings.org.isSameOrigin(next) else {
                throw DirectoryError(kind: .invalid, summary: settings.scrub("Okta sent a next-page link to another host (\(TextSafety.quoted(next.host ?? "?", limit: 80))); it was not followed"), subject: call.subject)
            }
            guard seen.insert(next).inserted else {
                throw DirectoryError(kind: .invalid, summary: "Okta's next-page links go round in a circle; the list was not read", subject: call.subject)
            }
            guard bytes <= Self.maxListBytes else {
                throw DirectoryError(kind: .invalid, summary: "Okta's pages came to more than 32 MiB; the list was not read", subject: call.subject)
            }
            url = next
        }
        throw DirectoryError(kind: .invalid, summary: "Okta's list ran to more than \(maxPages) pages; it was not read", subject: call.subject)
    }

    /// The most all pages of one list may hold.
    static let maxListBytes = 32 << 20

    private func send(_ call: OktaCall, url: URL) async throws(DirectoryError) -> Answer {
        do {
            return try await sendOnce(call, url: url)
        } catch {
            guard case .oauth = settings.credential, let tokens else { throw error }
            // An answer that echoed the request must not carry a token or a JWT on into messages.
            var marked = await error.scrubbed { text in await tokens.scrub(JWTText.redacted(text)) }
            marked.viaServiceApp = true
            throw marked
        }
    }

    private func sendOnce(_ call: OktaCall, url: URL) async throws(DirectoryError) -> Answer {
        try Self.check(call)
        let safe = call.endpoint.repeatRule == .safe
        // A call that changes Okta (a run's call) is never sent after the run's deadline, however
        // long rate limits and retries took; and once one try of it may have reached Okta, failing
        // to get an answer means "outcome unknown", never "failed".
        let changes = call.endpoint.method != "GET"
        let request = HTTPRequest(method: call.endpoint.method, url: url, headers: [:], body: call.body,
                                  timeout: settings.timeout, mayRepeat: safe, sendBy: changes ? ActionDeadline.current : nil)
        var failures = 0
        var nonceAnswered = false
        var tokenRenewed = false
        var rateLimitWaits = 0
        var mayHaveActed = false
        // What the first try that may have reached Okta met: said when a later try ends the call.
        var earlier = "got no answer"
        func unknown(_ summary: String?, status: Int? = nil, requestID: String? = nil) -> DirectoryError {
            DirectoryError(kind: .outcomeUnknown, httpStatus: status, summary: summary.map(settings.scrub), requestID: requestID.map(Self.shortID), subject: call.subject)
        }
        while true {
            // Every try carries its own proof (a DPoP proof is good for one request), made once the
            // rate limit and the concurrency limit let the try go.
            let hasBody = call.body != nil
            let outcome = await attempt(request, bucket: call.endpoint.bucket) { [self] () throws(DirectoryError) in
                try await headers(method: request.method, url: url, hasBody: hasBody)
            }
            if case .answered(let response) = outcome, let tokens, let nonce = response.header("DPoP-Nonce"), AccessTokenSource.isNonce(nonce) {
                await tokens.useAPINonce(nonce)
                // Refused for its nonce alone, before Okta acted: sent again with the nonce Okta gave
                // (if it is not the one this proof carried), once.
                if response.status == 401, !nonceAnswered, response.requestHeaders["DPoP"] != nil, nonce != response.requestNonce,
                   AuthChallenge.parse(response.header("WWW-Authenticate")).contains(where: { $0.scheme == "dpop" && $0.error == "use_dpop_nonce" }) {
                    nonceAnswered = true
                    continue
                }
            }
            switch outcome {
            case .credentialFailed(let error):
                if mayHaveActed { throw unknown("an earlier try \(earlier); the next had no credential (\(error.message))") }
                throw error
            case .answered(let response) where (200..<300).contains(response.status):
                guard Self.mayBeOktas(response.body) else {
                    // A proxy or a captive portal answering for Okta: whatever it says, Okta may not have seen the call.
                    let type = TextSafety.quoted(response.header("Content-Type") ?? "no content type", limit: 60)
                    let said = "the answer (HTTP \(response.status), \(type)) was not Okta's JSON; a proxy may have answered in its place"
                    if changes { throw unknown(said, status: response.status, requestID: response.header("X-Okta-Request-Id")) }
                    throw DirectoryError(kind: .invalid, httpStatus: response.status, summary: said, subject: call.subject)
                }
                return Answer(response: response)
            case .answered(let response) where response.status == 401 && tokens != nil:
                let challenges = AuthChallenge.parse(response.header("WWW-Authenticate"))
                let requestID = response.header("X-Okta-Request-Id").map(Self.shortID)
                if let proof = challenges.first(where: { $0.error == "invalid_dpop_proof" || $0.error == "use_dpop_nonce" }) {
                    if mayHaveActed { throw unknown("an earlier try \(earlier), then Okta refused the DPoP proof", status: 401, requestID: requestID) }
                    var said = ""
                    if let description = proof.description, let tokens { said = " (\(TextSafety.quoted(await tokens.scrub(JWTText.redacted(description)), limit: 120)))" }
                    throw DirectoryError(kind: .unauthorized, httpStatus: 401, errorCode: proof.error,
                                         summary: "Okta refused the DPoP proof\(said): check this host's clock", requestID: requestID, subject: call.subject)
                }
                // The token expired or was revoked: renewed once, and the call sent again only if that is safe.
                if let tokens, !tokenRenewed {
                    await tokens.discard(response.requestHeaders)
                    tokenRenewed = true
                    if safe { continue }
                }
                if mayHaveActed { throw unknown("an earlier try \(earlier), then Okta refused the access token", status: 401, requestID: requestID) }
                throw DirectoryError(kind: .unauthorized, httpStatus: 401, summary: "Okta refused the access token" + (safe ? "" : "; the call was not sent again, as it is not safe to repeat — ask again"),
                                     requestID: requestID, subject: call.subject)
            case .answered(let response) where response.status == 403 && (response.header("WWW-Authenticate") ?? "").contains("insufficient_scope"):
                throw DirectoryError(kind: .forbidden, httpStatus: 403, summary: "the service app lacks the scope \(call.endpoint.scope): grant it in the Admin Console → Applications → the app → "
                                     + "Okta API Scopes, and add it to okta.scopes", requestID: response.header("X-Okta-Request-Id").map(Self.shortID), subject: call.subject)
            case .answered(let response) where response.status == 429:
                rateLimitWaits += 1
                let resetAt = await rateLimiter.resetTime(call.endpoint.bucket)
                if rateLimitWaits > settings.maxRateLimitWaits {
                    if mayHaveActed { throw unknown("an earlier try \(earlier), then Okta kept rate limiting") }
                    throw .from(response: response, subject: call.subject, retryAt: resetAt, scrub: settings.scrub)
                }
                // The next acquire waits for the reset: a 429 means Okta did not act, so any call may be resent.
            case .answered(let response) where response.status >= 500:
                failures += 1
                let requestID = response.header("X-Okta-Request-Id")
                guard safe else { throw unknown("Okta answered \(response.status); a call that is not safe to repeat was not sent again", status: response.status, requestID: requestID) }
                if changes, !mayHaveActed { earlier = "got \(response.status)" }
                if changes { mayHaveActed = true }
                guard failures <= settings.maxRetries else {
                    if mayHaveActed { throw unknown("Okta answered \(response.status) \(failures) times", status: response.status, requestID: requestID) }
                    throw .from(response: response, subject: call.subject, retryAt: nil, scrub: settings.scrub)
                }
                if await !backoff(failures) {
                    if mayHaveActed { throw unknown("stopped while waiting to retry after Okta answered \(response.status)", status: response.status, requestID: requestID) }
                    throw DirectoryError(kind: .unavailable, summary: "stopped while waiting to retry", subject: call.subject)
                }
            case .answered(let response) where changes && response.status == 404 && OktaErrorBody.parse(response.body)?.isOktas != true:
                // Not Okta's "not found": whatever answered, Okta may have had the call.
                throw unknown("HTTP 404 without Okta's error; a proxy may have answered in its place", status: 404, requestID: response.header("X-Okta-Request-Id"))
            case .answered(let response):
                throw .from(response: response, subject: call.subject, retryAt: nil, scrub: settings.scrub)
            case .notSent(let reason):
                if mayHaveActed { throw unknown("an earlier try \(earlier); the next was not sent (\(reason))") }
                throw DirectoryError(kind: .unavailable, summary: "not sent to \(settings.org.host): \(settings.scrub(reason))", subject: call.subject)
            case .tooLarge(let size):
                guard !changes else { throw unknown("Okta's answer was \(size) bytes, more than the client reads; it was dropped unread") }
                throw DirectoryError(kind: .invalid, summary: "Okta's answer was \(size) bytes, more than the client reads (\(Self.maxAnswer)); it was dropped unread", subject: call.subject)
            case .noAnswer(let reason):
                failures += 1
                guard safe else { throw unknown("no answer (\(reason)); a call that is not safe to repeat was not sent again") }
                if changes, !mayHaveActed { earlier = "got no answer" }
                if changes { mayHaveActed = true }
                guard failures <= settings.maxRetries else {
                    if mayHaveActed { throw unknown("no answer from \(settings.org.host) after \(failures) tries (\(reason))") }
                    throw DirectoryError(kind: .unavailable, summary: "no answer from \(settings.org.host) after \(failures) tries (\(settings.scrub(reason)))", subject: call.subject)
                }
                if await !backoff(failures) {
                    if mayHaveActed { throw unknown("stopped while waiting to retry after a try got no answer (\(reason))") }
                    throw DirectoryError(kind: .unavailable, summary: "stopped while waiting to retry", subject: call.subject)
                }
            }
        }
    }

    /// Okta answers with JSON (an object or a list) or with nothing: anything else came from something else.
    static func mayBeOktas(_ body: Data) -> Bool {
        guard let first = body.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { return true }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }

    /// A path value Okta gave back (an id) must be one: not empty, not `.` or `..`, not huge —
    /// otherwise a lying answer could aim a DELETE at another resource.
    static func check(_ call: OktaCall) throws(DirectoryError) {
        for value in call.pathValues where value.isEmpty || value.utf8.count > 512 || value.allSatisfy({ $0 == "." }) {
            throw DirectoryError(kind: .invalid, summary: "\"\(TextSafety.quoted(value, limit: 40))\" cannot be an Okta id or login; nothing was sent", subject: call.subject)
        }
    }

    /// Okta's request ids are short; a longer one is cut before it goes on the timeline.
    static func shortID(_ id: String) -> String {
        id.count > 128 ? String(id.prefix(128)) + "…" : id
    }

    /// What one probe of the org met: an answer of any status, or no answer at all.
    enum ProbeOutcome {
        case answered(HTTPResponse)
        case unreachable(String)
    }

    /// Sends a GET once, with no retry (a setup check must show the first answer), and hands back whatever came back.
    func probe(_ call: OktaCall) async -> ProbeOutcome {
        let url = call.url(on: settings.org)
        let request = HTTPRequest(method: call.endpoint.method, url: url, timeout: settings.timeout)
        let outcome = await attempt(request, bucket: call.endpoint.bucket) { [self] () throws(DirectoryError) in
            try await headers(method: call.endpoint.method, url: url, hasBody: false)
        }
        switch outcome {
        case .credentialFailed(let error):
            guard let tokens else { return .unreachable(error.message) }
            return .unreachable(await error.scrubbed { await tokens.scrub(JWTText.redacted($0)) }.message)
        case .answered(let response): return .answered(response)
        case .notSent(let reason), .noAnswer(let reason): return .unreachable(settings.scrub(reason))
        case .tooLarge(let size): return .unreachable("an answer of \(size) bytes, more than the client reads")
        }
    }

    private enum Outcome {
        case answered(HTTPResponse)
        case notSent(String)
        case noAnswer(String)
        case tooLarge(Int)
        /// No credential for the try (no access token): nothing was sent.
        case credentialFailed(DirectoryError)
    }

    /// For messages: the transport's answer limit.
    static let maxAnswer = "8 MiB"

    /// One send, inside the concurrency limit and the bucket's allowance, with the headers `authorize`
    /// makes once both let it go.
    private func attempt(_ request: HTTPRequest, bucket: String, authorize: () async throws(DirectoryError) -> (headers: [String: String], nonce: String?)) async -> Outcome {
        do {
            try await rateLimiter.acquire(bucket)
        } catch {
            return .notSent("cancelled while waiting for Okta's rate limit")
        }
        do {
            try await inFlight.acquire()
        } catch {
            await rateLimiter.finish(bucket, response: nil)
            return .notSent("cancelled while waiting for a free connection to Okta")
        }
        var request = request
        let nonce: String?
        do {
            (request.headers, nonce) = try await authorize()
        } catch {
            await inFlight.release()
            await rateLimiter.finish(bucket, response: nil)
            return .credentialFailed(error)
        }
        let outcome: Outcome
        do {
            var response = try await transport.send(request)
            response.requestHeaders = request.headers
            response.requestNonce = nonce
            outcome = .answered(response)
        } catch let failure as TransportFailure {
            switch failure {
            case .notSent(let reason): outcome = .notSent(reason)
            case .noAnswer(let reason): outcome = .noAnswer(reason)
            case .tooLarge(let size): outcome = .tooLarge(size)
            }
        } catch {
            outcome = .noAnswer(String(describing: error))
        }
        await inFlight.release()
        if case .answered(let response) = outcome {
            await rateLimiter.finish(bucket, response: response)
        } else {
            await rateLimiter.finish(bucket, response: nil)
        }
        return outcome
    }

    /// Waits before the next try; false when the wait was cancelled (the caller decides what that means).
    private func backoff(_ failures: Int) async -> Bool {
        let seconds = 0.5 * pow(2, Double(failures - 1)) + backoffJitter()
        return (try? await sleeper.sleep(seconds: seconds)) != nil
    }

    /// The headers of one try: the credential's (`SSWS …`, or an access token with a fresh DPoP proof) and the JSON
    /// ones; and the DPoP nonce the proof carries.
    private func headers(method: String, url: URL, hasBody: Bool) async throws(DirectoryError) -> (headers: [String: String], nonce: String?) {
        var headers = ["Accept": "application/json", "User-Agent": settings.userAgent]
        var nonce: String?
        switch settings.credential {
        case .apiToken(let token):
            headers["Authorization"] = "SSWS \(token.secret)"
        case .oauth:
            guard let tokens else { throw credentialProblem ?? DirectoryError(kind: .configuration, summary: "the OAuth service app could not be set up") }
            let authorization = try await tokens.headers(method: method, url: url)
            headers.merge(authorization.headers) { _, new in new }
            nonce = authorization.nonce
        }
        if hasBody { headers["Content-Type"] = "application/json" }
        return (headers, nonce)
    }

    /// Decodes a JSON answer; a body Okta should not have sent is a clear error, never a crash.
    func decode<T: Decodable>(_ type: T.Type, from answer: Answer, subject: String?) throws(DirectoryError) -> T {
        do {
            return try OktaJSON.decoder.decode(T.self, from: answer.response.body)
        } catch {
            throw DirectoryError(kind: .invalid, summary: "Okta's answer could not be read (\(T.self))", requestID: answer.requestID, subject: subject)
        }
    }
}

/// Okta's JSON dates: ISO 8601 with milliseconds.
enum OktaJSON {
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a date: \(text)")
            }
            return date
        }
        return decoder
    }()
}
