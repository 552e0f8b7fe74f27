import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import helpdesk
import OktaClient
import SQLiteStore
import Testing

@Suite struct ActionCommandTests {
    var cli = CLIHarness()
    let tenant = SimulatedTenant()

    init() throws {
        try cli.writeConfiguration(CLIHarness.demoConfiguration)
        cli.directory = tenant
    }

    func store() throws -> SQLiteRequestStore { try SQLiteRequestStore(path: cli.dbPath) }

    @Test func anAgentAndAManagerTakeResetMFAFromAskingToOktasAnswer() async throws {
        _ = await cli.run(["new", "--requester", "jane.doe@example.com", "--subject", "Lost my phone"])
        let asked = await cli.run(["act", "REQ-1", "reset-mfa", "--reason", "lost phone; ID checked on video", "--json"])
        #expect(asked.status == 0, "\(asked.err)")
        let approval = try #require(try asked.object()["approval"] as? [String: Any])
        #expect(try asked.object()["result"] as? String == "awaiting-approval")
        #expect(approval["id"] as? String == "APR-1")
        #expect((approval["approvers"] as? [[String: Any]])?.compactMap { $0["login"] as? String } == ["sam", "morgan"])

        var manager = cli
        manager.login = "sam"
        let approved = await manager.run(["approve", "REQ-1", "--reason", "spoke to her"])
        #expect(approved.status == 0, "\(approved.err)")
        #expect(approved.out.contains("Okta: reset 3 factors"))

        let show = await cli.run(["show", "REQ-1", "--json"])
        let kinds = try #require(try show.object()["timeline"] as? [[String: Any]]).compactMap { $0["kind"] as? String }
        #expect(kinds == ["created", "approval-requested", "status-changed", "approval-granted", "status-changed", "action-started", "action-succeeded"])
        let events = try #require(try show.object()["timeline"] as? [[String: Any]])
        #expect(events.map { $0["actor"] as? String } == ["alex", "alex", "alex", "sam", "sam", "sam", "sam"])
        #expect(events.last?["oktaRequestId"] as? String != nil)
    }

    @Test func actionsWithoutApprovalRunAtOnceAndReportOkta() async throws {
        _ = await cli.run(["new", "--requester", "omar.haddad@example.com", "--subject", "Locked out"])
        let unlocked = await cli.run(["act", "1", "unlock", "--reason", "locked out after password change"])
        #expect(unlocked.status == 0, "\(unlocked.err)")
        #expect(unlocked.out.hasPrefix("Okta: unlocked the account (RUN-1"))
        let shown = await cli.run(["show", "1"])
        #expect(shown.out.contains("started RUN-1: Unlock the account — locked out after password change"), "the reason of an immediate action is on the timeline")
        #expect(shown.out.contains("Runs\n  RUN-1  succeeded  Unlock the account — started by alex"))
        #expect(shown.out.contains("· Okta request "), "Okta's request id for the answer")
        let again = await cli.run(["act", "1", "unlock", "--reason", "again"])
        #expect(again.status == 1)
        #expect(again.err.contains("not locked out"))
    }

    @Test func groupsAndAppsAreFoundByNameAndTemporaryAccessIsScheduled() async throws {
        _ = await cli.run(["new", "--requester", "ethan.brooks@example.com", "--subject", "On-call"])
        let asked = await cli.run(["act", "REQ-1", "add-to-group", "--group", "aws production", "--for", "1w", "--reason", "on call", "--json"])
        #expect(asked.status == 0, "\(asked.err)")
        var manager = cli
        manager.login = "morgan"
        let approved = await manager.run(["approve", "REQ-1", "--json"])
        #expect(approved.status == 0, "\(approved.err)")
        #expect(try approved.object()["grant"] as? String == "GRANT-1")
        #expect(try approved.object()["revokeAt"] as? String == Timestamp.iso8601(cli.clock.now().addingTimeInterval(604_800)))

        cli.clock.advance(by: 604_801)
        let swept = await cli.run(["sweep", "--json"])
        #expect(swept.status == 0, "\(swept.err)")
        #expect(try swept.object()["revoked"] as? [String] == ["GRANT-1"])
    }

