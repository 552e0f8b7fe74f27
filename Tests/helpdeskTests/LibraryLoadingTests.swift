import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import Synchronization
import Testing

/// libcurl and libpq are opened by the runs that call Okta or PostgreSQL, not by every run: the
/// real binary in a child process, with the dynamic loader saying which libraries it loaded.
@Suite struct LibraryLoadingTests {
    let folder = TemporaryDirectory("helpdesk-libraries")
    let binary = BuiltProducts.executable("helpdesk")

    /// Runs the binary with `LD_DEBUG=files`; its status, its own output, and the libraries loaded.
    func run(_ arguments: [String], configuration: String, variables: [String: String] = [:]) async throws -> (status: Int32, out: String, err: String, loaded: Set<String>) {
        let path = folder.file("config.json")
        try configuration.write(toFile: path, atomically: true, encoding: .utf8)
        let environment = ["HOME": folder.path, "HELPDESK_CONFIG": path, "LD_DEBUG": "files"].merging(variables) { $1 }
        let result = try await offPool { [binary] in try ChildProcess.run(binary, arguments, environment: environment) }
        // The loader's lines: "  1234:\tfile=libsqlite3.so.0 [0];  needed by …" or "… dynamically loaded by …".
        let loaded = Set(result.err.split(separator: "\n").compactMap { line -> String? in
            guard let start = line.range(of: "file=") else { return nil }
            return line[start.upperBound...].split(separator: " ").first.map(String.init)
        })
        return (result.status, result.out, result.err, loaded)
    }

    static var login: String { String(cString: getpwuid(getuid()).pointee.pw_name) }

    @Test func aRunOnASQLiteStoreThatNeverCallsOktaLoadsNeitherLibrary() async throws {
        let configuration = #"{"operators": {"\#(Self.login)": {"email": "alex.kim@example.com", "roles": ["agent"]}}}"#
        let created = try await run(["new", "--db", folder.file("helpdesk.db"), "--requester", "jane@example.com", "--subject", "Lost my phone"], configuration: configuration)
        #expect(created.status == 0, "\(created.err)")
        #expect(created.loaded.contains("libsqlite3.so.0"), "the loader's lines were read: \(created.loaded.sorted())")
        #expect(!created.loaded.contains("libcurl.so.4"), "\(created.loaded.sorted())")
        #expect(!created.loaded.contains("libpq.so.5"), "\(created.loaded.sorted())")
    }

