import Foundation
import HelpdeskCore

/// The access token of an OAuth service app, shared by every call of one client: asked for with
/// the client-credentials grant and a private-key JWT, bound to this process's DPoP key when the
/// app uses DPoP, kept until a few minutes before it expires, renewed by one request however many
/// calls need it at once. Nonces from Okta's `DPoP-Nonce` header go into the next proofs. The token,
/// the assertion and the proofs never leave this actor except as request headers.
actor AccessTokenSource {
    let app: OAuthApp
    let org: OrgURL
    let transport: any HTTPTransport
    let clock: any Clock
    let timeout: TimeInterval
    /// The process's DPoP key (nil when the app does not use DPoP).
    let proofKey: SigningKey?

    /// How long before its expiry a token is renewed (half its life, for a token that lives less than twice this).
    static let renewBefore: TimeInterval = 300

    struct Token: Sendable {
        let value: String
        /// `DPoP` or `Bearer`.
        let type: String
        let expiresAt: Date
        let scopes: [String]
        /// When to ask for the next one.
        let renewAt: Date
    }

    private var token: Token?
    private var renewal: Task<Void, Never>?
    private var tokenNonce: String?
    private var apiNonce: String?
    /// The token endpoint refused for its rate limit until then.
    private var blockedUntil: Date?
    /// The last tokens handed out, to be removed from any text Okta sends back.
    private var recent: [String] = []

    init(app: OAuthApp, org: OrgURL, transport: any HTTPTransport, clock: any Clock, timeout: TimeInterval) throws(DirectoryError) {
        self.app = app
        self.org = org
        self.transport = transport
        self.clock = clock
        self.timeout = timeout
        do {
            proofKey = app.dpop ? try SigningKey.generateP256() : nil
        } catch {
            throw DirectoryError(kind: .configuration, summary: "the DPoP \(error)")
        }
    }

    var tokenURL: URL { org.url.appendingPathComponent("oauth2/v1/token") }

    /// The headers that authorize one request: `Authorization`, and `DPoP` with a fresh proof; and
    /// the nonce that proof carries.
    func headers(method: String, url: URL) async throws(DirectoryError) -> (headers: [String: String], nonce: String?) {
        let token = try await current()
        guard token.type.caseInsensitiveCompare("DPoP") == .orderedSame, let proofKey else {
            return (["Authorization": "Bearer \(token.value)"], nil)
        }
        do {
            let nonce = apiNonce
            let proof = try DPoPProof.make(method: method, url: url, accessToken: token.value, nonce: nonce, key: proofKey, now: clock.now())
            return (["Authorization": "DPoP \(token.value)", "DPoP": proof], nonce)
        } catch {
            throw DirectoryError(kind: .configuration, summary: "a DPoP proof could not be signed (\(error))")
        }
    }

    /// A nonce Okta gave for API proofs (`DPoP-Nonce`); true when it is a new one. A value that is
    /// not a nonce (RFC 9449: 1*NQCHAR, here at most 200) is ignored.
    @discardableResult
    func useAPINonce(_ nonce: String) -> Bool {
        guard Self.isNonce(nonce), nonce != apiNonce else { return false }
        apiNonce = nonce
        return true
    }

    static func isNonce(_ text: String) -> Bool {
        (1...200).contains(text.utf8.count) && text.unicodeScalars.allSatisfy { $0.value == 0x21 || (0x23...0x5B).contains($0.value) || (0x5D...0x7E).contains($0.value) }
    }

    /// Removes the tokens handed out from text that came back (an error that echoes the request).
    func scrub(_ text: String) -> String {
        recent.reduce(text) { $0.replacingOccurrences(of: $1, with: "[redacted]") }
    }

    /// Okta refused this token (expired, revoked): the next call asks for a new one.
    func discard(_ headers: [String: String]) {
        guard let token, let used = headers["Authorization"], used.hasSuffix(" " + token.value) else { return }
        self.token = nil
    }

    /// The token, renewed when it is close to expiring; one renewal at a time.
    func current() async throws(DirectoryError) -> Token {
        if let token, clock.now() < token.renewAt { return token }
        do {
            let fresh = try await renewed()
            return fresh
        } catch {
            // An early renewal that failed leaves the token in use while it still has a while to live.
            if let token, token.expiresAt.timeIntervalSince(clock.now()) > 30 { return token }
            throw error
        }
    }

    /// Waits for the one renewal in flight (starting it if none is), or leaves when the caller is
    /// cancelled; the renewal itself goes on for the others.
    private func renewed() async throws(DirectoryError) -> Token {
        let id = UUID()
        let result: Result<Token, DirectoryError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiters[id] = continuation
                if Task.isCancelled { leave(id) } else { startRenewal() }
            }
        } onCancel: {
            Task { await self.leave(id) }
        }
        return try result.get()
    }

    private var waiters: [UUID: CheckedContinuation<Result<Token, DirectoryError>, Never>] = [:]

    private func leave(_ id: UUID) {
        waiters.removeValue(forKey: id)?.resume(returning: .failure(DirectoryError(kind: .unavailable, summary: "stopped while waiting for an access token")))
    }

    private func startRenewal() {
        guard renewal == nil else { return }
        renewal = Task {
            let result: Result<Token, DirectoryError>
            do {
                result = .success(try await self.request())
            } catch let error as DirectoryError {
                result = .failure(error)
            } catch {
                result = .failure(DirectoryError(kind: .unavailable, summary: "no access token: \(error)"))
            }
            self.finishRenewal(result)
        }
    }

    private func finishRenewal(_ result: Result<Token, DirectoryError>) {
        renewal = nil
        if case .success(let fresh) = result {
            token = fresh
            recent = Array((recent + [fresh.value]).suffix(4))
        }
        let waiting = waiters
        waiters = [:]
        for continuation in waiting.values { continuation.resume(returning: result) }
    }

    /// Asks the token endpoint, answering one `use_dpop_nonce` with the nonce it gave.
    private func request() async throws -> Token {
        if let blockedUntil, blockedUntil > clock.now() {
            throw DirectoryError(kind: .rateLimited, summary: "the token endpoint's rate limit is reached; no access token before \(Timestamp.iso8601(blockedUntil))",
                                 retryAt: blockedUntil, subject: "the token endpoint")
        }
        for attempt in 0..<3 {
            let response: HTTPResponse
            do {
                response = try await transport.send(try tokenRequest())
            } catch let failure as TransportFailure {
                throw DirectoryError(kind: .unavailable, summary: "no access token from \(org.host): \(failure)", subject: "the token endpoint")
            }
            let nonce = response.header("DPoP-Nonce").flatMap { Self.isNonce($0) ? $0 : nil }
            let answer = TokenAnswer.parse(response.body)
            if response.status == 400, answer?.error == "use_dpop_nonce", let nonce, nonce != tokenNonce {
                tokenNonce = nonce
                continue
            }
            if let nonce { tokenNonce = nonce }
            if response.status == 429 {
                // The token endpoint's own rate limit: wait for its reset (a minute at most) and ask again, or say when.
                let reset = response.header("X-Rate-Limit-Reset").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }.flatMap { $0.isFinite ? $0 : nil }
                let wait = min(max((reset ?? clock.now().timeIntervalSince1970 + 1) - clock.now().timeIntervalSince1970, 0.2), 60)
                blockedUntil = clock.now().addingTimeInterval(wait)
                guard attempt < 2 else { break }
                try await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000))
                continue
            }
            guard (200..<300).contains(response.status) else { throw Self.refusal(response, answer, app: app, sentProof: proofKey != nil) }
            guard let answer, let value = answer.accessToken, Self.isToken(value), let type = answer.tokenType else {
                throw DirectoryError(kind: .invalid, summary: "the token endpoint's answer held no usable access token", subject: "the token endpoint")
            }
            switch type.lowercased() {
            case "dpop" where proofKey != nil, "bearer" where proofKey == nil: break
            case "bearer":
                throw DirectoryError(kind: .configuration, summary: "Okta issued a Bearer token though a DPoP proof was sent: turn on \"Require Demonstrating Proof of Possession (DPoP) header "
                    + "in token requests\" on the app (Admin Console → Applications → the app → General), or set okta.dpop to false", subject: "the token endpoint")
            default:
                throw DirectoryError(kind: .invalid, summary: "the token endpoint answered a token of type \(TextSafety.quoted(type, limit: 20)); DPoP or Bearer only", subject: "the token endpoint")
            }
            let lifetime = min(max(answer.expiresIn ?? 3600, 60), 24 * 3600)
            let now = clock.now()
            return Token(value: value, type: type, expiresAt: now.addingTimeInterval(lifetime),
                         scopes: answer.scope?.split(separator: " ").map(String.init) ?? app.scopes,
                         renewAt: now.addingTimeInterval(max(lifetime - Self.renewBefore, lifetime / 2)))
        }
        if let blockedUntil, blockedUntil > clock.now() {
            throw DirectoryError(kind: .rateLimited, summary: "the token endpoint's rate limit is reached; no access token before \(Timestamp.iso8601(blockedUntil))",
                                 retryAt: blockedUntil, subject: "the token endpoint")
        }
        throw DirectoryError(kind: .unavailable, summary: "the token endpoint kept asking for a new DPoP nonce; no access token", subject: "the token endpoint")
    }

    /// An access token as it may go into a header: token68 characters, at most 8 KiB.
    static func isToken(_ text: String) -> Bool {
        (1...8192).contains(text.utf8.count) && text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "-._~+/=".unicodeScalars.contains(scalar))
        }
    }

    private func tokenRequest() throws -> HTTPRequest {
        let now = clock.now()
        let assertion = try ClientAssertion.make(clientID: app.clientID, tokenURL: tokenURL, keyID: app.keyID, key: app.key, now: now)
        let form = [
            ("grant_type", "client_credentials"), ("scope", app.scopes.joined(separator: " ")),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", assertion),
        ]
        var headers = ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"]
        if let proofKey {
            headers["DPoP"] = try DPoPProof.make(method: "POST", url: tokenURL, accessToken: nil, nonce: tokenNonce, key: proofKey, now: now)
        }
        let body = form.map { "\($0.0)=\(Self.formEncoded($0.1))" }.joined(separator: "&")
        return HTTPRequest(method: "POST", url: tokenURL, headers: headers, body: Data(body.utf8), timeout: timeout, mayRepeat: true)
    }

    private static func formEncoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? ""
    }

    /// Okta's refusal at the token endpoint, as a sentence that says where to fix it.
    static func refusal(_ response: HTTPResponse, _ answer: TokenAnswer?, app: OAuthApp, sentProof: Bool) -> DirectoryError {
        let code = answer?.error ?? "HTTP \(response.status)"
        let said = answer?.errorDescription.map { " (Okta: \(TextSafety.quoted(JWTText.redacted($0), limit: 200)))" } ?? ""
        let summary: String
        switch code {
        case "invalid_client":
            summary = "Okta refused the service app's credentials\(said): check the client id \(app.clientID), that the public key"
                + (app.keyID.map { " with kid \($0)" } ?? "") + " is added to the app (Admin Console → Applications → the app → General → Public keys), "
                + "and this host's clock (an assertion lives \(Int(ClientAssertion.lifetime / 60)) minutes)"
        case "invalid_scope":
            summary = "the service app is not granted every scope asked for (\(app.scopes.joined(separator: " ")))\(said): grant them in the Admin Console → "
                + "Applications → the app → Okta API Scopes, or ask for fewer in okta.scopes"
        case "invalid_dpop_proof" where !sentProof:
            summary = "the app requires DPoP\(said): set okta.dpop to true"
        case "invalid_dpop_proof":
            summary = "Okta refused the DPoP proof\(said): check this host's clock"
        case "unauthorized_client":
            summary = "the app may not use the client-credentials grant\(said): make it an API Services app"
        default:
            summary = "Okta gave no access token: \(TextSafety.quoted(code, limit: 60))\(said)"
        }
        let kind: DirectoryError.Kind = response.status == 429 ? .rateLimited : (response.status >= 500 ? .unavailable : .configuration)
        return DirectoryError(kind: kind, httpStatus: response.status, errorCode: answer?.error, summary: summary, subject: "the token endpoint")
    }
}

/// The token endpoint's JSON answer, or its error.
struct TokenAnswer: Decodable {
    let accessToken: String?
    let tokenType: String?
    let expiresIn: Double?
    let scope: String?
    let error: String?
    let errorDescription: String?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in", scope, error, errorDescription = "error_description"
    }

    static func parse(_ body: Data) -> TokenAnswer? {
        try? JSONDecoder().decode(TokenAnswer.self, from: body)
    }
}
