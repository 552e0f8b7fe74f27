import Foundation
import HelpdeskTestSupport
import Testing
@testable import helpdesk_benchmarks

/// The real console on a pseudo-terminal: an Escape that arrives alone is the Escape key, and one
/// whose sequence the link split (Down written as Escape, then `[B` a millisecond later) is still
/// the key it began, never Escape followed by `[` and `B`.
@Suite struct LoneEscapeTests {
    let folder = TemporaryDirectory("helpdesk-escape")

    /// The split is sent 1 ms apart; on a machine busy with the rest of the suite the test's own
    /// second write can come later than the console's 3 ms wait, when an Escape alone is what a
    /// person would have pressed. Such a round proves nothing: the picker is closed (`[` and `B`
    /// do nothing in the queue) and the round is run again a moment later.
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
        let pickerTitle = "Add to group — choose"
        _ = try shows("the queue") { $0.contains("1 Queue 34") && $0.contains("Okta actions") }
        for _ in 1...20 {
            terminal.send(Array("g".utf8))
            let picker = try shows("the group picker") { $0.contains(pickerTitle) }
            let start = ContinuousClock.now
            terminal.send([0x1B])
            usleep(1_000)
            terminal.send(Array("[B".utf8))
            guard ContinuousClock.now - start < .microseconds(2_500) else {
                if try shows("the split's answer", { _ in true }).contains(pickerTitle) { terminal.send([0x1B]) }
                _ = try shows("the queue again") { !$0.contains(pickerTitle) }
                usleep(200_000)
                continue
            }
            let moved = try shows("the choice moved") { $0 != picker }
            #expect(moved.contains(pickerTitle), "the split Down was read as Escape:\n\(moved)")
            terminal.send([0x1B])
            let closed = try shows("the picker closed") { !$0.contains(pickerTitle) }
            #expect(closed.contains("1 Queue 34"))
            return
        }
        Issue.record("twenty rounds in a row sent the split more than 2.5 ms apart; the machine was too busy to tell")
    }
}
