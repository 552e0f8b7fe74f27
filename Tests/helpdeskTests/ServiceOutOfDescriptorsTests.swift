import Foundation
@testable import HelpdeskSocket
import HelpdeskTestSupport
import Testing

/// The real `helpdesk serve` with almost no file descriptors left: connections it cannot accept
/// wait in the queue while it rests, instead of the IO thread spinning on a listener it cannot
/// empty, and it serves again once descriptors free up.
@Suite struct ServiceOutOfDescriptorsTests {
    let folder = TemporaryDirectory("hd-nofile")

    @Test func aServiceOutOfDescriptorsRestsAndRecovers() async throws {
        let binary = BuiltProducts.executable("helpdesk")
        let token = folder.file("okta.token")
        try Data("00nofile-token".utf8).write(to: URL(fileURLWithPath: token))
        chmod(token, 0o600)
        let socket = folder.file("helpdesk.sock")
        let config = folder.file("config.json")
        try #"{"okta": {"orgUrl": "http://127.0.0.1:9", "tokenFile": "\#(token)"}, "store": {"path": "\#(folder.file("helpdesk.db"))"}, "service": {"socket": "\#(socket)"}, "operators": {"\#(ServiceSmokeTests.currentLogin)": {"email": "alex.kim@example.com", "roles": ["agent"]}}}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        let log = folder.file("serve.log")
        let service = try ChildProcess.spawn(binary, ["serve", "--config", config], environment: ["HOME": folder.path], log: log)
        defer {
            kill(service, SIGKILL)
            _ = ChildProcess.wait(service)
        }
        #expect(await eventually(10) { FileManager.default.fileExists(atPath: socket) })
        try await Task.sleep(nanoseconds: 200_000_000)

        // Room for three more descriptors, then the connections beyond them stay queued.
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(service)/fd").count
        let limited = try await offPool { try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/prlimit"), ["--pid", "\(service)", "--nofile=\(open + 3)"]) }
        #expect(limited.status == 0, "\(limited.err)")
        var clients: [Int32] = []
        defer { clients.forEach { close($0) } }
        for _ in 0..<8 { clients.append(try UnixSocket.connect(socket, timeout: 2)) }
        #expect(await eventually(5) { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("cannot take new connections for now") })

        let before = try Self.cpuTicks(service)
        try await Task.sleep(nanoseconds: 1_000_000_000)
        let used = try Self.cpuTicks(service) - before
        #expect(used < 40, "the service used \(used) of 100 ticks in a second while it could not accept")

        clients.forEach { close($0) }
        clients = []
        let listed = try await offPool {
            try ChildProcess.run(binary, ["list"], environment: ["HOME": self.folder.path, "HELPDESK_SOCKET": socket])
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
