import Foundation
import HelpdeskCore
import HelpdeskSocket

/// Everything a command reads from outside the command line: the environment variables, the
/// clock, the operator's OS login, standard input and output. Tests build their own.
struct ProgramEnvironment: Sendable {
    var variables: [String: String]
    var out: any OutputSink
    var err: any OutputSink
    var clock: any Clock
    /// The login of the real user id; never taken from a flag or a variable.
    var login: @Sendable () throws -> String
    /// The next chunk of standard input (at most the given number of bytes), empty at its end,
    /// nil when nothing came within the import's pause (`ImportCommand.pauseMilliseconds`).
    var readStandardInput: @Sendable (Int) throws -> Data?
    /// Whether standard input and output are a terminal.
    var isInteractive: Bool
    /// The service's configuration file (`helpdesk serve` reads it unless given `--config`).
    var systemConfigPath = "/etc/helpdesk/config.json"
    /// Where the service listens unless `--socket` or `HELPDESK_SOCKET` says otherwise.
    var defaultSocketPath = WireProtocol.defaultSocketPath
    /// The program was started set-user-id or set-group-id (it refuses to run so).
    var isSetID = false
    /// Used instead of Okta when set (the demo's simulated tenant, tests).
    var directoryOverride: (any IdentityDirectory)?

    static func live() -> ProgramEnvironment {
        var environment = ProgramEnvironment(
            variables: ProcessInfo.processInfo.environment,
            out: FileOutput(descriptor: STDOUT_FILENO, kind: .stream),
            err: FileOutput(descriptor: STDERR_FILENO, kind: .messages),
            clock: SystemClock(),
            login: { try OSIdentity.login() },
            readStandardInput: { _ in try ImportCommand.readChunk(STDIN_FILENO) },
            isInteractive: isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        )
        environment.isSetID = getuid() != geteuid() || getgid() != getegid()
        return environment
    }

    /// A variable, treating an empty value as unset.
    func variable(_ name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }
}
