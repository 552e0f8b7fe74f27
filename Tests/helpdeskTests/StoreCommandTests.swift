import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import helpdesk
import SQLiteStore
import Testing

@Suite struct StoreCommandTests {
    let cli = CLIHarness()

    @Test func newPrintsTheRequestAsJSON() async throws {
        let result = await cli.run(["new", "--requester", "Jane.Doe@Example.com", "--subject", "Lost my phone", "--body", "taxi",
                                    "--category", "mfa", "--priority", "high", "--json"])
        #expect(result.status == 0, "\(result.err)")
        let object = try result.object()
        #expect(Set(object.keys) == ["id", "number", "requester", "subject", "body", "category", "priority", "status", "assignee",
                                     "createdAt", "updatedAt", "version", "externalId"])
        #expect(object["id"] as? String == "REQ-1")
        #expect(object["requester"] as? String == "jane.doe@example.com")
        #expect(object["priority"] as? String == "high")
        #expect(object["status"] as? String == "new")
        #expect(object["assignee"] is NSNull)
        #expect(object["createdAt"] as? String == Timestamp.iso8601(cli.clock.now()))
    }

    @Test func showAddsTheTimelineWithKindActorTimeAndDetails() async throws {
        _ = await cli.run(["new", "--requester", "jane.doe@example.com", "--subject", "Lost my phone"])
        let noted = await cli.run(["note", "REQ-1", "called", "her", "back"])
        #expect(noted.status == 0, "\(noted.err)")
        #expect(noted.out == "Noted on REQ-1.\n")
        let result = await cli.run(["show", "1", "--json"])
        #expect(result.status == 0)
        let object = try result.object()
        #expect(object["id"] as? String == "REQ-1")
        let timeline = try #require(object["timeline"] as? [[String: Any]])
        #expect(timeline.map { $0["kind"] as? String } == ["created", "note"])
        #expect(timeline.allSatisfy { $0["actor"] as? String == "alex" && $0["at"] is String && $0["details"] is [String: Any] })
        #expect((timeline[1]["details"] as? [String: Any])?["text"] as? String == "called her back")
        #expect(object["approvals"] as? [Any] != nil)
    }

    @Test func listPrintsAnArrayInQueueOrderAndFilters() async throws {
        _ = await cli.run(["new", "--requester", "a@example.com", "--subject", "Printer", "--priority", "low"])
        cli.clock.advance(by: 60)
        _ = await cli.run(["new", "--requester", "b@example.com", "--subject", "VPN down", "--priority", "urgent", "--body", "tunnel drops"])
        cli.clock.advance(by: 60)
        _ = await cli.run(["new", "--requester", "c@example.com", "--subject", "Salesforce"])

        let all = await cli.run(["list", "--json"])
        let ids = try #require(try all.json() as? [[String: Any]]).map { $0["id"] as? String }
        #expect(ids == ["REQ-2", "REQ-3", "REQ-1"])

        let search = await cli.run(["list", "--search", "tunnel", "--json"])
        #expect(try #require(try search.json() as? [[String: Any]]).map { $0["id"] as? String } == ["REQ-2"])

        let limited = await cli.run(["list", "--limit", "1", "--json"])
        #expect(try #require(try limited.json() as? [[String: Any]]).count == 1)

        let none = await cli.run(["list", "--status", "resolved"])
        #expect(none.out == "No requests match.\n")

        let text = await cli.run(["list"])
        #expect(text.out.split(separator: "\n").first?.hasPrefix("ID") == true)
        #expect(text.out.contains("REQ-2    urgent"))
    }

    @Test func everyRequestIsListedOnceAPageAtATime() async throws {
        for index in 1...23 {
            _ = await cli.run(["new", "--requester", "a@example.com", "--subject", "Request \(index)", "--priority", ["low", "normal", "high", "urgent"][index % 4]])
            cli.clock.advance(by: 60)
        }
        let queue = try #require(try await cli.run(["list", "--limit", "1000", "--json"]).json() as? [[String: Any]]).compactMap { $0["id"] as? String }
        #expect(queue.count == 23)
        var paged: [String] = []
        var after: [String] = []
        while true {
            let page = await cli.run(["list", "--limit", "5", "--json"] + after)
            #expect(page.status == 0, "\(page.err)")
            let ids = try #require(try page.json() as? [[String: Any]]).compactMap { $0["id"] as? String }
            paged += ids
            guard ids.count == 5, let last = ids.last else { break }
            after = ["--after", last]
        }
        #expect(paged == queue)
        let text = await cli.run(["list", "--limit", "5"])
        #expect(text.err == "helpdesk list: more requests match; --after \(queue[4]) with the same options lists the next 5\n")
        #expect(await cli.run(["list", "--limit", "5", "--after", queue[20]]).err == "", "the last page says nothing more")
        #expect(await cli.run(["list", "--after", "REQ-99"]).err.contains("REQ-99"))
        #expect(await cli.run(["list", "--after", "nope"]).status == 2)
    }

    @Test func badInputIsAClearErrorAndChangesNothing() async throws {
        _ = await cli.run(["new", "--requester", "jane@example.com", "--subject", "first"])
        let cases: [([String], Int32, String)] = [
            // A value that does not parse is a usage mistake, as a missing one is.
            (["new", "--requester", "not-an-email", "--subject", "x"], 2, "is not an email address"),
            (["new", "--requester", "jane@example.com", "--subject", "   "], 1, "the subject is empty"),
            (["new", "--requester", "jane@example.com", "--subject", "x", "--priority", "asap"], 2, "unknown priority"),
            (["new", "--requester", "jane@example.com", "--subject", "x", "--category", "a b"], 1, "category"),
            (["new", "--requester", "jane@example.com"], 2, "helpdesk: new needs --subject\nRun helpdesk new --help for its usage.\n"),
            (["new", "--subject", "x", "--bogus"], 2, "unknown option --bogus"),
            (["show", "REQ-99"], 1, "no request REQ-99"),
            (["show", "ticket-7"], 2, "is not a request id"),
            (["show"], 2, "needs REQ"),
            (["note", "REQ-99", "hello"], 1, "no request REQ-99"),
            (["note", "REQ-1", " "], 1, "the note is empty"),
            (["list", "--limit", "0"], 2, "--limit must be"),
            (["list", "--status", "pending"], 2, "unknown status"),
            (["list", "--status", ""], 2, "--status needs at least one status"),
            (["frobnicate"], 2, "unknown command"),
        ]
        for (arguments, status, message) in cases {
            let result = await cli.run(arguments)
            #expect(result.status == status, "\(arguments)")
            #expect(result.err.contains(message), "\(arguments): \(result.err)")
        }
        let store = try SQLiteRequestStore(path: cli.dbPath)
        #expect(try store.read { try $0.count(.all) } == 1)
        #expect(try store.read { try $0.timeline(of: RequestID(1)) }.count == 1)
    }

    @Test func aFileThatIsNotAStoreIsNamedAndLeftAlone() async throws {
        let path = cli.folder.file("notes.txt")
        try Data("hello".utf8).write(to: URL(fileURLWithPath: path))
        let result = await cli.run(["list", "--db", path])
        #expect(result.status == 1)
        #expect(result.err.contains(path))
        #expect(result.err.contains("not a helpdesk store"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "hello")
    }

    @Test func helpIsGeneratedForTheProgramAndEveryCommand() async throws {
        let program = await cli.run(["--help"], db: false)
        #expect(program.status == 0)
        for command in Program.commands {
            #expect(program.out.contains("  \(command.name) "))
            let help = await cli.run([command.name, "--help"], db: false)
            #expect(help.status == 0)
            #expect(help.out.hasPrefix("Usage: helpdesk \(command.name)"))
            for option in command.options {
                #expect(help.out.contains("--\(option.name)"))
            }
        }
        let version = await cli.run(["--version"], db: false)
        #expect(version.out == "helpdesk \(HelpdeskVersion.current)\n")
    }
}

