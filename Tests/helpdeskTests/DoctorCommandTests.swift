import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import helpdesk
import OktaClient
import Testing

/// `helpdesk doctor` against an Okta stand-in on loopback.
@Suite struct DoctorCommandTests {
    static let goodToken = "00good-token-for-the-stand-in"
    static let wrongToken = "00wrong-token-never-printed"

    /// Answers list calls like Okta: 401 for any token but the good one, 403 for the resources in
    /// `forbidden`, and a `Date` header `skew` seconds off the test clock.
    static func standIn(clock: ManualClock, skew: TimeInterval = 0, forbidden: Set<String> = []) throws -> LoopbackHTTPServer {
        try LoopbackHTTPServer { request in
            let date = ["Date": HTTPDate.format(clock.now().addingTimeInterval(skew)), "X-Okta-Request-Id": "req-\(request.path.split(separator: "/").last ?? "")"]
            guard request.header("Authorization") == "SSWS \(goodToken)" else {
                return .json(401, #"{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","errorId":"oae1","errorCauses":[]}"#, headers: date)
            }
            if let resource = request.path.split(separator: "/").last, forbidden.contains(String(resource)) {
                return .json(403, #"{"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action","errorCauses":[]}"#, headers: date)
            }
            return .json(200, "[]", headers: date)
        }
    }

    func harness(org: String = "https://example.okta.com", token: String) throws -> CLIHarness {
        var cli = CLIHarness()
        cli.variables = ["OKTA_CLIENT_ORGURL": org, "OKTA_CLIENT_TOKEN": token]
        try cli.writeConfiguration(CLIHarness.demoConfiguration)
        return cli
    }

    /// The output with the harness's folder and the stand-in's port replaced, for snapshots.
    func normalized(_ text: String, _ cli: CLIHarness, _ server: LoopbackHTTPServer) -> String {
        text.replacingOccurrences(of: cli.folder.path, with: "<tmp>").replacingOccurrences(of: ":\(server.port)", with: ":<port>")
            .replacingOccurrences(of: #"SQLite \d+\.\d+\.\d+"#, with: "SQLite <version>", options: .regularExpression)
    }

    @Test func aGoodSetupPassesEveryCheck() async throws {
        var cli = try harness(token: Self.goodToken)
        let server = try Self.standIn(clock: cli.clock, skew: 4)
        defer { server.stop() }
        cli.variables["OKTA_CLIENT_ORGURL"] = server.baseURL
        _ = await cli.run(["new", "--requester", "jane@example.com", "--subject", "Lost my phone"])
        let result = await cli.run(["doctor"])
        #expect(result.status == 0, "\(result.out)\(result.err)")
        assertSnapshot(normalized(result.out, cli, server), named: "doctor-good")
        let json = await cli.run(["doctor", "--json"])
        #expect(json.status == 0)
        assertSnapshot(normalized(json.out, cli, server), named: "doctor-good-json")
    }

    @Test func aFreshInstallWhoseStoreIsCreatedOnFirstUsePasses() async throws {
        var cli = try harness(token: Self.goodToken)
        let server = try Self.standIn(clock: cli.clock)
        defer { server.stop() }
        cli.variables["OKTA_CLIENT_ORGURL"] = server.baseURL
        let result = await cli.run(["doctor"])
        #expect(result.out.contains("- store schema: not checked: the store does not exist yet"))
        #expect(result.out.hasSuffix("All 10 checks passed (1 not needed).\n"), "\(result.out)")
        #expect(result.status == 0, "the exit status agrees with the summary")
        let json = await cli.run(["doctor", "--json"])
        #expect(try json.object()["ok"] as? Bool == true)
        #expect(json.status == 0)
    }

    @Test func aConfigurationThatIsNotJSONIsFixedAsAFileNotAKey() async throws {
        var cli = CLIHarness()
        cli.variables["HELPDESK_CONFIG"] = "/dev/zero"
        let device = await cli.run(["doctor"])
        #expect(device.status == 1)
        #expect(device.out.contains("configuration /dev/zero: is not a file but a folder, a device, a pipe or a socket"), "\(device.out)")
        #expect(device.out.contains("correct the file as said above"), "\(device.out)")
        try CLIHarness.demoConfiguration.replacingOccurrences(of: #""roles": ["agent"]"#, with: #""roles": "agent""#).write(toFile: cli.folder.file("bad.json"), atomically: true, encoding: .utf8)
        cli.variables["HELPDESK_CONFIG"] = cli.folder.file("bad.json")
        let key = await cli.run(["doctor"])
        #expect(key.out.contains("correct the key named above"), "\(key.out)")
    }

    @Test func aWrongTokenFailsWithTheFixAndIsNeverPrinted() async throws {
        var cli = try harness(token: Self.wrongToken)
        let server = try Self.standIn(clock: cli.clock)
        defer { server.stop() }
        cli.variables["OKTA_CLIENT_ORGURL"] = server.baseURL
        let result = await cli.run(["doctor"])
        #expect(result.status == 1)
        assertSnapshot(normalized(result.out, cli, server), named: "doctor-wrong-token")
        let json = await cli.run(["doctor", "--json"])
        #expect(json.status == 1)
        #expect(try json.object()["ok"] as? Bool == false)
        for output in [result.out, result.err, json.out, json.err] {
            #expect(!output.contains(Self.wrongToken))
        }
    }

    @Test func aTokenThatCannotReadGroupsNamesTheMissingPermission() async throws {
        var cli = try harness(token: Self.goodToken)
        let server = try Self.standIn(clock: cli.clock, forbidden: ["groups"])
        defer { server.stop() }
        cli.variables["OKTA_CLIENT_ORGURL"] = server.baseURL
        let result = await cli.run(["doctor"])
        #expect(result.status == 1)
        #expect(result.out.contains("✓ okta reads users"))
        #expect(result.out.contains("✗ okta reads groups: the token's Okta admin lacks the permission"))
        #expect(result.out.contains("✓ okta reads apps"))
    }

    @Test func aSkewedClockFails() async throws {
        var cli = try harness(token: Self.goodToken)
        let server = try Self.standIn(clock: cli.clock, skew: -252)
        defer { server.stop() }
        cli.variables["OKTA_CLIENT_ORGURL"] = server.baseURL
        let result = await cli.run(["doctor"])
        #expect(result.status == 1)
        #expect(result.out.contains("✗ clock: this host's clock is 4 min 12 s ahead of Okta's"))
        #expect(result.out.contains("timedatectl set-ntp true"))
    }

    @Test func anUnreachableOrgFailsAndSkipsTheTokenCheck() async throws {
        let server = try LoopbackHTTPServer { _ in .json(200, "[]") }
        let closed = server.baseURL
        server.stop()
        let cli = try harness(org: closed, token: Self.goodToken)
        let result = await cli.run(["doctor"])
        #expect(result.status == 1)
        #expect(result.out.contains("✗ okta org: 127.0.0.1:\(server.port) could not be reached"))
        #expect(result.out.contains("- okta token: not checked: Okta could not be reached"))
        #expect(result.out.contains("between this host and 127.0.0.1 on port \(server.port)"), "the fix names the org's own port")
    }

    @Test func missingConfigurationAndUnknownOperatorFail() async throws {
        let bare = CLIHarness()
        let none = await bare.run(["doctor"])
        #expect(none.status == 1)
        #expect(none.out.hasPrefix("✗ configuration: no configuration file (looked in \(bare.folder.path)/.config/helpdesk/config.json"))
        #expect(none.out.contains("fix: copy Resources/config.example.json"))
        #expect(none.out.contains("✗ okta settings: no Okta org"))

        var stranger = try harness(token: Self.goodToken)
        stranger.login = "mallory"
        stranger.variables = [:]
        let result = await stranger.run(["doctor"])
        #expect(result.out.contains("✗ operator: mallory is not an operator"))
        #expect(result.status == 1)
    }

    @Test func aFileThatIsNotAStoreFails() async throws {
        let cli = try harness(token: Self.goodToken)
        try Data("not a database, just text".utf8).write(to: URL(fileURLWithPath: cli.dbPath))
        let result = await cli.run(["doctor", "--json"])
        let checks = try #require(try result.object()["checks"] as? [[String: Any]])
        let store = try #require(checks.first { $0["name"] as? String == "store" })
        #expect(store["status"] as? String == "failed")
        #expect(checks.first { $0["name"] as? String == "store schema" }?["status"] as? String == "skipped")
        #expect(try String(contentsOfFile: cli.dbPath, encoding: .utf8) == "not a database, just text")
    }

    @Test func skewIsSpokenInUnits() {
        #expect(OktaChecks.spoken(45) == "45 s")
        #expect(OktaChecks.spoken(252) == "4 min 12 s")
        #expect(OktaChecks.spoken(7500) == "2 h 5 min")
    }
}
