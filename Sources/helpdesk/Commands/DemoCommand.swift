import ConsoleViewModel
import Foundation
import HelpdeskCore
import OktaClient
import SQLiteStore

/// `helpdesk demo`: the console on the simulated demo tenant with a fresh demo store.
enum DemoCommand {
    static let spec = CommandSpec(
        name: "demo",
        summary: "try the console on the built-in demo tenant and queue (no configuration needed)",
        synopsis: "[--db PATH]",
        options: [.value("db", "PATH", "keep the demo store in PATH (default: a fresh store in a temporary folder)")],
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
        if invocation.environment.isSetGroupID {
            try SetGroupID.dropGroup()
        }
        let (state, services, path) = try DemoSetup.make(dbOption: invocation.arguments.value("db"), environment: invocation.environment)
        invocation.err.line("helpdesk demo: store \(path)")
        return try ConsoleLauncher.run(state, services: services, environment: invocation.environment)
    }
}

/// The demo's store, simulated tenant, team and personas.
enum DemoSetup {
    static let agent = Operator(login: "alex", email: try? EmailAddress("alex.kim@example.com"), roles: [.agent])
    static let manager = Operator(login: "sam", email: try? EmailAddress("sam.lee@example.com"), roles: [])
    static let team = Team([
        agent, manager,
        Operator(login: "jordan", email: try? EmailAddress("jordan.reyes@example.com"), roles: [.agent]),
        Operator(login: "morgan", email: try? EmailAddress("morgan.patel@example.com"), roles: [.agent, .approver]),
    ])

    static func make(dbOption: String?, environment: ProgramEnvironment, latency: TimeInterval = 0.08) throws -> (AppState, ConsoleServices, String) {
        let path: String
        if let dbOption {
            path = try StoreLocation.resolve(option: dbOption, environment: environment, configured: nil)
        } else {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("helpdesk-demo-\(UUID().uuidString)/helpdesk.db").path
        }
        let now = environment.clock.now()
        let store = try SQLiteRequestStore(path: path)
        if try store.read({ try $0.count(.all) }) == 0 {
            try DemoRequests.seed(into: store, now: now)
        }
        let tenant = SimulatedTenant(now: now, latency: latency)
        let engine = ActionEngine(store: store, directory: tenant, clock: environment.clock, policy: .default, team: team, runner: nil)
        let state = AppState(user: agent, personas: [agent, manager], isDemo: true, orgName: tenant.orgName, policy: .default, now: now)
        return (state, ConsoleServices(engine: engine), path)
    }
}
