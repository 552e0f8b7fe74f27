import CCrypto
import Foundation
import HelpdeskCore
import Synchronization

/// Okta's token endpoint and its check of API calls, for the stand-in: the client-credentials
/// grant with a private-key JWT verified against the app's registered public key (RS256 or ES256,
/// `iss`, `sub`, `aud`, `exp`, a `jti` used once), DPoP proofs verified with the key they carry
/// (`htm`, `htu`, `iat`, a `jti` used once, `ath` on API calls, the nonce when one is required),
/// tokens bound to that key, with their scopes and lifetime. Every check uses real signatures.
public final class OAuthGate: Sendable {
    public struct App: Sendable {
        public let clientID: String
        /// The public key registered on the app, as PEM.
        public let publicKeyPEM: String
        public let grantedScopes: Set<String>
        public let requireDPoP: Bool

        public init(clientID: String, publicKeyPEM: String, grantedScopes: Set<String>, requireDPoP: Bool = true) {
            self.clientID = clientID
            self.publicKeyPEM = publicKeyPEM
            self.grantedScopes = grantedScopes
            self.requireDPoP = requireDPoP
        }
    }

    public let app: App
    public let tokenLifetime: TimeInterval
    /// Okta's clock: proofs' `iat`, assertions' `exp` and tokens' lifetimes are judged by it.
    let clock: any Clock
    private let state = Mutex(State())

    struct Issued {
        let scopes: Set<String>
        let expiresAt: Date
        /// The DPoP key's point (x, y), base64url; nil for a Bearer token.
        let boundTo: String?
    }

    struct State {
        var usedAssertionIDs: Set<String> = []
        var usedProofIDs: Set<String> = []
        var tokens: [String: Issued] = [:]
        var nonce: String?
        var issued = 0
        var refusals: [String] = []
    }

    /// `nonce`: a nonce the token endpoint and the API require in proofs (nil: none).
    public init(app: App, tokenLifetime: TimeInterval = 3600, nonce: String? = nil, clock: any Clock = SystemClock()) {
        self.app = app
        self.tokenLifetime = tokenLifetime
        self.clock = clock
        state.withLock { $0.nonce = nonce }
    }

    /// How many access tokens were issued.
    public var tokensIssued: Int { state.withLock { $0.issued } }
    /// Every access token issued (to scan what the program said for them).
    public var issuedTokens: [String] { state.withLock { Array($0.tokens.keys) } }
    /// Why requests were refused, in order (for test messages).
    public var refusals: [String] { state.withLock { $0.refusals } }

    /// Ends every token now (as if they expired or were revoked).
    public func expireTokens() {
        state.withLock { state in
            for key in state.tokens.keys { state.tokens[key] = Issued(scopes: state.tokens[key]!.scopes, expiresAt: .distantPast, boundTo: state.tokens[key]!.boundTo) }
        }
    }

    /// Requires a new nonce from now on.
    public func rotateNonce(_ nonce: String) { state.withLock { $0.nonce = nonce } }

    // MARK: Token endpoint