    @Test func aRunThatCallsOktaOpensLibcurlThenAndIsAnswered() async throws {
        let token = "00token-for-the-library-test"
        let answered = Atomic(0)
        let server = try LoopbackHTTPServer { request in
            guard request.header("Authorization") == "SSWS \(token)" else { return .json(401, #"{"errorCode":"E0000011","errorSummary":"Invalid token provided"}"#) }
            answered.add(1, ordering: .relaxed)
            return .json(200, "[]")
        }
        defer { server.stop() }
        let configuration = #"{"okta": {"orgUrl": "\#(server.baseURL)"}, "operators": {"\#(Self.login)": {"email": "alex.kim@example.com", "roles": ["agent"]}}}"#
        let checked = try await run(["doctor", "--db", folder.file("helpdesk.db")], configuration: configuration,
                                    variables: ["OKTA_CLIENT_TOKEN": token])
        #expect(checked.loaded.contains("libcurl.so.4"), "\(checked.loaded.sorted())")
        #expect(!checked.err.contains("could not be loaded"), "\(checked.err)")
        #expect(answered.load(ordering: .relaxed) > 0, "Okta was called through the library opened: \(checked.err)")
    }

    @Test(.enabled(if: TestPostgres.url != nil, "no PostgreSQL server: set HELPDESK_TEST_POSTGRES"))
    func aRunOnAPostgreSQLStoreOpensLibpqThen() async throws {
        let url = try #require(TestPostgres.scratchURL("libraries"))
        let configuration = #"{"store": {"url": "\#(url)"}, "operators": {"\#(Self.login)": {"email": "alex.kim@example.com", "roles": ["agent"]}}}"#
        let created = try await run(["new", "--requester", "jane@example.com", "--subject", "Lost my phone"], configuration: configuration)
        #expect(created.status == 0, "\(created.err)")
        #expect(created.loaded.contains("libpq.so.5"), "\(created.loaded.sorted())")
        #expect(!created.loaded.contains("libcurl.so.4"), "\(created.loaded.sorted())")
    }

    // MARK: A libcurl that cannot be loaded, and the service

    /// A folder whose `libcurl.so.4` is not a library, first on the loader's path.
    func brokenLibcurl() throws -> String {
        let directory = folder.file("broken-libraries")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("not a library".utf8).write(to: URL(fileURLWithPath: directory + "/libcurl.so.4"))
        return directory
    }

    /// The service's configuration: this login its one operator, Okta on a port nothing answers.
    func serviceConfiguration() throws -> String {
        let token = folder.file("okta.token")
        try Data("00library-test-token".utf8).write(to: URL(fileURLWithPath: token))
        chmod(token, 0o600)
        let path = folder.file("serve.json")
        try #"{"okta": {"orgUrl": "http://127.0.0.1:9", "tokenFile": "\#(token)"}, "store": {"path": "\#(folder.file("served.db"))"}, "service": {"socket": "\#(folder.file("helpdesk.sock"))"}, "operators": {"\#(Self.login)": {"email": "alex.kim@example.com", "roles": ["agent"]}}}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theServiceDoesNotStartWithoutAWorkingLibcurlAndSaysWhatToInstall() async throws {
        let log = folder.file("serve.log")
        let service = try ChildProcess.spawn(binary, ["serve", "--config", try serviceConfiguration()],
                                             environment: ["HOME": folder.path, "LD_LIBRARY_PATH": try brokenLibcurl()], log: log)
        var status: Int32 = 0
        let ended = await eventually(30) { waitpid(service, &status, WNOHANG) == service }
        if !ended {
            kill(service, SIGKILL)
            _ = ChildProcess.wait(service)
        }
        #expect(ended, "the service started without libcurl")
        let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(said.contains("cannot start without libcurl: libcurl.so.4 could not be loaded"), "\(said)")
        #expect(said.contains("Debian: libcurl4"), "\(said)")
        #expect(!said.contains("00library-test-token"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("helpdesk.sock")))
    }

    @Test func doctorNamesTheLibraryNotTheNetwork() async throws {
        let configuration = #"{"okta": {"orgUrl": "http://127.0.0.1:9"}, "operators": {"\#(Self.login)": {"email": "alex.kim@example.com", "roles": ["agent"]}}}"#
        let checked = try await run(["doctor", "--db", folder.file("helpdesk.db")], configuration: configuration,
                                    variables: ["OKTA_CLIENT_TOKEN": "00library-test-token", "LD_LIBRARY_PATH": try brokenLibcurl(), "LD_DEBUG": ""])
        #expect(checked.status != 0)
        let said = checked.out + checked.err
        #expect(said.contains("okta library") && said.contains("apt-get install libcurl4"), "\(said)")
        #expect(!said.contains("check DNS"), "\(said)")
    }

    @Test func aConsoleCommandThroughTheServiceLoadsNeitherLibrary() async throws {
        let log = folder.file("serve.log")
        let service = try ChildProcess.spawn(binary, ["serve", "--config", try serviceConfiguration()], environment: ["HOME": folder.path], log: log)
        defer {
            kill(service, SIGKILL)
            _ = ChildProcess.wait(service)
        }
        let socket = folder.file("helpdesk.sock")
        #expect(await eventually(30) { FileManager.default.fileExists(atPath: socket) }, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        let created = try await run(["new", "--requester", "jane@example.com", "--subject", "Lost my phone"], configuration: "{}",
                                    variables: ["HELPDESK_SOCKET": socket])
        #expect(created.status == 0, "\(created.err)")
        #expect(created.loaded.contains("libsqlite3.so.0"), "the loader's lines were read: \(created.loaded.sorted())")
        #expect(!created.loaded.contains("libcurl.so.4") && !created.loaded.contains("libpq.so.5"), "\(created.loaded.sorted())")
    }
}
