import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import OktaClient
import Testing

/// The real `helpdesk serve` with only a service app's client id and private key, against a stand-in
/// that enforces private-key JWT, DPoP with nonces and scopes: doctor (on the service's own token), an
/// action and a playbook work, and no token, assertion, proof or key reaches the service's log or any client's output.
@Suite struct ServeOAuthTests {
    let folder = TemporaryDirectory("hd-serve-oauth")
    var socket: String { folder.file("helpdesk.sock") }

    func client(_ arguments: [String]) async throws -> (status: Int32, out: String, err: String) {
        let (home, socket) = (folder.path, self.socket)
        return try await offPool { try ChildProcess.run(BuiltProducts.executable("helpdesk"), arguments, environment: ["HOME": home, "HELPDESK_SOCKET": socket]) }
    }

    @Test func theServiceWorksWithOnlyTheServiceApp() async throws {
        let standIn = try OktaStandIn()
        defer { standIn.stop() }
        let key = try SigningKey.generateP256()
        let gate = OAuthGate(app: .init(clientID: "0oaservice1", publicKeyPEM: key.pem(privatePart: false), grantedScopes: Set(OAuthApp.defaultScopes)), nonce: "n-1")
        standIn.requireOAuth(gate)
        let keyPath = folder.file("okta-key.pem")
        try Data(key.pem(privatePart: true).utf8).write(to: URL(fileURLWithPath: keyPath))
        chmod(keyPath, 0o600)
        let login = ServiceSmokeTests.currentLogin
        let config = folder.file("config.json")
        try #"""
        {"okta": {"orgUrl": "\#(standIn.orgURL)", "auth": "oauth", "clientId": "0oaservice1", "privateKeyFile": "\#(keyPath)", "keyId": "k1"},
         "store": {"path": "\#(folder.file("helpdesk.db"))"}, "service": {"socket": "\#(socket)"},
         "operators": {"\#(login)": {"email": "alex.kim@example.com", "roles": ["agent"]}},
         "playbooks": {"contain": {"title": "Contain", "steps": [{"do": "revoke-sessions"}, {"do": "remove-from-group", "group": "VPN Users"}]}}}
        """#.write(toFile: config, atomically: true, encoding: .utf8)
        let service = try ChildProcess.spawn(BuiltProducts.executable("helpdesk"), ["serve", "--config", config], environment: ["HOME": folder.path], log: folder.file("serve.log"))
        defer { kill(service, SIGKILL); _ = ChildProcess.wait(service) }
        let socket = self.socket
        #expect(await eventually(30) { FileManager.default.fileExists(atPath: socket) })

        let doctor = try await client(["doctor"])
        #expect(doctor.out.contains("okta access token") && doctor.out.contains("a DPoP token"), "\(doctor.out)\(doctor.err)")
        for _ in 0..<4 { _ = try await client(["doctor"]) }
        #expect(gate.tokensIssued == 1, "doctor uses the service's token: any operator's doctor does not spend the token endpoint's limit (\(gate.tokensIssued) tokens)")
        #expect(try await client(["new", "--requester", "jane.doe@example.com", "--subject", "Account compromised"]).status == 0)
        let suspended = try await client(["act", "REQ-1", "suspend", "--reason", "compromised"])
        #expect(suspended.status == 0 && suspended.out.contains("Okta: suspended the account"), "\(suspended.out)\(suspended.err)")
        let contained = try await client(["run", "REQ-1", "contain", "--reason", "compromised"])
        #expect(contained.status == 0 && contained.out.contains("finished: all 2 steps done"), "\(contained.out)\(contained.err)")
        #expect(gate.tokensIssued >= 1 && gate.refusals.allSatisfy { $0 == "use_dpop_nonce" }, "\(gate.refusals)")

        let log = (try? String(contentsOfFile: folder.file("serve.log"), encoding: .utf8)) ?? ""
        let said = [log, doctor.out, doctor.err, suspended.out, suspended.err, contained.out, contained.err]
        let keyLines = key.pem(privatePart: true).split(separator: "\n").dropFirst().dropLast()
        for text in said {
            #expect(!gate.issuedTokens.contains { text.contains($0) }, "no access token in what was said")
            #expect(!text.contains("eyJ"), "no assertion or proof in what was said")
            #expect(!keyLines.contains { text.contains($0) }, "no key material in what was said")
        }
        for file in ["helpdesk.db", "helpdesk.db-wal"] {
            let store = (try? Data(contentsOf: URL(fileURLWithPath: folder.file(file)))) ?? Data()
            #expect(!gate.issuedTokens.contains { store.range(of: Data($0.utf8)) != nil }, "no access token in \(file)")
            #expect(store.range(of: Data("eyJ".utf8)) == nil, "no assertion or proof in \(file)")
        }
    }
}
