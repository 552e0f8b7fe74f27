import Foundation
import HelpdeskCore

/// Everything a command reads from outside the command line: the environment variables, the
/// clock, the operator's OS login, standard input and output. Tests build their own.
struct ProgramEnvironment: Sendable {
    var variables: [String: String]
    var out: any OutputSink
    var err: any OutputSink
    var clock: any Clock
    /// The login of the real user id; never taken from a flag or a variable.
    var login: @Sendable () throws -> String
    var readStandardInput: @Sendable () -> Data
    /// Whether standard input and output are a terminal.
    var isInteractive: Bool
    /// The system-wide configuration file.
    var systemConfigPath = "/etc/helpdesk/config.json"
    /// Running set-group-id to the helpdesk group: paths come only from the system configuration.
    var isSetGroupID = false
    /// Used instead of Okta when set (the demo's simulated tenant, tests).
    var directoryOverride: (any IdentityDirectory)?

    static func live() -> ProgramEnvironment {
        let setGroupID = SetGroupID.isActive
        let variables = ProcessInfo.processInfo.environment
        var environment = ProgramEnvironment(
            variables: setGroupID ? SetGroupID.trusted(variables) : variables,
            out: FileOutput(handle: .standardOutput),
            err: FileOutput(handle: .standardError),
            clock: SystemClock(),
            login: { try OSIdentity.login() },
            readStandardInput: { FileHandle.standardInput.readDataToEndOfFile() },
            isInteractive: isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        )
        environment.isSetGroupID = setGroupID
        return environment
    }

    /// A variable, treating an empty value as unset.
    func variable(_ name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }
}
