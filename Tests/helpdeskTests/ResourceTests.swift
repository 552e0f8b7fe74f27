import ConsoleViewModel
import Foundation
import HelpdeskCore
@testable import helpdesk
import Testing

/// The files an admin installs from `Resources/` agree with the program.
@Suite struct ResourceTests {
    func resource(_ name: String) throws -> String {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Resources/\(name)").standardized.path
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func theManPageDocumentsEveryCommandAndExitCode() throws {
        let page = try resource("helpdesk.1")
        for command in Program.commands {
            #expect(page.contains("\n.B \(command.name)"), "\(command.name)")
        }
        for code in ["0", "1", "2"] {
            #expect(page.contains(".B \(code)\n"), "exit \(code)")
        }
        #expect(page.contains("\"helpdesk \(HelpdeskVersion.current)\""))
    }

    @Test func theManPageNamesEveryConsoleKey() throws {
        let page = try resource("helpdesk.1")
        let keys = try #require(page.components(separatedBy: ".SH CONSOLE KEYS").last?.components(separatedBy: ".SH OPTIONS").first)
        var named: Set<String> = []
        for line in keys.split(separator: "\n") where line.hasPrefix(".B") {
            named.formUnion(line.split { " \",".contains($0) }.dropFirst().map(String.init))
            if line.contains("1 \\- 4") { named.formUnion(["1", "2", "3", "4"]) }
        }
        let demo = Operator(login: "x", email: nil, roles: [.admin])
        for binding in KeyMap.bindings(in: .queue, for: demo, isDemo: true) {
            guard case .char(let character)? = binding.keys.first else { continue }
            #expect(named.contains(String(character)), "the man page names the \(character) key (\(binding.help))")
        }
        #expect(keys.contains("F2"))
    }

    @Test func theServiceUnitRunsServeAsItsOwnHardenedUser() throws {
        let unit = try resource("helpdesk.service")
        let lines = Set(unit.split(separator: "\n").map(String.init))
        for line in ["User=helpdesk", "ExecStart=/usr/local/bin/helpdesk serve --config /etc/helpdesk/config.json", "KillSignal=SIGTERM",
                     "StateDirectory=helpdesk", "RuntimeDirectory=helpdesk", "RuntimeDirectoryMode=0755", "UMask=0077", "NoNewPrivileges=yes",
                     "ProtectSystem=strict", "PrivateTmp=yes", "ProtectHome=yes", "CapabilityBoundingSet=", "RestrictSUIDSGID=yes"] {
            #expect(lines.contains(line), "\(line)")
        }
        #expect(!lines.contains("PrivateUsers=yes"), "a user namespace would hide the clients' uids")
        #expect(!unit.contains("Environment="), "the service takes no variables")
        let stopSeconds = try #require(lines.first { $0.hasPrefix("TimeoutStopSec=") }.flatMap { Int($0.dropFirst(15)) })
        #expect(stopSeconds > 30, "systemd waits longer than the service's own 30 s grace for actions in flight")
    }

    @Test func theExampleConfigurationIsValidAndPutsTheSocketWhereTheUnitDoes() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Resources/config.example.json").standardized.path
        let configuration = try HelpdeskConfiguration.load(path: path)
        #expect(configuration.socketPath == "/run/helpdesk/helpdesk.sock")
        #expect(configuration.storePath?.hasPrefix("/var/lib/helpdesk/") == true, "inside the unit's StateDirectory")
        #expect(try resource("helpdesk.service").contains("SupplementaryGroups=\(try #require(configuration.socketGroup))"))
    }
}
