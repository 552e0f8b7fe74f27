import Foundation

/// A signed JWT in compact form: header and claims as JSON with sorted keys, base64url, signed
/// with the key's algorithm.
enum JWT {
    static func signed(header: [String: Any], claims: [String: Any], key: SigningKey) throws -> String {
        var header = header
        header["alg"] = key.algorithm
        let encodedHeader = Base64URL.encode(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes]))
        let encodedClaims = Base64URL.encode(try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys, .withoutEscapingSlashes]))
        let input = encodedHeader + "." + encodedClaims
        return input + "." + Base64URL.encode(try key.sign(Data(input.utf8)))
    }

    /// A unique `jti`: 128 random bits.
    static func newID() -> String {
        var bytes = SystemRandomNumberGenerator()
        return Base64URL.encode(Data((0..<16).map { _ in UInt8.random(in: 0...255, using: &bytes) }))
    }
}

/// The private-key JWT that authenticates the service app at the token endpoint (RFC 7523):
/// `iss` = `sub` = the client id, `aud` = the token endpoint, a short life, a unique `jti`.
enum ClientAssertion {
    static let lifetime: TimeInterval = 300

    static func make(clientID: String, tokenURL: URL, keyID: String?, key: SigningKey, now: Date) throws -> String {
        var header: [String: Any] = ["typ": "JWT"]
        if let keyID { header["kid"] = keyID }
        let issued = Int(now.timeIntervalSince1970)
        return try JWT.signed(header: header, claims: [
            "iss": clientID, "sub": clientID, "aud": tokenURL.absoluteString, "iat": issued, "exp": issued + Int(lifetime), "jti": JWT.newID(),
        ], key: key)
    }
}

/// A DPoP proof (RFC 9449) for one request: the method and the URL without query or fragment,
/// the time, a unique `jti`, the server's nonce when it gave one, and for API calls the hash of
/// the access token (`ath`); signed with the process's proof key, whose public JWK it carries.
enum DPoPProof {
    static func make(method: String, url: URL, accessToken: String?, nonce: String?, key: SigningKey, now: Date) throws -> String {
        var claims: [String: Any] = ["htm": method, "htu": target(url), "iat": Int(now.timeIntervalSince1970), "jti": JWT.newID()]
        if let nonce { claims["nonce"] = nonce }
        if let accessToken { claims["ath"] = Base64URL.encode(SHA256Digest.of(Data(accessToken.utf8))) }
        return try JWT.signed(header: ["typ": "dpop+jwt", "jwk": key.publicJWK], claims: claims, key: key)
    }

    /// The URL as `htu` names it: scheme, host, port and path; no query, no fragment.
    static func target(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url.absoluteString }
        components.query = nil
        components.fragment = nil
        return components.url?.absoluteString ?? url.absoluteString
    }
}
