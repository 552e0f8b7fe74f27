import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import OktaClient
import Testing

/// Doctor through the service uses the service's own token.
@Suite struct ServeOAuthDoctorTests {
    let folder = TemporaryDirectory("hd-serve-oauth-doctor")
    var socket: String { folder.file("helpdesk.sock") }

    func client(_ arguments: [String]) async throws -> (status: Int32, out: String, err: String) {
        let (home, socket) = (folder.path, self.socket)
        return try await offPool { try ChildProcess.run(BuiltProducts.executable("helpdesk"), arguments, environment: ["HOME": home, "HELPDESK_SOCKET": socket]) }
    }

    @Test func eachDoctorMintsATokenOfItsOwn() async throws {
        let standIn = try OktaStandIn()
        defer { standIn.stop() }
        let key = try SigningKey.generateP256()
        let gate = OAuthGate(app: .init(clientID: "0oaservice1", publicKeyPEM: key.pem(privatePart: false), grantedScopes: Set(OAuthApp.defaultScopes)))
        standIn.requireOAuth(gate)
        let keyPath = folder.file("okta-key.pem")
        try Data(key.pem(privatePart: true).utf8).write(to: URL(fileURLWithPath: keyPath))
        chmod(keyPath, 0o600)
        let login = ServiceSmokeTests.currentLogin
        let config = folder.file("config.json")
        try #"""
        {"okta": {"orgUrl": "\#(standIn.orgURL)", "auth": "oauth", "clientId": "0oaservice1", "privateKeyFile": "\#(keyPath)"},
         "store": {"path": "\#(folder.file("helpdesk.db"))"}, "service": {"socket": "\#(socket)"},
         "operators": {"\#(login)": {"email": "alex.kim@example.com", "roles": ["agent"]}}}
        """#.write(toFile: config, atomically: true, encoding: .utf8)
        let service = try ChildProcess.spawn(BuiltProducts.executable("helpdesk"), ["serve", "--config", config], environment: ["HOME": folder.path], log: folder.file("serve.log"))
        defer { kill(service, SIGKILL); _ = ChildProcess.wait(service) }
        let socket = self.socket
        #expect(await eventually(10) { FileManager.default.fileExists(atPath: socket) })
        for _ in 0..<5 {
            let doctor = try await client(["doctor"])
            #expect(doctor.out.contains("okta access token"), "\(doctor.out)\(doctor.err)")
        }
        #expect(gate.tokensIssued <= 1, "five `helpdesk doctor` runs by an agent made the service mint \(gate.tokensIssued) access tokens (a new client, DPoP key and token per run; the token endpoint's rate limit is spent by any operator)")
    }
}
