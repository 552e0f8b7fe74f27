import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import OktaClient
import Testing

/// The real `helpdesk serve` killed (SIGKILL) while a plan's step is at Okta: the service started
/// again takes the plan over from the dead process, finds the step done in Okta's state, and
/// finishes the plan — every change sent once.
@Suite struct ServePlanRestartTests {
    let folder = TemporaryDirectory("hd-serve-plan")
    var socket: String { folder.file("helpdesk.sock") }

    func startService(config: String) async throws -> pid_t {
        let service = try ChildProcess.spawn(BuiltProducts.executable("helpdesk"), ["serve", "--config", config], environment: ["HOME": folder.path],
                                             log: folder.file("serve.log"))
        let socket = self.socket
        #expect(await eventually(30) { FileManager.default.fileExists(atPath: socket) })
        return service
    }

    func client(_ arguments: [String]) async throws -> (status: Int32, out: String, err: String) {
        let (home, socket) = (folder.path, self.socket)
        return try await offPool { try ChildProcess.run(BuiltProducts.executable("helpdesk"), arguments, environment: ["HOME": home, "HELPDESK_SOCKET": socket]) }
    }

    @Test func aServiceKilledMidPlanIsResumedByTheNextWithEveryChangeOnce() async throws {
        let standIn = try OktaStandIn()
        defer { standIn.stop() }
        let token = folder.file("okta.token")
        try Data(standIn.token.utf8).write(to: URL(fileURLWithPath: token))
        chmod(token, 0o600)
        let login = ServiceSmokeTests.currentLogin
        let config = folder.file("config.json")
        try #"""
        {"okta": {"orgUrl": "\#(standIn.orgURL)", "tokenFile": "\#(token)"}, "store": {"path": "\#(folder.file("helpdesk.db"))"},
         "service": {"socket": "\#(socket)"}, "operators": {"\#(login)": {"email": "alex.kim@example.com", "roles": ["agent"]}},
         "playbooks": {"contain": {"title": "Contain", "steps": [{"do": "revoke-sessions"}, {"do": "remove-from-group", "group": "VPN Users"}, {"do": "suspend"}]}}}
        """#.write(toFile: config, atomically: true, encoding: .utf8)
        let jane = try #require(await standIn.tenant.users(withEmail: Fixtures.email("jane.doe@example.com")).first)

        var service = try await startService(config: config)
        #expect(try await client(["new", "--requester", "jane.doe@example.com", "--subject", "Account compromised"]).status == 0)
        // The group removal reaches Okta, which acts seconds later; the service is killed meanwhile.
        standIn.inject(.init("DELETE", "/users/\(jane.id)", .stall(5)))
        let home = folder.path, socket = self.socket
        let asking = Task { try await offPool { try ChildProcess.run(BuiltProducts.executable("helpdesk"), ["run", "REQ-1", "contain", "--reason", "compromised"],
                                                                     environment: ["HOME": home, "HELPDESK_SOCKET": socket]) } }
        #expect(await eventually(30) { standIn.count("DELETE", "/users/\(jane.id)") == 1 })
        kill(service, SIGKILL)
        _ = ChildProcess.wait(service)
        _ = try? await asking.value
        #expect(await eventually { (try? await standIn.tenant.groups(ofUser: jane.id).contains { $0.name == "VPN Users" }) == false }, "Okta did remove it")
        #expect(await standIn.tenant.user(idOrLogin: jane.id)?.status == .active, "the suspend was never sent")

        service = try await startService(config: config)
        defer { kill(service, SIGKILL); _ = ChildProcess.wait(service) }
        let finished = await eventually(60) {
            try? await Task.sleep(nanoseconds: 250_000_000)   // the service limits new connections a second
            let shown = try? await client(["show", "REQ-1"])
            return shown?.out.contains("PLAN-1 finished after 3 steps") == true
        }
        let shown = try await client(["show", "REQ-1"])
        #expect(finished, "\(shown.out)\n\(shown.err)\n\((try? String(contentsOfFile: folder.file("serve.log"), encoding: .utf8)) ?? "")")
        #expect(shown.out.contains("reconciled RUN-2: applied"), "the interrupted step was settled from Okta's state")
        #expect(standIn.count("DELETE", "/users/\(jane.id)/sessions") == 1)
        #expect(standIn.count("DELETE", "/users/\(jane.id)") == 1)
        #expect(standIn.count("POST", "/lifecycle/suspend") == 1)
        #expect(await standIn.tenant.user(idOrLogin: jane.id)?.status == .suspended)
    }
}
