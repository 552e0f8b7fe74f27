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

    @Test func theTimerRunsTheSweepEveryFiveMinutesAsAnOperator() throws {
        let service = try resource("helpdesk-sweep.service")
        let timer = try resource("helpdesk-sweep.timer")
        #expect(service.contains("ExecStart=/usr/local/bin/helpdesk sweep\n"))
        #expect(service.contains("Type=oneshot"))
        #expect(timer.contains("OnCalendar=*:0/5\n"))
        let configuration = try resource("config.example.json")
        let user = try #require(service.split(separator: "\n").first { $0.hasPrefix("User=") }?.dropFirst(5))
        #expect(configuration.contains("\"\(user)\""), "the sweep's account must be an operator in the example configuration")
    }
}
