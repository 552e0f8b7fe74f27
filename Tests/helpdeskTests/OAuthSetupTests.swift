import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import helpdesk
import OktaClient
import Testing

/// The service app in the configuration and in doctor: its keys, its key file's rules, the scopes
/// granted against those the actions need, and DPoP.
@Suite struct OAuthSetupTests {
    let folder = TemporaryDirectory("helpdesk-oauth-setup")

    func keyFile(_ key: SigningKey, mode: mode_t = 0o600) throws -> String {
        let path = folder.file("okta-key.pem")
        try Data(key.pem(privatePart: true).utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, mode)
        return path
    }

    static func configuration(_ okta: String) -> Data {
        Data(#"{"okta": {"orgUrl": "https://acme.okta.com", \#(okta)}}"#.utf8)
    }

    @Test func aServiceAppIsReadFromTheConfiguration() throws {
        let key = try SigningKey.generateP256()
        let path = try keyFile(key)
        let configuration = try HelpdeskConfiguration.parse(Self.configuration(#""auth": "oauth", "clientId": "0oa1abc", "privateKeyFile": "\#(path)", "keyId": "k2""#), file: "c.json")
        let oauth = try #require(configuration.oauth)
        #expect(oauth == OAuthAppFile(clientID: "0oa1abc", privateKeyFile: path, keyID: "k2"))
        let settings = try OktaSettings.fromConfiguration(orgURL: configuration.orgURL, tokenFile: nil, oauth: oauth)
        guard case .oauth(let app) = settings.credential else { Issue.record("expected a service app"); return }
        #expect(app.key.algorithm == "ES256" && app.scopes == OAuthApp.defaultScopes && app.dpop)
    }

    @Test(arguments: [
        (#""auth": "oauth", "privateKeyFile": "/k""#, "okta.clientId"),
        (#""auth": "oauth", "clientId": "0oa1""#, "okta.privateKeyFile"),
        (#""auth": "oauth", "clientId": "0oa 1", "privateKeyFile": "/k""#, "okta.clientId"),
        (#""auth": "oauth", "clientId": "0oa1", "privateKeyFile": "/k", "tokenFile": "/t""#, "okta.tokenFile"),
        (#""auth": "oauth", "clientId": "0oa1", "privateKeyFile": "/k", "scopes": ["users.read"]"#, "okta.scopes"),
        (#""auth": "oauth", "clientId": "0oa1", "privateKeyFile": "/k", "dpop": "yes""#, "okta.dpop"),
        (#""tokenFile": "/t", "clientId": "0oa1""#, "okta.clientId"),
        (#""auth": "saml""#, "okta.auth"),
    ])
    func aMistakeNamesItsKey(okta: String, key: String) {
        #expect { try HelpdeskConfiguration.parse(Self.configuration(okta), file: "c.json") } throws: { ($0 as? ConfigurationError)?.key == key }
    }

    @Test func theKeyFileFollowsTheSecretFileRules() throws {
        let key = try SigningKey.generateRSA()
        let open = try keyFile(key, mode: 0o644)
        #expect { try OAuthAppFile(clientID: "0oa1", privateKeyFile: open).load() } throws: { "\($0)".contains("can be read or changed by others (mode 644)") }
        chmod(open, 0o600)
        #expect(try OAuthAppFile(clientID: "0oa1", privateKeyFile: open).load().key.algorithm == "RS256")
        try Data("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n".utf8).write(to: URL(fileURLWithPath: open))
        #expect { try OAuthAppFile(clientID: "0oa1", privateKeyFile: open).load() } throws: { error in
            "\(error)".contains("holds no private key libcrypto can read") && !"\(error)".contains("not a key")
        }
    }

    @Test func doctorShowsTheTokenAndNamesMissingScopes() async throws {
        let standIn = try OktaStandIn()
        defer { standIn.stop() }
        let key = try SigningKey.generateP256()
        let granted = Set(OAuthApp.defaultScopes).subtracting(["okta.logs.read"])
        standIn.requireOAuth(OAuthGate(app: .init(clientID: "0oa1abc", publicKeyPEM: key.pem(privatePart: false), grantedScopes: granted)))
        let app = OAuthApp(clientID: "0oa1abc", key: key, scopes: Array(granted).sorted())
        let checks = await OktaChecks.run(settings: .success(OktaSettings(org: try OrgURL(standIn.orgURL), credential: .oauth(app))), tokenSource: "", clock: SystemClock())
        let lines = checks.map { "\($0.name): \($0.status) \($0.detail)" }
        #expect(lines.contains { $0.hasPrefix("okta settings: passed") && $0.contains("service app 0oa1abc, ES256 key, DPoP") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("okta access token: failed") && $0.contains("a DPoP token") && $0.contains("also need okta.logs.read") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("okta reads users: passed") }, "\(lines)")

        let stranger = OAuthApp(clientID: "0oa1abc", key: try SigningKey.generateP256(), scopes: ["okta.users.read"])
        let refused = await OktaChecks.run(settings: .success(OktaSettings(org: try OrgURL(standIn.orgURL), credential: .oauth(stranger))), tokenSource: "", clock: SystemClock())
        let refusedLines = refused.map { "\($0.name): \($0.status) \($0.detail)" }
        #expect(refusedLines.contains { $0.hasPrefix("okta access token: failed") && $0.contains("refused the service app's credentials") && $0.contains("Public keys") }, "\(refusedLines)")
    }
}
