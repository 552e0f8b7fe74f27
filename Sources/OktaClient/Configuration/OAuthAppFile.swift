import Foundation
import HelpdeskCore

/// The configuration's service app: client id, the private key's file, its `kid`, the scopes to
/// ask for and whether to use DPoP. Loading reads the key file under the secret-file rules.
public struct OAuthAppFile: Sendable, Equatable {
    public let clientID: String
    public let privateKeyFile: String
    public let keyID: String?
    public let scopes: [String]
    public let dpop: Bool

    public init(clientID: String, privateKeyFile: String, keyID: String? = nil, scopes: [String] = OAuthApp.defaultScopes, dpop: Bool = true) {
        self.clientID = clientID
        self.privateKeyFile = privateKeyFile
        self.keyID = keyID
        self.scopes = scopes
        self.dpop = dpop
    }

    public func load() throws(DirectoryError) -> OAuthApp {
        let pem = try SecretFile.read(privateKeyFile, what: "service app's private key file")
        do {
            let isJWK = pem.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{")
            let key = isJWK ? try SigningKey(jwk: pem) : try SigningKey(pem: pem)
            return OAuthApp(clientID: clientID, key: key, keyID: keyID, scopes: scopes, dpop: dpop)
        } catch {
            throw DirectoryError(kind: .configuration, summary: "\(error) in \(privateKeyFile); give the PEM or JWK of the RSA (2048 bits or more) or EC P-256 key whose public part is on the app")
        }
    }
}
