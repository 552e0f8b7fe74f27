import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import helpdesk
import OktaClient
import Testing

/// Playbooks from the configuration to the command line: `playbooks`, `run` with its printed plan
/// and `--field`, `approve` of a plan, `cancel`, `undo`; and the configuration's mistakes by key.
@Suite struct PlaybookCommandTests {
    var cli = CLIHarness()
    let tenant = SimulatedTenant()

    static let configuration = CLIHarness.demoConfiguration.replacingOccurrences(of: "\"approvalTtlHours\": 8", with: """
    "approvalTtlHours": 8,
      "playbooks": {
        "offboarding": {"title": "Offboarding", "approval": "required",
                        "steps": [{"do": "revoke-sessions"}, {"do": "suspend"}, {"do": "remove-every-group"}, {"do": "remove-every-direct-app"}]},
        "onboarding": {"title": "Onboarding", "steps": [{"do": "create-user"}, {"do": "activate"}, {"do": "add-to-group", "group": "VPN Users"}]}
      }
    """)

    init() throws {
        try cli.writeConfiguration(Self.configuration)
        cli.directory = tenant
    }

    @Test func anOffboardingIsPrintedAskedApprovedAndUndone() async throws {
        _ = await cli.run(["new", "--requester", "jane.doe@example.com", "--subject", "Leaver on Friday"])
        let list = await cli.run(["playbooks"])
        #expect(list.status == 0 && list.out.contains("offboarding: Offboarding (approval required)") && list.out.contains("  3. Remove from every group helpdesk may change"))
        let asked = await cli.run(["run", "REQ-1", "offboarding", "--reason", "leaver, HR ticket 4411"])
        #expect(asked.status == 0, "\(asked.err)")
        #expect(asked.out.contains("Offboarding for jane.doe@example.com") && asked.out.contains("  2. Suspend the account") && asked.out.contains("Everyone stays"))
        #expect(asked.out.contains("Needs one approval, from: sam, morgan") && asked.out.contains("(PLAN-1) waits for approval"), "\(asked.out)")

        var manager = cli
        manager.login = "morgan"
        let approved = await manager.run(["approve", "REQ-1", "--reason", "confirmed with HR"])
        #expect(approved.status == 0, "\(approved.err)")
        #expect(approved.out.contains("Offboarding (PLAN-1) finished: all 9 steps done"), "\(approved.out)")
        #expect(try await tenant.user(.login("jane.doe@example.com")).status == .suspended)

        let undo = await cli.run(["undo", "REQ-1", "--reason", "wrong person", "--json"])
        #expect(undo.status == 0, "\(undo.err)")
        #expect(try undo.object()["state"] as? String == "awaiting-approval" && (try undo.object()["undoes"] as? String) == "PLAN-1")
        let again = await manager.run(["approve", "REQ-1", "--approval", "APR-2", "--reason", "ok"])
        #expect(again.out.contains("Undo Offboarding (PLAN-2) finished"), "\(again.out + again.err)")
        #expect(try await tenant.user(.login("jane.doe@example.com")).status == .active)
    }

    @Test func aNewHireIsCreatedFromFieldsAndAWaitingPlanIsCancelled() async throws {
        _ = await cli.run(["new", "--requester", "ana.ruiz@example.com", "--subject", "New hire Monday"])
        let missing = await cli.run(["run", "REQ-1", "onboarding", "--reason", "starts Monday"])
        #expect(missing.status == 1 && missing.err.contains("needs firstName"), "\(missing.err)")
        let bad = await cli.run(["run", "REQ-1", "onboarding", "--reason", "x", "--field", "firstName"])
        #expect(bad.status == 2 && bad.err.contains("is not NAME=VALUE"))
        let asked = await cli.run(["run", "REQ-1", "onboarding", "--reason", "starts Monday", "--field", "firstName=Ana", "--field", "lastName=Ruiz",
                                   "--field", "manager=sam.lee@example.com", "--at", Timestamp.iso8601(cli.clock.now().addingTimeInterval(3 * 86_400))])
        #expect(asked.status == 0, "\(asked.err)")
        #expect(asked.out.contains("1. Create the user Ana Ruiz (ana.ruiz@example.com), manager sam.lee@example.com, staged"), "\(asked.out)")
        let cancelled = await cli.run(["cancel", "REQ-1", "--reason", "offer withdrawn"])
        #expect(cancelled.status == 0 && cancelled.out.contains("Onboarding (PLAN-1) cancelled: cancelled by alex: offer withdrawn"), "\(cancelled.out + cancelled.err)")
        #expect(await tenant.users(withEmail: Fixtures.email("ana.ruiz@example.com")).isEmpty)
        let none = await cli.run(["cancel", "REQ-1", "--reason", "again"])
        #expect(none.status == 1 && none.err.contains("REQ-1 has no plan to cancel"))
    }

    @Test(arguments: [
        (#"{"Off Boarding": {"title": "t", "steps": [{"do": "suspend"}]}}"#, "playbooks.Off Boarding"),
        (#"{"x": {"title": "t", "approval": "none", "steps": [{"do": "suspend"}]}}"#, "playbooks.x.approval"),
        (#"{"x": {"title": "t", "steps": []}}"#, "playbooks.x.steps"),
        (#"{"x": {"title": "t", "steps": [{"do": "fly"}]}}"#, "playbooks.x.steps[0].do"),
        (#"{"x": {"title": "t", "steps": [{"do": "add-to-group"}]}}"#, "playbooks.x.steps[0].group"),
        (#"{"x": {"title": "t", "steps": [{"do": "suspend", "group": "Sales"}]}}"#, "playbooks.x.steps[0].group"),
        (#"{"x": {"title": "t", "steps": [{"do": "reset-password", "sendEmail": false}]}}"#, "playbooks.x.steps[0].sendEmail"),
        (#"{"x": {"title": "t\u001b[2J", "steps": [{"do": "suspend"}]}}"#, "playbooks.x.title"),
        (#"{"x": {"title": "t", "expiry": "forever", "steps": [{"do": "suspend"}]}}"#, "playbooks.x.expiry"),
    ])
    func aMistakeInAPlaybookNamesItsKey(playbooks: String, key: String) throws {
        let text = "{\"playbooks\": \(playbooks)}"
        #expect { try HelpdeskConfiguration.parse(Data(text.utf8), file: "c.json") } throws: { error in
            (error as? ConfigurationError)?.key == key
        }
    }

    @Test func theExampleConfigurationShipsThreePlaybooks() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Resources/config.example.json").standardized.path
        let configuration = try HelpdeskConfiguration.load(path: path)
        #expect(configuration.playbooks.map(\.name) == ["offboarding", "onboarding", "sales-starter"])
        #expect(configuration.playbooks.first { $0.name == "onboarding" }?.createsUser == true)
        #expect(configuration.playbooks.first { $0.name == "sales-starter" }?.expiry == AccessDuration(3, .months))
    }
}