    func token(_ request: LoopbackHTTPServer.Request, url tokenURL: String) -> LoopbackHTTPServer.Response {
        let form = Self.form(request.body)
        guard form["grant_type"] == "client_credentials" else { return oauthError(400, "unsupported_grant_type", "client_credentials only") }
        guard form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", let assertion = form["client_assertion"] else {
            return oauthError(401, "invalid_client", "a private-key JWT is required")
        }
        guard let key = Self.publicKey(app.publicKeyPEM), let jwt = Self.verify(assertion, with: key) else {
            return oauthError(401, "invalid_client", "The client_assertion signature is invalid")
        }
        let now = clock.now().timeIntervalSince1970
        guard jwt.claims["iss"] as? String == app.clientID, jwt.claims["sub"] as? String == app.clientID else {
            return oauthError(401, "invalid_client", "iss and sub must be the client id")
        }
        guard jwt.claims["aud"] as? String == tokenURL else { return oauthError(401, "invalid_client", "The audience of the client_assertion is invalid") }
        guard let exp = jwt.claims["exp"] as? Double, exp > now, exp < now + 3600 else { return oauthError(401, "invalid_client", "The client_assertion has expired") }
        guard let jti = jwt.claims["jti"] as? String, state.withLock({ $0.usedAssertionIDs.insert(jti).inserted }) else {
            return oauthError(401, "invalid_client", "The client_assertion token has already been used")
        }
        let asked = Set((form["scope"] ?? "").split(separator: " ").map(String.init))
        guard !asked.isEmpty, asked.isSubset(of: app.grantedScopes) else {
            return oauthError(400, "invalid_scope", "The following scopes are not granted: \(asked.subtracting(app.grantedScopes).sorted().joined(separator: " "))")
        }
        var boundTo: String?
        if let proof = request.header("DPoP") {
            switch checkProof(proof, method: "POST", url: tokenURL, accessToken: nil) {
            case .failure(let refusal): return refusal.answer
            case .success(let point): boundTo = point
            }
        } else if app.requireDPoP {
            return oauthError(400, "invalid_dpop_proof", "DPoP proof is missing")
        }
        let token = "tok" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        state.withLock { state in
            state.tokens[token] = Issued(scopes: asked, expiresAt: clock.now().addingTimeInterval(tokenLifetime), boundTo: boundTo)
            state.issued += 1
        }
        let body: [String: Any] = ["token_type": boundTo == nil ? "Bearer" : "DPoP", "access_token": token, "expires_in": Int(tokenLifetime),
                                   "scope": asked.sorted().joined(separator: " ")]
        return LoopbackHTTPServer.Response(status: 200, headers: ["Content-Type": "application/json"], body: (try? JSONSerialization.data(withJSONObject: body)) ?? Data())
    }

    // MARK: API calls

    /// nil when the call may go on; otherwise the answer that refuses it.
    func refusal(of request: LoopbackHTTPServer.Request, url: String, scope: String) -> LoopbackHTTPServer.Response? {
        let authorization = request.header("Authorization") ?? ""
        let parts = authorization.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2, let issued = state.withLock({ $0.tokens[parts[1]] }) else { return apiRefusal(401, "invalid_token", "The access token is invalid") }
        guard issued.expiresAt > clock.now() else { return apiRefusal(401, "invalid_token", "The access token is expired") }
        if let bound = issued.boundTo {
            guard parts[0] == "DPoP", let proof = request.header("DPoP") else { return apiRefusal(401, "invalid_dpop_proof", "DPoP proof is missing") }
            switch checkProof(proof, method: request.method, url: url, accessToken: parts[1]) {
            case .failure(let refusal): return refusal.answer
            case .success(let point): if point != bound { return apiRefusal(401, "invalid_dpop_proof", "The proof's key is not the token's") }
            }
        } else if parts[0] != "Bearer" {
            return apiRefusal(401, "invalid_token", "a Bearer token is sent as Bearer")
        }
        guard issued.scopes.contains(scope) else {
            note("insufficient_scope \(scope)")
            return LoopbackHTTPServer.Response(status: 403, headers: ["WWW-Authenticate": "Bearer error=\"insufficient_scope\", scope=\"\(scope)\"", "Content-Type": "application/json"],
                                               body: Data(#"{"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action"}"#.utf8))
        }
        return nil
    }

    /// Checks a proof; its key's point when it holds.
    private func checkProof(_ proof: String, method: String, url: String, accessToken: String?) -> Result<String, ProofRefusal> {
        guard let jwt = Self.decode(proof), jwt.header["typ"] as? String == "dpop+jwt", jwt.header["alg"] as? String == "ES256",
              let jwk = jwt.header["jwk"] as? [String: Any], jwk["kty"] as? String == "EC", jwk["crv"] as? String == "P-256", jwk["d"] == nil,
              let xText = jwk["x"] as? String, let yText = jwk["y"] as? String, let x = Base64Decode.url(xText), let y = Base64Decode.url(yText), x.count == 32, y.count == 32
        else { return .failure(ProofRefusal(answer: apiOrTokenError(accessToken, "invalid_dpop_proof", "The DPoP proof is malformed"))) }
        guard let key = x.withUnsafeBytes({ xs in y.withUnsafeBytes { ys in helpdesk_p256_from_xy(xs.bindMemory(to: UInt8.self).baseAddress, ys.bindMemory(to: UInt8.self).baseAddress) } }) else {
            return .failure(ProofRefusal(answer: apiOrTokenError(accessToken, "invalid_dpop_proof", "The DPoP proof's key is not a P-256 point")))
        }
        defer { EVP_PKEY_free(key) }
        guard Self.verify(proof, with: key) != nil else { return .failure(ProofRefusal(answer: apiOrTokenError(accessToken, "invalid_dpop_proof", "The DPoP proof signature is invalid"))) }
        let now = clock.now().timeIntervalSince1970
        guard jwt.claims["htm"] as? String == method, jwt.claims["htu"] as? String == url else {
            return .failure(ProofRefusal(answer: apiOrTokenError(accessToken, "invalid_dpop_proof", "htm or htu does not match the request")))
        }
        guard let iat = jwt.claims["iat"] as? Double, abs(iat - now) < 60 else { return .failure(ProofRefusal(answer: apiOrTokenError(accessToken, "invalid_dpop_proof", "iat is not recent"))) }
        if let accessToken {
            let expected = Self.base64url(Self.sha256(Data(accessToken.utf8)))
            guard jwt.claims["ath"] as? String == expected else { return .failure(ProofRefusal(answer: apiOrTokenError(accessToken, "invalid_dpop_proof", "ath does not match the token"))) }
        }
        let nonce = state.withLock { $0.nonce }
        if let nonce, jwt.claims["nonce"] as? String != nonce {
            if accessToken == nil {
                return .failure(ProofRefusal(answer: oauthError(400, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof", headers: ["DPoP-Nonce": nonce])))
            }
            note("use_dpop_nonce")
            return .failure(ProofRefusal(answer: LoopbackHTTPServer.Response(status: 401, headers: [
                "WWW-Authenticate": "DPoP error=\"use_dpop_nonce\", error_description=\"Resource server requires nonce in DPoP proof\"", "DPoP-Nonce": nonce])))
        }
        guard let jti = jwt.claims["jti"] as? String, state.withLock({ $0.usedProofIDs.insert(jti).inserted }) else {
            return .failure(ProofRefusal(answer: apiOrTokenError(accessToken, "invalid_dpop_proof", "The DPoP proof jti has been used before")))
        }
        return .success(xText + "." + yText)
    }

    struct ProofRefusal: Error {
        let answer: LoopbackHTTPServer.Response
    }

    private func apiOrTokenError(_ accessToken: String?, _ code: String, _ description: String) -> LoopbackHTTPServer.Response {
        accessToken == nil ? oauthError(400, code, description) : apiRefusal(401, code, description)
    }

    private func oauthError(_ status: Int, _ code: String, _ description: String, headers: [String: String] = [:]) -> LoopbackHTTPServer.Response {
        note(code)
        let body = (try? JSONSerialization.data(withJSONObject: ["error": code, "error_description": description])) ?? Data()
        return LoopbackHTTPServer.Response(status: status, headers: headers.merging(["Content-Type": "application/json"]) { $1 }, body: body)
    }

    private func apiRefusal(_ status: Int, _ code: String, _ description: String) -> LoopbackHTTPServer.Response {
        note(code)
        return LoopbackHTTPServer.Response(status: status, headers: ["WWW-Authenticate": "DPoP error=\"\(code)\", error_description=\"\(description)\"", "Content-Type": "application/json"],
                                           body: Data(#"{"errorCode":"E0000011","errorSummary":"Invalid token provided"}"#.utf8))
    }

    private func note(_ refusal: String) { state.withLock { $0.refusals.append(refusal) } }

    // MARK: JWT

    struct Decoded {
        let header: [String: Any]
        let claims: [String: Any]
        let signingInput: Data
        let signature: Data
    }

    static func decode(_ compact: String) -> Decoded? {
        let parts = compact.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let headerData = Base64Decode.url(parts[0]), let claimsData = Base64Decode.url(parts[1]), let signature = Base64Decode.url(parts[2]),
              let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any],
              let claims = try? JSONSerialization.jsonObject(with: claimsData) as? [String: Any] else { return nil }
        return Decoded(header: header, claims: claims, signingInput: Data((parts[0] + "." + parts[1]).utf8), signature: signature)
    }

    /// The JWT, when its signature holds for `key` with the algorithm it names (RS256 or ES256 only).
    static func verify(_ compact: String, with key: OpaquePointer) -> Decoded? {
        guard let jwt = decode(compact) else { return nil }
        var signature = [UInt8](jwt.signature)
        switch jwt.header["alg"] as? String {
        case "RS256": break
        case "ES256":
            guard signature.count == 64 else { return nil }
            var der = [UInt8](repeating: 0, count: 80)
            var written: Int32 = 0
            guard helpdesk_ecdsa_raw_to_der(signature, &der, Int32(der.count), &written) == 1 else { return nil }
            signature = Array(der.prefix(Int(written)))
        default: return nil
        }
        let input = [UInt8](jwt.signingInput)
        return helpdesk_verify_sha256(key, input, input.count, signature, signature.count) == 1 ? jwt : nil
    }

    static func publicKey(_ pem: String) -> OpaquePointer? {
        let bytes = Array(pem.utf8).map { CChar(bitPattern: $0) }
        return helpdesk_public_key_from_pem(bytes, Int32(bytes.count))
    }

    static func sha256(_ data: Data) -> Data {
        var digest = [UInt8](repeating: 0, count: 32)
        data.withUnsafeBytes { helpdesk_sha256($0.bindMemory(to: UInt8.self).baseAddress, $0.count, &digest) }
        return Data(digest)
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func form(_ body: Data) -> [String: String] {
        var result: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            result[parts[0].removingPercentEncoding ?? parts[0]] = parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? parts[1]
        }
        return result
    }
}

/// Base64url decoding for the stand-in's checks.
enum Base64Decode {
    static func url(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