    @Test func badActionInputIsAClearErrorAndChangesNothing() async throws {
        _ = await cli.run(["new", "--requester", "jane.doe@example.com", "--subject", "Access"])
        let cases: [([String], Int32, String)] = [
            (["act", "REQ-1", "reset-mfa"], 2, "needs --reason"),
            (["act", "REQ-1", "reset-mfa", "--reason", " "], 1, "reason is required"),
            (["act", "REQ-1", "make-admin", "--reason", "x"], 2, "unknown action \"make-admin\""),
            (["act", "REQ-1", "add-to-group", "--group", "VPN Users", "--for", "forever", "--reason", "x"], 2, "is not a duration"),
            (["act", "REQ-1", "add-to-group", "--group", "VPN Users", "--for", "-1d", "--reason", "x"], 2, "is not a duration"),
            (["act", "REQ-1", "add-to-group", "--group", "VPN Users", "--for", "0m", "--reason", "x"], 2, "\"0m\" is no time at all; give a minute or more"),
            (["act", "REQ-1", "suspend", "--for", "1d", "--reason", "x"], 2, "--for applies to add-to-group and assign-app only"),
            (["act", "REQ-1", "add-to-group", "--group", "Nope", "--reason", "x"], 1, "no Okta group is named"),
            (["act", "REQ-1", "add-to-group", "--group", "AD: Domain Users", "--reason", "x"], 1, "cannot be changed here"),
            (["act", "REQ-1", "assign-app", "--group", "VPN Users", "--reason", "x"], 2, "--group does not apply to assign-app"),
            (["act", "REQ-9", "suspend", "--reason", "x"], 1, "no request REQ-9"),
            (["approve", "REQ-1"], 1, "no pending approval"),
            (["deny", "REQ-1"], 2, "needs --reason"),
            (["approve", "REQ-1", "--approval", "banana"], 2, "not an approval id"),
        ]
        for (arguments, status, message) in cases {
            let result = await cli.run(arguments)
            #expect(result.status == status, "\(arguments): \(result.err)")
            #expect(result.err.contains(message), "\(arguments): \(result.err)")
        }
        let timeline = try store().read { try $0.timeline(of: RequestID(1)) }
        #expect(timeline.map(\.kind) == [.created])
        #expect(await tenant.actionCount() == 0)
    }

    @Test func theAgentWhoAskedWithdrawsTheirAskWithDeny() async throws {
        _ = await cli.run(["new", "--requester", "jane.doe@example.com", "--subject", "Lost my phone"])
        _ = await cli.run(["act", "REQ-1", "reset-mfa", "--reason", "lost phone"])
        var other = cli
        other.login = "jordan"
        #expect(await other.run(["deny", "REQ-1", "--reason", "not mine"]).status == 1)
        let withdrawn = await cli.run(["deny", "REQ-1", "--reason", "wrong person"])
        #expect(withdrawn.status == 0, "\(withdrawn.err)")
        #expect(withdrawn.out.hasPrefix("Withdrew APR-1 on REQ-1: "), "\(withdrawn.out)")
        #expect(await cli.run(["resolve", "REQ-1", "--note", "asked again on the right request"]).status == 0)
    }

    @Test func denyApproveTwiceAndWrongApproverFromTheCommandLine() async throws {
        _ = await cli.run(["new", "--requester", "jane.doe@example.com", "--subject", "Reset my password"])
        _ = await cli.run(["act", "REQ-1", "reset-password", "--link", "--reason", "forgot it"])
        var jordan = cli
        jordan.login = "jordan"
        let notMine = await jordan.run(["approve", "REQ-1"])
        #expect(notMine.status == 1)
        #expect(notMine.err.contains("may not decide"))
        var sam = cli
        sam.login = "sam"
        let denied = await sam.run(["deny", "REQ-1", "--reason", "she is in the office, walk over"])
        #expect(denied.status == 0, "\(denied.err)")
        let twice = await sam.run(["approve", "REQ-1", "--approval", "APR-1"])
        #expect(twice.status == 1)
        #expect(twice.err.contains("was denied by sam"))
        #expect(await tenant.actionCount() == 0)
    }

