import CCrypto
import Foundation
import HelpdeskCore

/// A private key that signs JWTs: RSA (2048 bits or more, RS256) or EC on P-256 (ES256), read from
/// PEM or made for DPoP, through the system's libcrypto. Its secret never leaves this object: it
/// has no description that shows it, and errors about it name the file, never its content.
public final class SigningKey: @unchecked Sendable {
    // @unchecked: the EVP_PKEY is made once and only read afterwards (signing, exporting the
    // public part); libcrypto allows a key to be used from several threads at once that way.
    let key: OpaquePointer

    public enum Kind: Sendable { case rsa, ecP256 }
    public let kind: Kind

    private init(_ key: OpaquePointer) throws(KeyProblem) {
        switch helpdesk_key_kind(key) {
        case 1: kind = .rsa
        case 2: kind = .ecP256
        default:
            EVP_PKEY_free(key)
            throw KeyProblem("is neither an RSA key of at least 2048 bits nor an EC key on P-256")
        }
        guard helpdesk_key_usable(key) == 1 else {
            EVP_PKEY_free(key)
            throw KeyProblem("does not hold together (its public and private parts differ) or is larger than 8,192 bits")
        }
        self.key = key
    }

    deinit { EVP_PKEY_free(key) }

    /// A key from PEM text (PKCS#8 or the traditional RSA/EC forms); an encrypted key is refused.
    public convenience init(pem: String) throws(KeyProblem) {
        let bytes = Array(pem.utf8)
        guard bytes.count < 64 << 10, let key = bytes.withUnsafeBufferPointer({ buffer in
            buffer.baseAddress.flatMap { base in base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { helpdesk_private_key_from_pem($0, Int32(buffer.count)) } }
        }) else {
            throw KeyProblem("holds no private key libcrypto can read (PEM, not encrypted)")
        }
        try self.init(key)
    }

    /// A private key from a JWK (`kty` RSA with n, e, d, p, q, dp, dq, qi; or EC P-256 with x, y, d).
    public convenience init(jwk text: String) throws(KeyProblem) {
        guard let data = text.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let kty = object["kty"] as? String else { throw KeyProblem("is not a JWK (a JSON object with kty)") }
        func bytes(_ name: String) throws(KeyProblem) -> [UInt8] {
            guard let value = object[name] as? String, let decoded = Base64URL.decode(value), !decoded.isEmpty else {
                throw KeyProblem("is a JWK without its private part \(name)")
            }
            return [UInt8](decoded)
        }
        let key: OpaquePointer?
        switch kty {
        case "RSA":
            let parts = try ["n", "e", "d", "p", "q", "dp", "dq", "qi"].map { name throws(KeyProblem) in try bytes(name) }
            key = Self.withPointers(parts) { pointers, lengths in helpdesk_rsa_private_from(pointers, lengths) }
        case "EC":
            guard object["crv"] as? String == "P-256" else { throw KeyProblem("is an EC JWK on a curve other than P-256") }
            let (d, x, y) = (try bytes("d"), try bytes("x"), try bytes("y"))
            guard d.count == 32, x.count == 32, y.count == 32 else { throw KeyProblem("is an EC JWK whose numbers are not 32 bytes") }
            key = helpdesk_p256_private_from(d, x, y)
        default:
            throw KeyProblem("is a JWK of kty \(TextSafety.quoted(kty, limit: 20)); RSA or EC only")
        }
        guard let key else { throw KeyProblem("is a JWK libcrypto could not make a key of") }
        try self.init(key)
    }

