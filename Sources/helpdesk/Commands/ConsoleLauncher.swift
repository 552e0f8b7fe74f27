import ConsoleView
import ConsoleViewModel
import Foundation
import HelpdeskCore
import NcursesFrontEnd

/// Opens the console in this terminal, or explains why it cannot.
enum ConsoleLauncher {
    static func run(_ state: AppState, services: ConsoleServices, environment: ProgramEnvironment) throws -> Int32 {
        let term = environment.variable("TERM") ?? ""
        guard environment.isInteractive, !term.isEmpty, term != "dumb" else {
            throw CLIError.usage("the console needs a terminal (standard input and output a terminal, TERM set and not dumb); "
                + "for scripts use the command line: helpdesk list, show, act… (helpdesk --help)", command: nil)
        }
        let backend: NcursesBackend
        do {
            backend = try NcursesBackend(useColor: environment.variable("NO_COLOR") == nil)
        } catch {
            throw CLIError.usage("cannot open the console: \(error); the command line still works (helpdesk --help)", command: nil)
        }
        defer { backend.end() }
        ConsoleApp(driver: ConsoleDriver(state: state, services: services), backend: backend).run()
        return ExitCode.success
    }
}

/// `helpdesk` with no command: the console for the operator at this terminal.
enum LiveConsole {
    static func run(_ invocation: Invocation) async throws -> Int32 {
        let runtime = try Runtime.load(invocation)
        let user = try runtime.requireOperator(forOkta: true)
        let engine = try runtime.engine()
        let state = AppState(user: user, orgName: engine.directory.orgName, policy: engine.policy, now: invocation.now)
        return try ConsoleLauncher.run(state, services: ConsoleServices(engine: engine), environment: invocation.environment)
    }
}
