import Synchronization
import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import Testing
@testable import helpdesk

/// Runs the program in-process with captured output, a fixed login and a manual clock.
struct CLIHarness {
    let folder = TemporaryDirectory("helpdesk-cli")
    let clock = ManualClock()
    var login = "alex"
    var variables: [String: String] = [:]
    var stdin = Data()
    /// Reading standard input fails once `stdin` is used up, instead of ending, when set.
    var stdinFailsAtEnd = false
    /// Standard input read by this instead of `stdin`, when set.
    var readStandardInput: (@Sendable (Int) throws -> Data?)?
    var directory: (any IdentityDirectory)?
    /// Runs as a set-user-id or set-group-id install would (`ProgramEnvironment.isSetID`).
    var setID = false

    var dbPath: String { folder.file("helpdesk.db") }

    /// The system-wide configuration file the harness's program reads (`/etc/helpdesk/config.json` live).
    var systemConfigPath: String { folder.file("etc-helpdesk-config.json") }

    /// Writes the demo team as the system configuration, naming `store` as its store.
    func writeSystemConfiguration(store: String) throws {
        let text = Self.demoConfiguration.replacingOccurrences(
            of: #""approvalTtlHours": 8"#, with: #""approvalTtlHours": 8, "store": {"path": "\#(store)"}"#)
        try text.write(toFile: systemConfigPath, atomically: true, encoding: .utf8)
    }

    /// Writes `~/.config/helpdesk/config.json` for the harness's HOME.
    func writeConfiguration(_ text: String) throws {
        let path = folder.file(".config/helpdesk/config.json")
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The demo team, as a configuration file.
    static let demoConfiguration = """
    {
      "okta": {"orgUrl": "https://example.okta.com"},
      "operators": {
        "alex": {"email": "alex.kim@example.com", "roles": ["agent"]},
        "jordan": {"email": "jordan.reyes@example.com", "roles": ["agent"]},
        "morgan": {"email": "morgan.patel@example.com", "roles": ["agent", "approver"]},
        "sam": {"email": "sam.lee@example.com", "roles": []}
      },
      "approvalTtlHours": 8
    }
    """

    struct Result {
        let status: Int32
        let out: String
        let err: String

        func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(out.utf8)) }
        func object() throws -> [String: Any] { try #require(try json() as? [String: Any]) }
    }

    /// Runs `helpdesk ARGS --db <test store>` unless `db` is false; standard output to `sink`
    /// when given (the result's `out` is then empty); standard error to `err` when given (it is
    /// then the result's `err` too).
    func run(_ arguments: [String], db: Bool = true, out sink: (any OutputSink)? = nil, err: CapturedOutput = CapturedOutput()) async -> Result {
        let out = CapturedOutput()
        let login = self.login
        let input = ScriptedInput(stdin, failsAtEnd: stdinFailsAtEnd)
        var environment = ProgramEnvironment(
            variables: variables.merging(["HOME": folder.path], uniquingKeysWith: { first, _ in first }),
            out: sink ?? out, err: err, clock: clock,
            login: { login },
            readStandardInput: readStandardInput ?? { count in try input.next(count) },
            isInteractive: false
        )
        environment.systemConfigPath = systemConfigPath
        environment.directoryOverride = directory
        environment.isSetID = setID
        environment.defaultSocketPath = folder.file("no-service.sock")
        let words = db && !arguments.contains("--db") ? arguments + ["--db", dbPath] : arguments
        let status = await Program.run(words, in: environment)
        return Result(status: status, out: out.text, err: err.text)
    }
}

/// Standard input for a test run, handed out in chunks as the program reads it.
final class ScriptedInput: Sendable {
    private let remaining: Mutex<Data>
    private let failsAtEnd: Bool

    struct ReadFailure: Error, CustomStringConvertible {
        var description: String { "Input/output error" }
    }

    init(_ data: Data, failsAtEnd: Bool = false) {
        remaining = Mutex(data)
        self.failsAtEnd = failsAtEnd
    }

    func next(_ count: Int) throws -> Data {
        try remaining.withLock { data in
            if data.isEmpty && failsAtEnd { throw ReadFailure() }
            let chunk = data.prefix(count)
            data = Data(data.dropFirst(chunk.count))
            return Data(chunk)
        }
    }
}
