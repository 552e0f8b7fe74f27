import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import helpdesk
import OktaClient
import Testing

/// Pins what `--json` prints for every command that reads or writes, in one snapshot of a day's
/// work: a script reading the output can rely on these keys.
@Suite struct JSONShapeTests {
    @Test func everyCommandsJSONIsPinned() async throws {
        var cli = CLIHarness()
        try cli.writeConfiguration(CLIHarness.demoConfiguration)
        cli.directory = SimulatedTenant()
        var manager = cli
        manager.login = "sam"
        var approver = cli
        approver.login = "morgan"
        cli.stdin = Data(#"{"externalId": "ZD-77", "requester": "omar.haddad@example.com", "subject": "Need Salesforce", "priority": "high"}"#.utf8)

        var transcript = ""
        func record(_ harness: CLIHarness, _ arguments: [String]) async {
            let result = await harness.run(arguments)
            transcript += "$ [\(harness.login)] helpdesk \(arguments.joined(separator: " ")) → exit \(result.status)\n\(result.out)\(result.err)\n"
        }
        await record(cli, ["new", "--requester", "jane.doe@example.com", "--subject", "Lost my phone", "--priority", "high", "--json"])
        await record(cli, ["import", "-", "--json"])
        await record(cli, ["list", "--json"])
        await record(cli, ["note", "REQ-1", "ID checked on video", "--json"])
        await record(cli, ["assign", "REQ-1", "me", "--json"])
        await record(cli, ["act", "REQ-1", "reset-mfa", "--reason", "lost phone", "--json"])
        await record(manager, ["approve", "REQ-1", "--json"])
        await record(cli, ["act", "REQ-2", "assign-app", "--app", "Salesforce", "--for", "1w", "--reason", "quarter end", "--json"])
        await record(approver, ["deny", "REQ-2", "--reason", "needs the sales director", "--json"])
        await record(cli, ["act", "REQ-1", "revoke-sessions", "--reason", "phone lost", "--json"])
        await record(cli, ["resolve", "REQ-1", "--note", "new phone enrolled", "--json"])
        await record(cli, ["reopen", "REQ-1", "--json"])
        await record(cli, ["show", "REQ-1", "--json"])
        await record(cli, ["sweep", "--json"])
        await record(cli, ["reconcile", "--json"])
        await record(cli, ["export", "--request", "REQ-2"])
        assertSnapshot(transcript, named: "json-shapes")
    }

    @Test func everyCommandButTheDemoAndTheServiceTakesJSON() {
        for command in Program.commands where command.name != "demo" && command.name != "serve" {
            #expect(command.options.contains { $0.name == "json" }, "\(command.name)")
        }
    }
}