    /// Calls `body` with C pointers to each byte array and their lengths.
    private static func withPointers<T>(_ arrays: [[UInt8]], _ body: (UnsafePointer<UnsafePointer<UInt8>?>, UnsafePointer<Int32>) -> T) -> T {
        let buffers = arrays.map { array -> UnsafeMutablePointer<UInt8> in
            let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(array.count, 1))
            pointer.initialize(from: array, count: array.count)
            return pointer
        }
        defer {
            for (index, buffer) in buffers.enumerated() {
                buffer.update(repeating: 0, count: max(arrays[index].count, 1))
                buffer.deallocate()
            }
        }
        let pointers: [UnsafePointer<UInt8>?] = buffers.map { UnsafePointer($0) }
        let lengths = arrays.map { Int32($0.count) }
        return pointers.withUnsafeBufferPointer { p in lengths.withUnsafeBufferPointer { l in body(p.baseAddress!, l.baseAddress!) } }
    }

    /// A new EC key on P-256 (DPoP's proof key, made per process).
    public static func generateP256() throws(KeyProblem) -> SigningKey {
        guard let key = helpdesk_generate_p256() else { throw KeyProblem("could not be made: libcrypto failed to make a P-256 key") }
        return try SigningKey(key)
    }

    /// A new RSA key (tests).
    public static func generateRSA(bits: UInt32 = 2048) throws(KeyProblem) -> SigningKey {
        guard let key = helpdesk_generate_rsa(bits) else { throw KeyProblem("could not be made: libcrypto failed to make an RSA key") }
        return try SigningKey(key)
    }

    /// `RS256` or `ES256`.
    public var algorithm: String { kind == .rsa ? "RS256" : "ES256" }

    /// Signs with SHA-256; an ES256 signature is JWS's 64 bytes r||s.
    public func sign(_ data: Data) throws(KeyProblem) -> Data {
        var signature = [UInt8](repeating: 0, count: 1024)
        var length = signature.count
        let signed = data.withUnsafeBytes { bytes in
            helpdesk_sign_sha256(key, bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count, &signature, &length)
        }
        guard signed == 1 else { throw KeyProblem("could not sign: libcrypto refused") }
        guard kind == .ecP256 else { return Data(signature.prefix(length)) }
        var raw = [UInt8](repeating: 0, count: 64)
        guard helpdesk_ecdsa_der_to_raw(signature, length, &raw) == 1 else { throw KeyProblem("could not sign: an ECDSA signature libcrypto made could not be read") }
        return Data(raw)
    }

    /// The public part as a JWK (`kty`, and `crv`/`x`/`y` or `n`/`e`).
    public var publicJWK: [String: String] {
        switch kind {
        case .ecP256:
            return ["kty": "EC", "crv": "P-256", "x": Base64URL.encode(number(OSSL_PKEY_PARAM_EC_PUB_X, pad: 32)), "y": Base64URL.encode(number(OSSL_PKEY_PARAM_EC_PUB_Y, pad: 32))]
        case .rsa:
            return ["kty": "RSA", "n": Base64URL.encode(number(OSSL_PKEY_PARAM_RSA_N, pad: 0)), "e": Base64URL.encode(number(OSSL_PKEY_PARAM_RSA_E, pad: 0))]
        }
    }

    /// The whole key as a JWK (its private numbers included): what a key file in JWK form holds.
    var privateJWK: [String: String] {
        var jwk = publicJWK
        switch kind {
        case .ecP256:
            jwk["d"] = Base64URL.encode(number(OSSL_PKEY_PARAM_PRIV_KEY, pad: 32))
        case .rsa:
            let names = [("d", OSSL_PKEY_PARAM_RSA_D), ("p", "rsa-factor1"), ("q", "rsa-factor2"),
                         ("dp", "rsa-exponent1"), ("dq", "rsa-exponent2"), ("qi", "rsa-coefficient1")]
            for (field, name) in names { jwk[field] = Base64URL.encode(number(name, pad: 0)) }
        }
        return jwk
    }

    /// PEM of the public part (to register with Okta) or of the whole key (tests write key files).
    public func pem(privatePart: Bool) -> String {
        var out = [CChar](repeating: 0, count: 16 << 10)
        var written: Int32 = 0
        guard helpdesk_key_to_pem(key, privatePart ? 1 : 0, &out, Int32(out.count), &written) == 1 else { return "" }
        return String(decoding: out.prefix(Int(written)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func number(_ name: String, pad: Int32) -> Data {
        var out = [UInt8](repeating: 0, count: 1024)
        var written: Int32 = 0
        guard helpdesk_key_number(key, name, &out, Int32(out.count), pad, &written) == 1 else { return Data() }
        return Data(out.prefix(Int(written)))
    }
}

/// What is wrong with a key, in words that follow "the key …"; never its content.
public struct KeyProblem: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "the key \(message)" }
}

/// SHA-256 through libcrypto.
enum SHA256Digest {
    static func of(_ data: Data) -> Data {
        var digest = [UInt8](repeating: 0, count: 32)
        data.withUnsafeBytes { bytes in helpdesk_sha256(bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count, &digest) }
        return Data(digest)
    }
}
