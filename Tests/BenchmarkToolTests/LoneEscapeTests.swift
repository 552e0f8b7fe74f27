import Foundation
import HelpdeskTestSupport
import Testing
@testable import helpdesk_benchmarks

/// The real console on a pseudo-terminal: an Escape that arrives alone is the Escape key, and one
/// whose sequence the link split (Down written as Escape, then `[B` a millisecond later) is still
/// the key it began, never Escape followed by `[` and `B`.
@Suite struct LoneEscapeTests {
    let folder = TemporaryDirectory("helpdesk-escape")

    @Test func anEscapeAloneClosesThePickerAndOneSplitFromItsSequenceMovesTheChoice() throws {
        let terminal = try PseudoTerminal(BuiltProducts.executable("helpdesk").path, ["demo", "--db", folder.file("demo.db")], environment: [
            "TERM": "xterm-256color", "LANG": "C.UTF-8", "HOME": folder.path, "PATH": "/usr/bin:/bin",
        ], columns: 120, rows: 40)
        defer { terminal.stop() }
        var screen = TerminalScreen(columns: 120, rows: 40)
        var fed = 0
        func shows(_ what: String, _ holds: @escaping (String) -> Bool) throws -> String {
            var text = ""
            let shown = terminal.wait(limit: 30) { chunks in
                for chunk in chunks[fed...] { screen.feed(chunk.bytes) }
                fed = chunks.count
                text = (0..<40).map(screen.line).joined(separator: "\n")
                return holds(text)
            }
            try #require(shown, "\(what) never showed:\n\(text)")
            terminal.waitForQuiet(0.3)
            for chunk in terminal.received[fed...] { screen.feed(chunk.bytes) }
            fed = terminal.receivedCount
            return (0..<40).map(screen.line).joined(separator: "\n")
        }
        _ = try shows("the queue") { $0.contains("1 Queue 34") && $0.contains("Okta actions") }
        terminal.send(Array("g".utf8))
        let picker = try shows("the group picker") { $0.contains("Add to group — choose") }
        terminal.send([0x1B])
        usleep(1_000)
        terminal.send(Array("[B".utf8))
        let moved = try shows("the choice moved") { $0 != picker }
        #expect(moved.contains("Add to group — choose"), "the split Down was read as Escape:\n\(moved)")
        terminal.send([0x1B])
        let closed = try shows("the picker closed") { !$0.contains("Add to group — choose") }
        #expect(closed.contains("1 Queue 34"))
    }
}
