import Foundation
import HelpdeskTestSupport
import Testing

/// The real binary as a jump host runs it: `helpdesk serve` on a socket, and two operators'
/// consoles in tmux as its clients. A request created in one console appears in the other without
/// a key press; when the service stops, the console says so, and it reconnects by itself.
@Suite struct ServiceSmokeTests {
    let folder = TemporaryDirectory("hd-serve")
    let tmuxSocket = "helpdesk-serve-\(UUID().uuidString.prefix(8))"

    /// The second operator: `nobody` through setpriv when this runs as root, so the service tells two
    /// logins apart by the kernel's word; otherwise this login again.
    static var secondOperator: (login: String, prefix: String) {
        if getuid() == 0, let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].first(where: FileManager.default.isExecutableFile(atPath:)) {
            return ("nobody", "\(setpriv) --reuid=65534 --regid=65534 --clear-groups ")
        }
        return (currentLogin, "")
    }

    static var currentLogin: String {
        guard let record = getpwuid(getuid()), let name = record.pointee.pw_name else { return "root" }
        return String(cString: name)
    }

    @discardableResult
    func tmux(_ arguments: [String]) async throws -> String {
        guard let tmux = TerminalSmokeTests.tmux else { throw SmokeFailure("tmux is not installed; .ci/run installs it (apt-get install tmux)") }
        let socket = tmuxSocket, home = folder.path
        return try await offPool { try ChildProcess.run(tmux, ["-L", socket] + arguments, environment: ["HOME": home]).out }
    }

    func screen(_ window: Int) async throws -> String { try await tmux(["capture-pane", "-p", "-t", "smoke:\(window)"]) }

    func waitFor(_ window: Int, _ what: String, timeout: Double = 15, _ condition: (String) -> Bool) async throws -> String {
        try await settledPane("\(what) in console \(window)", timeout: timeout, capture: { try await screen(window) }, condition)
    }

    /// A copy of the binary every operator may run, and the service's token file.
    func installBinaryAndToken() throws -> (binary: String, token: String) {
        chmod(folder.path, 0o755)
        let binary = folder.file("helpdesk")
        try BuiltProducts.copyExecutable("helpdesk", to: binary)
        let token = folder.file("okta.token")
        try Data("00smoke-token".utf8).write(to: URL(fileURLWithPath: token))
        chmod(token, 0o600)
        return (binary, token)
    }

    /// The configuration's operators: this login, and the second when it is another.
    static func operatorsJSON(second: String) -> String {
        second == currentLogin
            ? #""\#(second)": {"email": "alex.kim@example.com", "roles": ["agent", "approver"]}"#
            : #""\#(currentLogin)": {"email": "alex.kim@example.com", "roles": ["agent"]}, "\#(second)": {"email": "morgan.patel@example.com", "roles": ["agent", "approver"]}"#
    }

    /// Types a new request into a console as a person would: `n`, the requester, the subject.
    func recordRequest(in window: Int, for requester: String, subject: String) async throws {
        _ = try await tmux(["send-keys", "-t", "smoke:\(window)", "n"])
        _ = try await waitFor(window, "the new-request form") { $0.contains("New request") }
        _ = try await tmux(["send-keys", "-t", "smoke:\(window)", "-l", requester])
        _ = try await tmux(["send-keys", "-t", "smoke:\(window)", "Enter"])
        // Enter is ignored while the email is being checked against Okta: wait for the check's answer.
        _ = try await waitFor(window, "the requester checked") {
            $0.contains("— Enter to continue") || $0.contains("Enter to record the request anyway") || $0.contains("Enter records the request anyway")
        }
        _ = try await tmux(["send-keys", "-t", "smoke:\(window)", "Enter"])
        _ = try await tmux(["send-keys", "-t", "smoke:\(window)", "-l", subject])
        _ = try await tmux(["send-keys", "-t", "smoke:\(window)", "Enter"])
    }

    /// Started on a thread of its own: a copy written a moment ago may be busy, and waiting that out blocks.
    func startService(_ binary: String, _ config: String) async throws -> pid_t {
        let (home, log) = (folder.path, folder.file("serve.log"))
        return try await offPool { try ChildProcess.spawn(URL(fileURLWithPath: binary), ["serve", "--config", config], environment: ["HOME": home], log: log) }
    }

    @Test func twoConsolesOnOneServiceSeeEachOthersWork() async throws {
        guard let tmuxPath = TerminalSmokeTests.tmux else { throw SmokeFailure("tmux is not installed; .ci/run installs it (apt-get install tmux)") }
        let (binary, token) = try installBinaryAndToken()
        let socket = folder.file("helpdesk.sock")
        let (second, prefix) = Self.secondOperator
        let config = folder.file("config.json")
        let operators = Self.operatorsJSON(second: second)
        try #"{"okta": {"orgUrl": "http://127.0.0.1:9", "tokenFile": "\#(token)"}, "store": {"path": "\#(folder.file("store/helpdesk.db"))"}, "service": {"socket": "\#(socket)"}, "operators": {\#(operators)}}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        chmod(config, 0o644)

        var service = try await startService(binary, config)
        defer {
            kill(service, SIGKILL)
            _ = ChildProcess.wait(service)
        }
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: socket) { try await Task.sleep(nanoseconds: 20_000_000) }

        let console = "env TERM=xterm-256color LANG=C.UTF-8 HOME=\(folder.path) HELPDESK_SOCKET=\(socket) \(binary)"
        let (tmuxSocket, home, first) = (self.tmuxSocket, folder.path, "\(console) 2>\(folder.file("err0")); echo $? > \(folder.file("exit0")); sleep 5")
        #expect(try await offPool { try ChildProcess.runDetached(tmuxPath, ["-L", tmuxSocket, "new-session", "-d", "-s", "smoke", "-x", "100", "-y", "30", first],
                                                                 environment: ["HOME": home]) } == 0)
        defer { _ = try? ChildProcess.runDetached(tmuxPath, ["-L", tmuxSocket, "kill-server"]) }
        _ = try await tmux(["new-window", "-t", "smoke:1", "\(prefix)\(console) 2>\(folder.file("err1")); echo $? > \(folder.file("exit1")); sleep 5"])

        _ = try await waitFor(0, "the first console") { $0.contains("1 Queue 0") && $0.contains("\(Self.currentLogin) (") }
        _ = try await waitFor(1, "the second console") { $0.contains("1 Queue 0") && $0.contains("\(second) (") }

        // The first operator records a request; the second sees it without pressing a key.
        try await recordRequest(in: 0, for: "jane.doe@example.com", subject: "Printer on fire")
        _ = try await waitFor(0, "the request in the first console") { $0.contains("Created REQ-1") }
        let pushed = try await waitFor(1, "the request pushed to the second console") { $0.contains("Printer on fire") && $0.contains("1 Queue 1") }
        #expect(pushed.contains("REQ-1"))

        // The service stops: both consoles say so, and find the restarted service by themselves.
        let stopping = service
        kill(stopping, SIGTERM)
        #expect(try await offPool { ChildProcess.wait(stopping) } == 0, "the service stops cleanly on SIGTERM")
        _ = try await waitFor(1, "the console to say the service is gone") { $0.contains("Reconnecting to the helpdesk service") }
        service = try await startService(binary, config)
        _ = try await waitFor(1, "the console to reconnect") { $0.contains("Connected to the helpdesk service again") }
        _ = try await tmux(["send-keys", "-t", "smoke:0", "c"])
        _ = try await waitFor(0, "the note prompt") { $0.contains("Note on REQ-1") }
        _ = try await tmux(["send-keys", "-t", "smoke:0", "-l", "called the requester"])
        _ = try await tmux(["send-keys", "-t", "smoke:0", "Enter"])
        _ = try await waitFor(1, "the note pushed after the restart") { $0.contains("called the requester") }

        for window in [0, 1] { _ = try await tmux(["send-keys", "-t", "smoke:\(window)", "q"]) }
        for window in [0, 1] {
            var status: String?
            for _ in 0..<200 where status == nil {
                // The shell creates the file before it writes the status: empty is not written yet.
                status = (try? String(contentsOfFile: folder.file("exit\(window)"), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                if status?.isEmpty == true { status = nil }
                if status == nil { try await Task.sleep(nanoseconds: 50_000_000) }
            }
            #expect(status == "0", "console \(window): \((try? String(contentsOfFile: folder.file("err\(window)"), encoding: .utf8)) ?? "")")
        }
    }

    /// Two jump hosts: a service each, both on one PostgreSQL store, a console on each. What one
    /// operator records reaches the other's console without a key press, both ways.
    @Test(.enabled(if: TestPostgres.url != nil, "no PostgreSQL server: set HELPDESK_TEST_POSTGRES"))
    func twoConsolesOnTwoServicesOnOneDatabaseSeeEachOthersWork() async throws {
        guard let tmuxPath = TerminalSmokeTests.tmux else { throw SmokeFailure("tmux is not installed; .ci/run installs it (apt-get install tmux)") }
        let storeURL = try #require(TestPostgres.scratchURL("smoke"))
        let (binary, token) = try installBinaryAndToken()
        let (second, prefix) = Self.secondOperator
        let operators = Self.operatorsJSON(second: second)
        var services: [pid_t] = []
        defer {
            for service in services {
                kill(service, SIGKILL)
                _ = ChildProcess.wait(service)
            }
        }
        for host in ["east", "west"] {
            let config = folder.file("\(host).json")
            try #"{"okta": {"orgUrl": "http://127.0.0.1:9", "tokenFile": "\#(token)"}, "store": {"url": "\#(storeURL)"}, "service": {"socket": "\#(folder.file("\(host).sock"))"}, "operators": {\#(operators)}}"#
                .write(toFile: config, atomically: true, encoding: .utf8)
            chmod(config, 0o644)
            let (home, log) = (folder.path, folder.file("\(host).log"))
            services.append(try await offPool { try ChildProcess.spawn(URL(fileURLWithPath: binary), ["serve", "--config", config], environment: ["HOME": home], log: log) })
            for _ in 0..<250 where !FileManager.default.fileExists(atPath: folder.file("\(host).sock")) { try await Task.sleep(nanoseconds: 20_000_000) }
        }

        func console(_ host: String, _ window: Int) -> String {
            "env TERM=xterm-256color LANG=C.UTF-8 HOME=\(folder.path) HELPDESK_SOCKET=\(folder.file("\(host).sock")) \(binary) 2>\(folder.file("err\(window)")); sleep 5"
        }
        let (tmuxSocket, home, first) = (self.tmuxSocket, folder.path, console("east", 0))
        #expect(try await offPool { try ChildProcess.runDetached(tmuxPath, ["-L", tmuxSocket, "new-session", "-d", "-s", "smoke", "-x", "100", "-y", "30", first],
                                                                 environment: ["HOME": home]) } == 0)
        defer { _ = try? ChildProcess.runDetached(tmuxPath, ["-L", tmuxSocket, "kill-server"]) }
        _ = try await tmux(["new-window", "-t", "smoke:1", prefix + console("west", 1)])
        _ = try await waitFor(0, "the console on the first host") { $0.contains("1 Queue 0") }
        _ = try await waitFor(1, "the console on the second host") { $0.contains("1 Queue 0") }

        try await recordRequest(in: 0, for: "jane.doe@example.com", subject: "Printer on fire")
        _ = try await waitFor(0, "the request on the first host") { $0.contains("Printer on fire") }
        _ = try await waitFor(1, "the request pushed to the second host's console") { $0.contains("Printer on fire") && $0.contains("1 Queue 1") }

        _ = try await tmux(["send-keys", "-t", "smoke:1", "c"])
        _ = try await waitFor(1, "the note prompt") { $0.contains("Note on") }
        _ = try await tmux(["send-keys", "-t", "smoke:1", "-l", "called the requester"])
        _ = try await tmux(["send-keys", "-t", "smoke:1", "Enter"])
        _ = try await waitFor(0, "the note pushed to the first host's console") { $0.contains("called the requester") }
    }
}
