import Foundation
import HelpdeskTestSupport
import Testing

/// The real binary in a real terminal (tmux): start the demo, move, open an action and cancel
/// it, open help, quit — checking the screen at each step and the exit status.
@Suite struct TerminalSmokeTests {
    let folder = TemporaryDirectory("helpdesk-smoke")
    let socket = "helpdesk-smoke-\(UUID().uuidString.prefix(8))"

    static var tmux: URL? {
        ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].map(URL.init(fileURLWithPath:)).first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    @discardableResult
    func tmux(_ arguments: [String]) async throws -> String {
        guard let tmux = Self.tmux else { throw SmokeFailure("tmux is not installed; .ci/run installs it (apt-get install tmux)") }
        let socket = self.socket, home = folder.path
        return try await offPool { try ChildProcess.run(tmux, ["-L", socket] + arguments, environment: ["HOME": home]).out }
    }

    func screen() async throws -> String { try await tmux(["capture-pane", "-p", "-t", "smoke"]) }

    /// Polls the pane until `condition` holds, up to ten seconds.
    func waitFor(_ what: String, _ condition: (String) -> Bool) async throws -> String {
        var last = ""
        for _ in 0..<200 {
            last = try await screen()
            if condition(last) { return last }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw SmokeFailure("timed out waiting for \(what); the screen was:\n\(last)")
    }

    @Test func theDemoRunsInARealTerminalAndQuitsCleanly() async throws {
        let binary = BuiltProducts.executable("helpdesk").path
        let exitFile = folder.file("exit")
        let command = "env TERM=xterm-256color LANG=C.UTF-8 HOME=\(folder.path) \(binary) demo --db \(folder.file("demo.db")) 2>\(folder.file("err")); echo $? > \(exitFile); sleep 5"
        guard let tmuxPath = Self.tmux else { throw SmokeFailure("tmux is not installed; .ci/run installs it (apt-get install tmux)") }
        let (socket, home) = (self.socket, folder.path)
        let started = try await offPool { try ChildProcess.runDetached(tmuxPath, ["-L", socket, "new-session", "-d", "-s", "smoke", "-x", "100", "-y", "30", command], environment: ["HOME": home]) }
        #expect(started == 0)
        defer { _ = try? ChildProcess.runDetached(tmuxPath, ["-L", socket, "kill-server"]) }

        let first = try await waitFor("the queue") { $0.contains("1 Queue 33") && $0.contains("Okta actions") }
        #expect(first.contains("─ REQ-4 ·"))
        #expect(first.contains("DEMO"))

        try await tmux(["send-keys", "-t", "smoke", "j", "j"])
        let moved = try await waitFor("the selection to move and the Okta card to load") { $0.contains("─ REQ-11 ·") && $0.contains("LOCKED_OUT") }
        #expect(moved.contains("Zoë Martin"))

        try await tmux(["send-keys", "-t", "smoke", "g"])
        _ = try await waitFor("the group picker") { $0.contains("Add to group — choose the group") }
        try await tmux(["send-keys", "-t", "smoke", "Escape"])
        let cancelled = try await waitFor("the picker to close") { !$0.contains("choose the group") }
        #expect(cancelled.contains("Okta actions"))

        try await tmux(["send-keys", "-t", "smoke", "?"])
        let help = try await waitFor("help") { $0.contains("Help — keys") }
        #expect(help.contains("next request"))
        try await tmux(["send-keys", "-t", "smoke", "Escape"])
        _ = try await waitFor("help to close") { !$0.contains("Help — keys") }

        try await tmux(["send-keys", "-t", "smoke", "q"])
        var status: String?
        for _ in 0..<200 where status == nil {
            status = (try? String(contentsOfFile: exitFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            if status == nil { try await Task.sleep(nanoseconds: 50_000_000) }
        }
        #expect(status == "0", "exit status; stderr: \((try? String(contentsOfFile: folder.file("err"), encoding: .utf8)) ?? "")")
        let after = try await screen()
        #expect(!after.contains("Okta actions"), "the terminal was given back")
    }
}

struct SmokeFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
