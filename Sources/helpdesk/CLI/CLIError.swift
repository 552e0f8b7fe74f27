/// A command-line failure and its exit code: 2 for usage mistakes, 1 for refusals and failures,
/// 128 and the signal's number for a command a signal stopped (as a shell reports it).
enum CLIError: Error, Equatable, CustomStringConvertible {
    /// The command line itself is wrong; the message says how, and names the command for `--help`.
    case usage(String, command: String?)
    /// The command ran and was refused or failed.
    case failed(String)
    /// A signal stopped the command between two of its steps.
    case stopped(String, signal: Int32)

    var description: String {
        switch self {
        case .usage(let message, _), .failed(let message), .stopped(let message, _): message
        }
    }

    var exitCode: Int32 {
        switch self {
        case .usage: ExitCode.usage
        case .failed: ExitCode.failure
        case .stopped(_, let signal): 128 + signal
        }
    }
}

/// The program's exit codes.
enum ExitCode {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let usage: Int32 = 2
}