    @Test func approvingWithoutNamingTheApprovalIsRefusedOnceTheAskChanged() async throws {
        _ = await cli.run(["new", "--requester", "ethan.brooks@example.com", "--subject", "Access"])
        _ = await cli.run(["act", "REQ-1", "add-to-group", "--group", "Contractors", "--reason", "project"])
        // The manager reads APR-1; meanwhile the agent replaces it with a wider ask.
        let replaced = await cli.run(["act", "REQ-1", "add-to-group", "--group", "AWS Production", "--reason", "project", "--json"])
        #expect(try replaced.object()["result"] as? String == "awaiting-approval", "\(replaced.err)")
        var manager = cli
        manager.login = "morgan"
        let blind = await manager.run(["approve", "REQ-1"])
        #expect(blind.status == 2)
        #expect(blind.err.contains("REQ-1 has had more than one approval (APR-1 (superseded)); the pending one is APR-2: Add to group AWS Production (permanent), asked by alex"), "\(blind.err)")
        let stale = await manager.run(["approve", "REQ-1", "--approval", "APR-1"])
        #expect(stale.status == 1)
        #expect(stale.err.contains("APR-1 was replaced"), "\(stale.err)")
        let groups = try await tenant.groups(ofUser: try await tenant.user(.email(Fixtures.email("ethan.brooks@example.com"))).id).map(\.name)
        #expect(!groups.contains("AWS Production") && !groups.contains("Contractors"), "nothing was granted")
        let named = await manager.run(["approve", "REQ-1", "--approval", "APR-2"])
        #expect(named.status == 0, "\(named.err)")
    }

    @Test func aOneTimeLinkIsPrintedOnceAndNotStored() async throws {
        _ = await cli.run(["new", "--requester", "jane.doe@example.com", "--subject", "Password"])
        _ = await cli.run(["act", "REQ-1", "reset-password", "--link", "--reason", "forgot it"])
        var sam = cli
        sam.login = "sam"
        let approved = await sam.run(["approve", "REQ-1"])
        let line = try #require(approved.out.split(separator: "\n").first { $0.contains("One-time reset link") })
        let link = String(line.split(separator: " ").last!)
        let stored = try Data(contentsOf: URL(fileURLWithPath: cli.dbPath)) + ((try? Data(contentsOf: URL(fileURLWithPath: cli.dbPath + "-wal"))) ?? Data())
        #expect(stored.range(of: Data(link.utf8)) == nil)
    }

    @Test func workCommandsChangeTheRequestAndTheTimeline() async throws {
        _ = await cli.run(["new", "--requester", "jane.doe@example.com", "--subject", "VPN"])
        #expect(await cli.run(["assign", "REQ-1", "me"]).out == "REQ-1 is assigned to alex.\n")
        #expect(await cli.run(["assign", "REQ-1", "jordan"]).status == 0)
        #expect(await cli.run(["assign", "REQ-1", "mallory"]).err.contains("not an operator"))
        // Requests go to agents; what is not a login is refused as such, and nothing is written.
        #expect(await cli.run(["assign", "REQ-1", "sam"]).err == "helpdesk: sam has no agent role, so cannot be assigned requests\n")
        for mistake in ["", "   ", "bad login!", String(repeating: "y", count: 65)] {
            let result = await cli.run(["assign", "REQ-1", mistake])
            #expect(result.status == 1)
            #expect(result.err.contains("is not a login (1–64 letters, digits, . _ - @); give an operator's login, or none to unassign"), "\(result.err)")
        }
        #expect(await cli.run(["resolve", "REQ-1", "--note", "fixed the profile"]).out == "REQ-1 is resolved.\n")
        #expect(await cli.run(["reopen", "REQ-1"]).out == "REQ-1 is open again.\n")
        let kinds = try store().read { try $0.timeline(of: RequestID(1)) }.map(\.kind)
        #expect(kinds == [.created, .assigned, .assigned, .statusChanged, .statusChanged])
    }

