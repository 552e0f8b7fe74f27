import ConsoleViewModel
import Foundation
import HelpdeskCore
import OktaClient
import SQLiteStore

/// `helpdesk demo`: the console on the simulated demo tenant with a fresh demo store, through the
/// same service boundary as a jump host, in this process.
enum DemoCommand {
    static let spec = CommandSpec(
        name: "demo",
        summary: "try the console on the built-in demo tenant and queue (no configuration or service needed)",
        synopsis: "[--db PATH]",
        options: [.value("db", "PATH", "keep the demo store in PATH (default: a fresh store in a private temporary folder, removed when the demo ends)")],
        discussion: """
        You start as Alex, an agent; F2 switches to Sam, a sales director who approves for his team.
        The demo queue is seeded into an empty store; an existing store at --db is reused as it is.
        Okta is simulated: nothing leaves this machine.
        """
    ) { invocation in
        let term = invocation.environment.variable("TERM") ?? ""
        guard invocation.environment.isInteractive, !term.isEmpty, term != "dumb" else {
            throw CLIError.usage("the demo is the console and needs a terminal; run it in one (swift run helpdesk demo)", command: "demo")
        }
        let path: String
        let throwaway: ThrowawayFolder?
        if let option = invocation.arguments.value("db") {
            path = try StoreLocation.resolve(option: option, environment: invocation.environment, configured: nil)
            throwaway = nil
            invocation.err.line("helpdesk demo: store \(path)")
        } else {
            let folder = try ThrowawayFolder(prefix: "helpdesk-demo-", environment: invocation.environment)
            path = folder.file("helpdesk.db")
            throwaway = folder
            invocation.err.line("helpdesk demo: store \(path), removed when the demo ends (--db PATH keeps one)")
        }
        defer { throwaway?.remove() }
        let backend = try DemoSetup.make(storePath: path, environment: invocation.environment)
        return try await ConsoleLauncher.run(try backend.service(for: DemoSetup.agent.login), backend: backend, invocation: invocation,
                                             persona: DemoSetup.persona(backend))
    }
}

/// The demo's store, simulated tenant, team and personas.
enum DemoSetup {
    static let agent = Operator(login: "alex", email: try? EmailAddress("alex.kim@example.com"), roles: [.agent])
    static let manager = Operator(login: "sam", email: try? EmailAddress("sam.lee@example.com"), roles: [])
    /// The IT lead: an agent who may approve any request (the demo's other managers are not operators).
    static let approver = Operator(login: "morgan", email: try? EmailAddress("morgan.patel@example.com"), roles: [.agent, .approver])
    static let team = Team([
        agent, manager, approver,
        Operator(login: "jordan", email: try? EmailAddress("jordan.reyes@example.com"), roles: [.agent]),
    ])

    /// The demo's backend on the store at `storePath` (seeded when empty) and the simulated tenant.
    static func make(storePath: String, environment: ProgramEnvironment, latency: TimeInterval = 0.08) throws -> HelpdeskBackend {
        let now = environment.clock.now()
        let store = try SQLiteRequestStore(path: storePath)
        if try store.read({ try $0.count(.all) }) == 0 {
            try DemoRequests.seed(into: store, now: now)
        }
        let tenant = SimulatedTenant(clock: environment.clock, latency: latency)
        let engine = ActionEngine(store: store, directory: tenant, clock: environment.clock, policy: .default, team: team, runner: nil)
        let backend = HelpdeskBackend(engine: engine, personas: [agent, manager, approver], playbooks: DemoPlaybooks.all) { login in
            guard let member = team.member(login) else { throw Refusal("\(login) is not one of the demo's people") }
            return member
        }
        return backend
    }

    /// The demo's persona switch: the same backend as another of its people.
    static func persona(_ backend: HelpdeskBackend) -> @Sendable (String) -> (any HelpdeskService)? {
        { login in try? backend.service(for: login) }
    }
}
