import Foundation
import HelpdeskCore

/// The command table and the dispatch from a command line to a command and an exit code.
enum Program {
    static let commands: [CommandSpec] = [
        NewCommand.spec,
        ListCommand.spec,
        ShowCommand.spec,
        NoteCommand.spec,
        ActCommand.spec,
        DecisionCommands.approve,
        DecisionCommands.deny,
        PlaybookCommands.list,
        PlaybookCommands.run,
        PlaybookCommands.cancel,
        PlaybookCommands.undo,
        WorkCommands.assign,
        WorkCommands.resolve,
        WorkCommands.reopen,
        SweepCommand.spec,
        ReconcileCommand.spec,
        ImportCommand.spec,
        ExportCommand.spec,
        DoctorCommand.spec,
        ServeCommand.spec,
        MigrateStoreCommand.spec,
        DemoCommand.spec,
    ]

    /// Why helpdesk will not run set-user-id or set-group-id, and what to do instead.
    static let setIDRefusal = "helpdesk: refusing to run set-user-id or set-group-id: the user would control the environment of a privileged process. "
        + "Remove the bit (chmod u-s,g-s on the helpdesk binary) and install the helpdesk service instead: it alone holds the Okta token and the store, "
        + "and consoles reach it over its socket (README: Install on a jump host; man helpdesk)."

    /// Runs one command line; never exits the process itself. Everything any command prints
    /// passes the one sanitizer on its way to the sinks. A run whose output could not all be
    /// written fails, whatever the command made of it: a script must not take a cut-off
    /// export or listing for a whole one.
    static func run(_ words: [String], in given: ProgramEnvironment) async -> Int32 {
        var environment = given
        environment.out = SanitizedOutput(given.out)
        environment.err = SanitizedOutput(given.err)
        let status = await dispatch(words, in: environment)
        guard let failure = environment.out.failure else { return status }
        environment.err.line("helpdesk: the command ran, but its output could not all be written (\(failure))")
        return status == ExitCode.success ? ExitCode.failure : status
    }

    private static func dispatch(_ words: [String], in environment: ProgramEnvironment) async -> Int32 {
        if environment.isSetID {
            environment.err.line(setIDRefusal)
            return ExitCode.failure
        }
        guard let first = words.first else {
            return await run(console, [], in: environment)
        }
        switch first {
        case "--help", "-h", "help":
            environment.out.write(HelpText.program(commands, version: HelpdeskVersion.current))
            return ExitCode.success
        case "--version", "-V":
            environment.out.line("helpdesk \(HelpdeskVersion.current)")
            return ExitCode.success
        case _ where first.hasPrefix("--"):
            return await run(console, words, in: environment)
        default:
            break
        }
        guard let spec = commands.first(where: { $0.name == first }) else {
            environment.err.line("helpdesk: unknown command \(TextSafetyForCLI.quoted(first)); run helpdesk --help for the list")
            return ExitCode.usage
        }
        return await run(spec, Array(words.dropFirst()), in: environment)
    }

    /// `helpdesk` alone, or with only options (`helpdesk --config PATH`): the console.
    static let console = CommandSpec(
        name: "console", summary: "open the console in this terminal", synopsis: "[--socket PATH | --config PATH] [--db PATH]", options: [.config, .db, .socket]
    ) { try await LiveConsole.run($0) }

    private static func run(_ spec: CommandSpec, _ rest: [String], in environment: ProgramEnvironment) async -> Int32 {
        if wantsHelp(rest) {
            environment.out.write(spec.name == console.name ? HelpText.program(commands, version: HelpdeskVersion.current) : HelpText.command(spec))
            return ExitCode.success
        }
        do {
            let arguments = try ParsedArguments(rest, spec: spec)
            return try await spec.run(Invocation(spec: spec, arguments: arguments, environment: environment))
        } catch let error as CLIError {
            report(error, in: environment)
            return error.exitCode
        } catch {
            environment.err.line("helpdesk: \(error)")
            return ExitCode.failure
        }
    }

    private static func wantsHelp(_ words: [String]) -> Bool {
        for word in words {
            if word == "--" { return false }
            if word == "--help" || word == "-h" { return true }
        }
        return false
    }

    private static func report(_ error: CLIError, in environment: ProgramEnvironment) {
        environment.err.line("helpdesk: \(error)")
        guard case .usage(_, let command?) = error else { return }
        environment.err.line(command == console.name ? "Run helpdesk --help for the usage." : "Run helpdesk \(command) --help for its usage.")
    }
}
