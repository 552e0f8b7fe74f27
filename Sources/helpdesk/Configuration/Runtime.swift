import Foundation
import HelpdeskCore
import OktaClient
import SQLiteStore

/// What a command runs with: who the operator is (the OS login, checked against the
/// configuration), the store, and Okta. Paths and secrets are resolved here and nowhere else.
struct Runtime {
    let invocation: Invocation
    let configuration: HelpdeskConfiguration?
    let configurationPath: String?
    let searched: [String]
    /// The login of the real user id.
    let login: String

    static func load(_ invocation: Invocation) throws -> Runtime {
        let found = try ConfigurationLocation.find(option: invocation.arguments.value("config"), environment: invocation.environment)
        let configuration = try found.path.map(HelpdeskConfiguration.load(path:))
        let runtime = Runtime(invocation: invocation, configuration: configuration, configurationPath: found.path, searched: found.searched,
                              login: try invocation.environment.login())
        if invocation.environment.isSetGroupID {
            // The helpdesk group's rights are for operators only, whatever the command.
            _ = try runtime.requireOperator(forOkta: true)
        }
        return runtime
    }

    /// The operator at the keyboard. With a configuration, the login must be named in it; without
    /// one, store-only commands act as the OS login and Okta commands are refused.
    func requireOperator(forOkta: Bool) throws -> Operator {
        guard let configuration, let path = configurationPath else {
            if forOkta {
                throw CLIError.failed("no configuration found (looked in \(searched.joined(separator: ", "))); "
                    + "create one from Resources/config.example.json, or try `helpdesk demo`, which needs none")
            }
            return Operator(login: login, email: nil, roles: [.agent])
        }
        guard let member = configuration.team.member(login) else {
            throw CLIError.failed("\(login) is not an operator in \(path); ask an admin to add \(login) under \"operators\"")
        }
        return member
    }

    var team: Team { configuration?.team ?? Team([]) }

    func openStore() throws -> SQLiteRequestStore {
        try invocation.openStore(configured: configuration?.storePath)
    }

    /// Okta, from the environment and the configuration (environment variables win).
    func directory() throws -> any IdentityDirectory {
        if let directory = invocation.environment.directoryOverride { return directory }
        let settings = try OktaSettings.fromEnvironment(invocation.environment.variables, orgURL: configuration?.orgURL, tokenFile: configuration?.tokenFile)
        return OktaDirectory(client: OktaHTTPClient(settings: settings))
    }

    func engine() throws -> ActionEngine {
        ActionEngine(store: try openStore(), directory: try directory(), clock: invocation.environment.clock,
                     policy: configuration?.policy ?? .default, team: team, approvalLifetime: (configuration?.approvalTTLHours ?? 24) * 3600,
                     runner: ProcessIdentity.current)
    }

    func work(_ store: any RequestStore) -> RequestWork {
        RequestWork(store: store, clock: invocation.environment.clock, team: team)
    }
}
