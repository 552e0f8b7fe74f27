import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import helpdesk
import OktaClient
import SQLiteStore
import Testing

/// The program as a whole: options before the console, the version, and the same exit codes
/// for the same mistakes in every command.
@Suite struct ProgramTests {
    var cli = CLIHarness()
    let tenant = SimulatedTenant()

    init() throws {
        try cli.writeConfiguration(CLIHarness.demoConfiguration)
        cli.directory = tenant
    }

    @Test func optionsWithoutACommandOpenTheConsole() async throws {
        let configPath = cli.folder.file(".config/helpdesk/config.json")
        let noTerminal = await cli.run(["--config", configPath, "--db", cli.dbPath], db: false)
        #expect(noTerminal.status == 2)
        #expect(noTerminal.err.contains("the console needs a terminal"))

        let missing = await cli.run(["--config", cli.folder.file("nope.json")], db: false)
        #expect(missing.status == 1)
        #expect(missing.err.contains("given with --config does not exist"))

        let bogus = await cli.run(["--bogus"], db: false)
        #expect(bogus.status == 2)
        #expect(bogus.err.contains("unknown option --bogus"))
        #expect(bogus.err.contains("Run helpdesk --help"))

        let help = await cli.run(["--config", configPath, "--help"], db: false)
        #expect(help.status == 0)
        #expect(help.out.hasPrefix("helpdesk \(HelpdeskVersion.current)"))
    }

    @Test func theVersionIsOneLine() async {
        for flag in ["--version", "-V"] {
            let result = await cli.run([flag], db: false)
            #expect(result.status == 0)
            #expect(result.out == "helpdesk \(HelpdeskVersion.current)\n")
        }
    }

    @Test func anUnknownRequestIsExitOneInEveryCommandAndChangesNothing() async throws {
        _ = await cli.run(["new", "--requester", "jane.doe@example.com", "--subject", "Lost my phone"])
        let commands: [[String]] = [
            ["show", "REQ-404"], ["note", "REQ-404", "hello"], ["assign", "REQ-404", "me"], ["resolve", "REQ-404"],
            ["reopen", "REQ-404"], ["act", "REQ-404", "unlock", "--reason", "x"], ["approve", "REQ-404"],
            ["deny", "REQ-404", "--reason", "x"], ["reconcile", "REQ-404"], ["export", "--request", "REQ-404"],
        ]
        for arguments in commands {
            for json in [false, true] {
                let result = await cli.run(arguments + (json ? ["--json"] : []))
                #expect(result.status == 1, "\(arguments)")
                #expect(result.err.contains("no request REQ-404"), "\(arguments): \(result.err)")
                #expect(result.out.isEmpty, "\(arguments)")
            }
        }
        let store = try SQLiteRequestStore(path: cli.dbPath)
        #expect(try store.read { try $0.count(.all) } == 1)
        #expect(try store.read { try $0.events(since: nil, request: nil, afterEventID: nil, limit: 100) }.count == 1)
        #expect(await tenant.actionCount() == 0)
    }

    @Test func usageMistakesAreExitTwoInEveryCommand() async {
        let cases: [[String]] = [
            ["new", "--requester"], ["list", "--limit", "many"], ["show"], ["note", "REQ-1"], ["act", "REQ-1"],
            ["approve", "x"], ["deny", "REQ-1"], ["assign", "REQ-1"], ["resolve", "REQ-1", "extra"], ["reopen"],
            ["sweep", "now"], ["reconcile", "banana"], ["import"], ["export", "--since", "whenever"], ["doctor", "--fix"],
            ["act", "REQ-1", "add-to-group", "--group", "VPN Users", "--reason"],
        ]
        for arguments in cases {
            let result = await cli.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.err)")
            #expect(result.err.hasPrefix("helpdesk: "), "\(arguments)")
            #expect(result.out.isEmpty, "\(arguments)")
        }
    }

    @Test func sweepSaysWhatItRevokedInText() async throws {
        _ = await cli.run(["new", "--requester", "ethan.brooks@example.com", "--subject", "On-call"])
        _ = await cli.run(["act", "REQ-1", "add-to-group", "--group", "aws production", "--for", "1d", "--reason", "on call"])
        var manager = cli
        manager.login = "morgan"
        _ = await manager.run(["approve", "REQ-1"])
        let early = await cli.run(["sweep"])
        #expect(early.status == 0)
        #expect(early.out == "Revoked 0, kept 0, failed 0, gave up 0, unknown 0, claimed by another sweep 0; expired approvals 0.\n")
        let scheduled = await cli.run(["show", "REQ-1"]).out
        #expect(scheduled.contains("\nTemporary access\n  GRANT-1  Add to group AWS Production for 1 day — ends "), "\(scheduled)")
        let json = await cli.run(["show", "REQ-1", "--json"]).out
        #expect(json.contains(#""grants" : ["#) && json.contains(#""state" : "scheduled""#) && json.contains(#""attempts" : 0"#), "\(json)")
        cli.clock.advance(by: 86_401)
        let due = await cli.run(["sweep"])
        #expect(due.status == 0, "\(due.err)")
        #expect(due.out == "Revoked 1, kept 0, failed 0, gave up 0, unknown 0, claimed by another sweep 0; expired approvals 0.\n")
        #expect(await cli.run(["show", "REQ-1"]).out.contains("\n  GRANT-1  Add to group AWS Production for 1 day — revoked\n"))
        let export = await cli.run(["export", "--request", "REQ-1"])
        #expect(export.out.split(separator: "\n").last?.contains(#""kind":"access-revoked""#) == true, "\(export.out)")
    }

    @Test func theDemoWithoutATerminalIsAUsageError() async {
        let result = await cli.run(["demo"], db: false)
        #expect(result.status == 2)
        #expect(result.err.contains("the demo is the console and needs a terminal"))
    }
}
