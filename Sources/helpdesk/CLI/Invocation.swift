import Foundation
import HelpdeskCore

/// One run of a subcommand: its parsed arguments and the program's environment, with the
/// look-ups every command shares (the store, request ids, JSON output).
struct Invocation: Sendable {
    let spec: CommandSpec
    let arguments: ParsedArguments
    let environment: ProgramEnvironment

    var out: any OutputSink { environment.out }
    var err: any OutputSink { environment.err }
    var now: Date { environment.clock.now() }
    var wantsJSON: Bool { arguments.flag("json") }

    /// The store file this invocation uses (`--db`, `HELPDESK_DB`, the configuration, the XDG default).
    func storePath(configured: String? = nil) throws -> String {
        try StoreLocation.resolve(option: arguments.value("db"), environment: environment, configured: configured)
    }

    /// The helpdesk service this invocation talks to (the socket, or in-process for personal use).
    func service() throws -> any HelpdeskService {
        try ServiceConnector.connect(self)
    }

    /// A request id argument, or a usage error naming what was given.
    func requestID(at index: Int) throws(CLIError) -> RequestID {
        try requestID(arguments.positional(index) ?? "")
    }

    /// A request id given as text (an argument or an option's value), or a usage error.
    func requestID(_ text: String) throws(CLIError) -> RequestID {
        guard let id = RequestID(parsing: text) else {
            throw .usage("\(TextSafetyForCLI.quoted(text)) is not a request id (expected REQ-12 or 12)", command: spec.name)
        }
        return id
    }

    /// A required option's value, or a usage error.
    func required(_ name: String) throws(CLIError) -> String {
        guard let value = arguments.value(name) else {
            throw .usage("\(spec.name) needs --\(name)", command: spec.name)
        }
        return value
    }

    /// Reads arguments' values with `body`: a value that does not parse is a usage mistake (exit 2),
    /// not a refusal.
    func parsing<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ValidationError {
            throw CLIError.usage(error.message, command: spec.name)
        }
    }

    /// Prints a value as pretty JSON with sorted keys; characters a terminal would act on are escaped.
    func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder.helpdesk
        encoder.outputFormatting.insert(.prettyPrinted)
        out.line(SafeText.escapingJSON(String(decoding: try encoder.encode(value), as: UTF8.self)))
    }
}
