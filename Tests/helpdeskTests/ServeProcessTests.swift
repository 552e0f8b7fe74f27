import Foundation
@testable import HelpdeskSocket
import HelpdeskTestSupport
import Testing

/// The real `helpdesk serve` as its own process, under the limits an admin sets or the machine imposes.
@Suite struct ServeProcessTests {
    let folder = TemporaryDirectory("hd-serve-process")
    var socket: String { folder.file("helpdesk.sock") }
    var log: String { folder.file("serve.log") }

    /// Starts the service with this login as its one operator; `service` adds keys to the service section.
    func startService(service extra: String = "") async throws -> pid_t {
        let token = folder.file("okta.token")
        try Data("00serve-token".utf8).write(to: URL(fileURLWithPath: token))
        chmod(token, 0o600)
        let config = folder.file("config.json")
        try #"{"okta": {"orgUrl": "http://127.0.0.1:9", "tokenFile": "\#(token)"}, "store": {"path": "\#(folder.file("helpdesk.db"))"}, "service": {"socket": "\#(socket)"\#(extra)}, "operators": {"\#(ServiceSmokeTests.currentLogin)": {"email": "alex.kim@example.com", "roles": ["agent"]}}}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        let service = try ChildProcess.spawn(BuiltProducts.executable("helpdesk"), ["serve", "--config", config], environment: ["HOME": folder.path], log: log)
        let socket = self.socket
        #expect(await eventually(30) { FileManager.default.fileExists(atPath: socket) })
        try await Task.sleep(nanoseconds: 200_000_000)
        return service
    }

    static func stop(_ service: pid_t) {
        kill(service, SIGKILL)
        _ = ChildProcess.wait(service)
    }

    /// Runs a command as a client of the service.
    func client(_ arguments: [String]) async throws -> (status: Int32, out: String, err: String) {
        let (home, socket) = (folder.path, self.socket)
        return try await offPool { try ChildProcess.run(BuiltProducts.executable("helpdesk"), arguments, environment: ["HOME": home, "HELPDESK_SOCKET": socket]) }
    }

    /// Connections that are not closed stay the service's: it counts them per login.
    @Test func aLoginHoldsAtMostItsConfiguredConnections() async throws {
        let service = try await startService(service: #", "connectionsPerLogin": 2"#)
        defer { Self.stop(service) }
        let held = try (0..<2).map { _ in try UnixSocket.connect(socket, timeout: 2) }
        defer { held.forEach { close($0) } }
        // The service counts the held connections once it has accepted them: ask until it does.
        var refused = try await client(["list"])
        for _ in 0..<50 where refused.status == 0 {
            try await Task.sleep(nanoseconds: 200_000_000)
            refused = try await client(["list"])
        }
        #expect(refused.status != 0)
        #expect(refused.err.contains("too many connections from this login"), "\(refused.err)")
        held.forEach { shutdown($0, Int32(SHUT_RDWR)) }
        var listed = try await client(["list"])
        for _ in 0..<50 where listed.status != 0 {
            try await Task.sleep(nanoseconds: 200_000_000)
            listed = try await client(["list"])
        }
        #expect(listed.status == 0, "\(listed.err)")
    }

    /// Connections the service cannot accept wait in the queue while it rests, instead of the IO
    /// thread spinning on a listener it cannot empty; it serves again once descriptors free up.
    @Test func aServiceOutOfDescriptorsRestsAndRecovers() async throws {
        let service = try await startService()
        defer { Self.stop(service) }
        let (socket, log) = (self.socket, self.log)

        // Room for three more descriptors, then the connections beyond them stay queued.
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(service)/fd").count
        let limited = try await offPool { try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/prlimit"), ["--pid", "\(service)", "--nofile=\(open + 3)"]) }
        #expect(limited.status == 0, "\(limited.err)")
        var clients: [Int32] = []
        defer { clients.forEach { close($0) } }
        for _ in 0..<8 { clients.append(try UnixSocket.connect(socket, timeout: 2)) }
        #expect(await eventually { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("cannot take new connections for now") })

        let before = try Self.cpuTicks(service)
        try await Task.sleep(nanoseconds: 1_000_000_000)
        let used = try Self.cpuTicks(service) - before
        #expect(used < 40, "the service used \(used) of 100 ticks in a second while it could not accept")

        clients.forEach { close($0) }
        clients = []
        // Once the queued connections are gone the service takes new ones (a busy machine may
        // take a moment to let it see them close).
        var listed = try await client(["list"])
        for _ in 0..<25 where listed.status != 0 {
            try await Task.sleep(nanoseconds: 200_000_000)
            listed = try await client(["list"])
        }
        #expect(listed.status == 0, "\(listed.err)")
    }

    /// User plus system time of `pid`, in clock ticks (100 a second on Linux).
    static func cpuTicks(_ pid: pid_t) throws -> Int {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name, which is in parentheses and may hold spaces.
        let fields = stat[stat.index(after: try #require(stat.lastIndex(of: ")")))...].split(separator: " ")
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
    }
}
