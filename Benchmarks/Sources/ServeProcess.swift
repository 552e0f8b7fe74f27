import Foundation
import HelpdeskTestSupport

/// The real `helpdesk serve` from the release build, on a socket in a temporary folder, with this
/// login as its one operator; the suite chooses the Okta org, the store, the roles and the policy.
final class ServeProcess {
    let folder = TemporaryDirectory("hd-bench-serve")
    let process: ChildProcess
    var socket: String { folder.file("helpdesk.sock") }
    var pid: Int32 { process.process.processIdentifier }

    /// `store` nil: a fresh store in the folder; a path or a `postgresql://` URL otherwise. `policy`: the configuration's policy object, as JSON.
    /// `binary` nil: the release build beside the benchmarks.
    init(orgURL: String, token: String, store: String? = nil, roles: [String], policy: String = "{}", binary: String? = nil) throws {
        let binary = binary.map { URL(fileURLWithPath: $0) } ?? BuiltProducts.executable("helpdesk")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw BenchmarkFailure("build the release binary first (swift build -c release --product helpdesk)")
        }
        let login = String(cString: getpwuid(getuid()).pointee.pw_name)
        let tokenFile = folder.file("okta.token")
        try Data(token.utf8).write(to: URL(fileURLWithPath: tokenFile))
        chmod(tokenFile, 0o600)
        let config = folder.file("config.json")
        // A PostgreSQL URL or a file.
        let storeKey = store.map { $0.hasPrefix("postgresql://") ? #""url": "\#($0)""# : #""path": "\#($0)""# } ?? #""path": "\#(folder.file("helpdesk.db"))""#
        let roleList = roles.map { "\"\($0)\"" }.joined(separator: ", ")
        try #"""
        {"okta": {"orgUrl": "\#(orgURL)", "tokenFile": "\#(tokenFile)"}, "store": {\#(storeKey)},
         "service": {"socket": "\#(folder.file("helpdesk.sock"))", "connectionsPerLogin": 32},
         "operators": {"\#(login)": {"email": "alex.kim@example.com", "roles": [\#(roleList)]}}, "policy": \#(policy)}
        """#.write(toFile: config, atomically: true, encoding: .utf8)
        process = try ChildProcess.start(binary, ["serve", "--config", config])
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: folder.file("helpdesk.sock")) { usleep(10_000) }
    }

    func stop() {
        process.process.terminate()
        process.process.waitUntilExit()
    }
}
