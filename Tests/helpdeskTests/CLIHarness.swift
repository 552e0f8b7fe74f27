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

    var dbPath: String { folder.file("helpdesk.db") }

    struct Result {
        let status: Int32
        let out: String
        let err: String

        func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(out.utf8)) }
        func object() throws -> [String: Any] { try #require(try json() as? [String: Any]) }
    }

    /// Runs `helpdesk ARGS --db <test store>` unless `db` is false.
    func run(_ arguments: [String], db: Bool = true) async -> Result {
        let out = CapturedOutput()
        let err = CapturedOutput()
        let login = self.login
        let input = stdin
        let environment = ProgramEnvironment(
            variables: variables.merging(["HOME": folder.path], uniquingKeysWith: { first, _ in first }),
            out: out, err: err, clock: clock,
            login: { login },
            readStandardInput: { input },
            isInteractive: false
        )
        let words = db && !arguments.contains("--db") ? arguments + ["--db", dbPath] : arguments
        let status = await Program.run(words, in: environment)
        return Result(status: status, out: out.text, err: err.text)
    }
}