    @Test func reconcileReportsWhatOktaShows() async throws {
        _ = await cli.run(["new", "--requester", "sam.lee@example.com", "--subject", "Odd sign-in"])
        await tenant.failNext(.suspend, with: DirectoryError(kind: .outcomeUnknown, summary: "The request timed out."), afterApplying: true)
        let lost = await cli.run(["act", "REQ-1", "suspend", "--reason", "odd sign-in"])
        #expect(lost.status == 1)
        #expect(lost.err.contains("may or may not have taken effect"))
        let reconciled = await cli.run(["reconcile", "REQ-1"])
        #expect(reconciled.out == "REQ-1 RUN-1 Suspend the account: applied — the account is SUSPENDED\n")
        #expect(await cli.run(["reconcile"]).out == "Nothing to reconcile.\n")
    }
}

@Suite struct ConfigurationCommandTests {
    var cli = CLIHarness()

    @Test(arguments: [
        ("{", "is not valid JSON"),
        (#"{"approvalTtlHours": 24,}"#, "is not valid JSON (a comma before })"),
        ("{\"operators\": {\"alex\": {\"email\": \"alex.kim@example.com\", \"roles\": []}, \"\u{FEFF}alex\": {\"email\": \"alex.kim@example.com\", \"roles\": [\"admin\"]}}}",
         "is not valid JSON (a key holds U+FEFF (a byte-order mark))"),
        (#"{"operators": {"alex": {"email": "alex.kim@example.com", "roles": []}, "alex": {"email": "alex.kim@example.com", "roles": ["admin"]}}}"#,
         #"is not valid JSON (the key "alex" appears twice)"#),
        ("[]", "must be a JSON object"),
        (#"{"oktaa": {}}"#, "oktaa: is not a known key"),
        (#"{"okta": "https://x"}"#, "okta: expected an object, got \"https://x\""),
        (#"{"okta": {"orgUrl": 5}}"#, "okta.orgUrl: expected a non-empty string, got a number"),
        (#"{"operators": {"alex": {"email": "alex.kim@example.com", "roles": ["boss"]}}}"#, "operators.alex.roles[0]: expected agent, approver or admin, got \"boss\""),
        (#"{"operators": {"alex": {"email": "not-an-email", "roles": []}}}"#, "operators.alex.email: \"not-an-email\" is not an email address"),
        (#"{"operators": {"alex": {"email": "alex.kim@example.com"}}}"#, "operators.alex.roles: is missing"),
        (#"{"operators": {"al ex": {"email": "alex.kim@example.com", "roles": []}}}"#, "operators.al ex: expected an OS login"),
        (#"{"policy": {"make-admin": {"approval": "none"}}}"#, "policy.make-admin: is not an action"),
        (#"{"policy": {"suspend": {"approval": "sometimes"}}}"#, "policy.suspend.approval: expected \"required\" or \"none\""),
        (#"{"policy": {"suspend": {"approvers": ["ghost"]}}}"#, "policy.suspend.approvers: names ghost, who is not in operators"),
        (#"{"approvalTtlHours": true}"#, "approvalTtlHours: expected a number of hours from 1 to 720, got a boolean"),
        (#"{"approvalTtlHours": -2}"#, "approvalTtlHours: expected a number of hours"),
        (#"{"approvalTtlHours": 0.5}"#, "approvalTtlHours: expected a number of hours from 1 to 720, got a number"),
        (#"{"approvalTtlHours": 721}"#, "approvalTtlHours: expected a number of hours from 1 to 720, got a number"),
        (#"{"service": {"socket": "relative.sock"}}"#, "service.socket: expected an absolute path"),
        (#"{"service": {"connectionsPerLogin": 0}}"#, "service.connectionsPerLogin: expected a whole number from 1 to 256, got a number"),
        (#"{"service": {"connectionsPerLogin": 2.5}}"#, "service.connectionsPerLogin: expected a whole number from 1 to 256"),
        (#"{"service": {"connectionsPerLogin": "16"}}"#, "service.connectionsPerLogin: expected a whole number from 1 to 256, got \"16\""),
    ])
    func eachMistakeNamesTheFileTheKeyAndWhatWasExpected(text: String, message: String) async throws {
        try cli.writeConfiguration(text)
        let result = await cli.run(["list"])
        #expect(result.status == 1)
        #expect(result.err.contains(cli.folder.file(".config/helpdesk/config.json")), "\(result.err)")
        #expect(result.err.contains(message), "\(result.err)")
    }

    @Test func aLoginTheFileDoesNotNameIsRefused() async throws {
        try cli.writeConfiguration(CLIHarness.demoConfiguration)
        var mallory = cli
        mallory.login = "mallory"
        let result = await mallory.run(["new", "--requester", "jane@example.com", "--subject", "x"])
        #expect(result.status == 1)
        #expect(result.err.contains("mallory is not an operator in \(cli.folder.file(".config/helpdesk/config.json"))"))
    }

    @Test func noConfigurationSaysWhereItLookedAndPointsAtTheDemo() async throws {
        _ = await cli.run(["new", "--requester", "jane@example.com", "--subject", "x"])
        let result = await cli.run(["act", "REQ-1", "suspend", "--reason", "x"])
        #expect(result.status == 1)
        #expect(result.err.contains(cli.folder.file(".config/helpdesk/config.json")))
        #expect(!result.err.contains(cli.folder.file("etc-helpdesk-config.json")), "the system configuration is the service's")
        #expect(result.err.contains("helpdesk demo"))
    }

    @Test func aConfigurationInAnotherEncodingIsNamedAsSuch() async throws {
        let path = cli.folder.file("utf16.json")
        try #require(CLIHarness.demoConfiguration.data(using: .utf16)).write(to: URL(fileURLWithPath: path))
        let result = await cli.run(["list", "--config", path], db: false)
        #expect(result.status == 1)
        #expect(result.err.contains("is not UTF-8 text; save it as UTF-8"), "\(result.err)")
        let withMark = cli.folder.file("bom.json")
        try (Data([0xEF, 0xBB, 0xBF]) + Data(CLIHarness.demoConfiguration.utf8)).write(to: URL(fileURLWithPath: withMark))
        #expect(await cli.run(["list", "--config", withMark], db: false).status == 0, "a UTF-8 file with a byte-order mark is read")
    }

    @Test func aConfigurationThatIsNotAFileIsRefusedNotReadWithoutEnd() async throws {
        let fifo = cli.folder.file("pipe.json")
        #expect(mkfifo(fifo, 0o600) == 0)
        for path in ["/dev/zero", fifo, cli.folder.path] {
            let result = await cli.run(["list", "--config", path], db: false)
            #expect(result.status == 1)
            #expect(result.err == "helpdesk: configuration \(path): is not a file but a folder, a device, a pipe or a socket; name the configuration file\n", "\(result.err)")
        }
        let huge = cli.folder.file("huge.json")
        #expect(truncate(huge, 0) == -1 && FileManager.default.createFile(atPath: huge, contents: nil) && truncate(huge, off_t(HelpdeskConfiguration.maxBytes + 1)) == 0)
        #expect(await cli.run(["list", "--config", huge], db: false).err.contains("more than a configuration can be (4 MiB)"))
        // A file that gives its size as 0 is read to its end.
        let proc = await cli.run(["list", "--config", "/proc/self/cmdline"], db: false)
        #expect(proc.err.contains("is not valid JSON"), "\(proc.err)")
    }

    @Test func theOptionAndTheVariableNameTheFile() async throws {
        let path = cli.folder.file("elsewhere.json")
        try CLIHarness.demoConfiguration.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(await cli.run(["list", "--config", path], db: false).status == 0)
        #expect(await cli.run(["list", "--config", cli.folder.file("missing.json")]).err.contains("does not exist"))
        var withVariable = cli
        withVariable.variables["HELPDESK_CONFIG"] = cli.folder.file("nope.json")
        #expect(await withVariable.run(["list"]).err.contains("named by HELPDESK_CONFIG does not exist"))
    }

    @Test func theExampleConfigurationIsValidAndShowsEveryKey() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Resources/config.example.json").standardized.path
        let configuration = try HelpdeskConfiguration.load(path: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for key in ["okta", "orgUrl", "tokenFile", "store", "path", "operators", "email", "roles", "policy", "approval", "approvers", "approvalTtlHours"] {
            #expect(text.contains("\"\(key)\""), "\(key)")
        }
        #expect(!configuration.team.operators.isEmpty)
    }
}
