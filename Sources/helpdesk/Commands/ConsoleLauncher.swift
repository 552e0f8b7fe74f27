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
        let wake: WakePipe
        do {
            wake = try WakePipe()
            backend = try NcursesBackend(useColor: environment.variable("NO_COLOR") == nil, wake: wake)
        } catch {
            throw CLIError.usage("cannot open the console: \(error); the command line still works (helpdesk --help)", command: nil)
        }
        defer { backend.end() }
        let driver = ConsoleDriver(state: state, services: services) { wake.signal() }
        ConsoleApp(driver: driver, backend: backend).run()
        driver.stop()
        return ExitCode.success
    }

    /// The console on `service`; with an in-process backend, its background work runs meanwhile.
    static func run(_ service: any HelpdeskService, backend: HelpdeskBackend?, invocation: Invocation, persona: (@Sendable (String) -> (any HelpdeskService)?)? = nil,
                    cardDelay: TimeInterval = 0.12) async throws -> Int32 {
        let session = try await service.session()
        let state = AppState(user: session.operator, personas: session.personas, agents: session.agents, isDemo: !session.personas.isEmpty, orgName: session.orgName,
                             policy: session.policy, zone: .system, now: invocation.now)
        let background = backend.map { backend in Task { await BackgroundWork(backend: backend, actor: session.operator.login) { _ in }.run() } }
        defer { background?.cancel() }
        return try run(state, services: ConsoleServices(service: service, persona: persona, clock: invocation.environment.clock, cardDelay: cardDelay),
                       environment: invocation.environment)
    }
}

/// `helpdesk` with no command: the console for the operator at this terminal.
enum LiveConsole {
    static func run(_ invocation: Invocation) async throws -> Int32 {
        let (service, backend) = try ServiceConnector.open(invocation)
        return try await ConsoleLauncher.run(service, backend: backend, invocation: invocation)
    }
}