@Suite struct StoreLocationTests {
    func environment(_ variables: [String: String]) -> ProgramEnvironment {
        var environment = ProgramEnvironment.live()
        environment.variables = variables
        return environment
    }

    @Test func theOptionWinsThenTheVariableThenTheConfigurationThenXDG() throws {
        let all = environment(["HELPDESK_DB": "/env/h.db", "XDG_DATA_HOME": "/xdg", "HOME": "/home/alex"])
        #expect(try StoreLocation.resolve(option: "/opt/h.db", environment: all, configured: "/conf/h.db") == "/opt/h.db")
        #expect(try StoreLocation.resolve(option: nil, environment: all, configured: "/conf/h.db") == "/env/h.db")
        let noVariable = environment(["XDG_DATA_HOME": "/xdg", "HOME": "/home/alex"])
        #expect(try StoreLocation.resolve(option: nil, environment: noVariable, configured: "/conf/h.db") == "/conf/h.db")
        #expect(try StoreLocation.resolve(option: nil, environment: noVariable, configured: nil) == "/xdg/helpdesk/helpdesk.db")
        let homeOnly = environment(["HOME": "/home/alex"])
        #expect(try StoreLocation.resolve(option: nil, environment: homeOnly, configured: nil) == "/home/alex/.local/share/helpdesk/helpdesk.db")
        #expect(throws: CLIError.self) { try StoreLocation.resolve(option: nil, environment: environment([:]), configured: nil) }
    }
}

@Suite struct DemoRequestTests {
    @Test func theDemoQueueSeedsAsDeclared() throws {
        let folder = TemporaryDirectory()
        let store = try SQLiteRequestStore(path: folder.file("demo.db"))
        let entries = try DemoRequests.entries()
        #expect((35...50).contains(entries.count))
        let now = Date()
        let seeded = try DemoRequests.seed(into: store, now: now)
        for (entry, request) in zip(entries, seeded) {
            #expect(request.status == entry.status, "\(entry.subject)")
            #expect(request.assignee == entry.assignee, "\(entry.subject)")
            #expect(abs(request.createdAt.timeIntervalSince(now) + Double(entry.ageMinutes) * 60) < 1)
        }
        #expect(Set(entries.map(\.category)).isSuperset(of: ["mfa", "access", "lockout", "security", "onboarding", "offboarding", "password"]))
    }
}
