import Foundation
import HelpdeskCore
import OktaClient
import SQLiteStore

/// Personal use: helpdesk in this process with the operator's own configuration, store and
/// token. The operator is the login of the real user id, checked against the configuration;
/// without one, commands that need only the store act as that login, and Okta is refused.
enum PersonalSetup {
    static func backend(_ invocation: Invocation) throws -> (backend: HelpdeskBackend, login: String) {
        let environment = invocation.environment
        let found = try ConfigurationLocation.find(option: invocation.arguments.value("config"), environment: environment)
        let configuration = try found.path.map(HelpdeskConfiguration.load(path:))
        let login = try environment.login()
        let setting = try StoreSetting.resolve(invocation, configuration: configuration)
        if setting == .file(":memory:"), invocation.spec.name != Program.console.name {
            throw CLIError.failed(":memory: is a store in memory, gone when the command ends; name a store file with --db or HELPDESK_DB")
        }
        if case .file(let path) = setting, StoreSetting.isNamed(by: invocation), !commandsThatMakeTheStore.contains(invocation.spec.name), let missing = noStore(at: path) {
            throw CLIError.failed("there is no store at \(path)\(missing); check --db or HELPDESK_DB (a store is made by helpdesk new, helpdesk import or the console)")
        }
        let store = try setting.open()
        let (directory, oktaProblem) = okta(environment, configuration: configuration, searched: found.searched)
        let engine = ActionEngine(
            store: store, directory: directory, clock: environment.clock, policy: configuration?.policy ?? .default,
            team: configuration?.team ?? Team([]), approvalLifetime: (configuration?.approvalTTLHours ?? 24) * 3600, runner: ProcessIdentity.current)
        let backend = HelpdeskBackend(
            engine: engine, oktaProblem: oktaProblem, playbooks: configuration?.playbooks ?? [], runnerIsAlive: ProcessIdentity.isAlive,
            identify: { login in try identify(login, configuration: configuration, path: found.path) },
            checks: { await DoctorChecks.personal(invocation) })
        return (backend, login)
    }

    /// The commands that start a store: for any other, a store file named by `--db` or
    /// `HELPDESK_DB` that is not there is a mistyped path (a new store holds no request to show,
    /// note or decide), and making it would only hide the mistake. (The default or configured
    /// store is made on first use, whatever the command.)
    static let commandsThatMakeTheStore: Set<String> = ["new", "import", Program.console.name]

    /// Why no store is at `path` (nothing there, also at the end of a link, or an empty file, said
    /// as such), or nil when something is, or when it cannot be told (opening it says why).
    private static func noStore(at path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return errno == ENOENT ? "" : nil }
        guard info.st_mode & S_IFMT == S_IFREG, info.st_size == 0 else { return nil }
        return " (the file is empty)"
    }

    /// With a configuration, the login must be named in it; without one, it acts as an agent on the store alone.
    static func identify(_ login: String, configuration: HelpdeskConfiguration?, path: String?) throws -> Operator {
        guard let configuration, let path else { return Operator(login: login, email: nil, roles: [.agent]) }
        guard let member = configuration.team.member(login) else {
            throw CLIError.failed("\(login) is not an operator in \(path); ask an admin to add \(login) under \"operators\"")
        }
        return member
    }

    /// Okta from the environment and the configuration (environment variables win), or why not.
    private static func okta(_ environment: ProgramEnvironment, configuration: HelpdeskConfiguration?, searched: [String]) -> (any IdentityDirectory, String?) {
        if let directory = environment.directoryOverride { return (directory, nil) }
        guard configuration != nil || environment.variable("OKTA_CLIENT_ORGURL") != nil else {
            let problem = "no configuration found (looked in \(searched.joined(separator: ", "))); "
                + "create one from Resources/config.example.json, or try `helpdesk demo`, which needs none"
            return (UnconfiguredDirectory(problem: problem), problem)
        }
        do {
            let settings = try OktaSettings.fromEnvironment(environment.variables, orgURL: configuration?.orgURL, tokenFile: configuration?.tokenFile, oauth: configuration?.oauth)
            return (OktaDirectory(client: OktaHTTPClient(settings: settings)), nil)
        } catch {
            return (UnconfiguredDirectory(problem: error.message), error.message)
        }
    }
}

/// Okta when it is not set up: every call fails with the sentence saying why.
struct UnconfiguredDirectory: IdentityDirectory {
    let problem: String

    var orgName: String { "no Okta org configured" }

    private func refuse<T>() throws -> T { throw DirectoryError(kind: .configuration, summary: problem) }

    func user(_ lookup: UserLookup) async throws -> DirectoryUser { try refuse() }
    func searchUsers(_ text: String, limit: Int) async throws -> [DirectoryUser] { try refuse() }
    func findGroups(_ prefix: String, limit: Int) async throws -> [DirectoryGroup] { try refuse() }
    func findApps(_ prefix: String, limit: Int) async throws -> [DirectoryApp] { try refuse() }
    func group(id: String) async throws -> DirectoryGroup { try refuse() }
    func app(id: String) async throws -> DirectoryApp { try refuse() }
    func groups(ofUser userID: String) async throws -> [DirectoryGroup] { try refuse() }
    func apps(ofUser userID: String) async throws -> [DirectoryAppLink] { try refuse() }
    func factors(ofUser userID: String) async throws -> [DirectoryFactor] { try refuse() }
    func signIns(ofUser userID: String, limit: Int) async throws -> [SignInEvent] { try refuse() }
    func isAssigned(userID: String, appID: String) async throws -> Bool { try refuse() }
    func assignmentScope(userID: String, appID: String) async throws -> String? { try refuse() }
    func resetFactors(userID: String) async throws -> DirectoryReceipt { try refuse() }
    func resetFactor(userID: String, factorID: String) async throws -> DirectoryReceipt { try refuse() }
    func revokeSessions(userID: String, oauthTokens: Bool) async throws -> DirectoryReceipt { try refuse() }
    func addToGroup(userID: String, groupID: String) async throws -> DirectoryReceipt { try refuse() }
    func removeFromGroup(userID: String, groupID: String) async throws -> DirectoryReceipt { try refuse() }
    func assignApp(userID: String, appID: String) async throws -> DirectoryReceipt { try refuse() }
    func removeApp(userID: String, appID: String) async throws -> DirectoryReceipt { try refuse() }
    func suspend(userID: String) async throws -> DirectoryReceipt { try refuse() }
    func unsuspend(userID: String) async throws -> DirectoryReceipt { try refuse() }
    func unlock(userID: String) async throws -> DirectoryReceipt { try refuse() }
    func activate(userID: String, sendEmail: Bool) async throws -> DirectoryReceipt { try refuse() }
    func reactivate(userID: String) async throws -> DirectoryReceipt { try refuse() }
    func deactivate(userID: String) async throws -> DirectoryReceipt { try refuse() }
    func resetPassword(userID: String, sendEmail: Bool) async throws -> DirectoryReceipt { try refuse() }
    func expirePassword(userID: String) async throws -> DirectoryReceipt { try refuse() }
    func createUser(_ profile: NewUserProfile) async throws -> DirectoryReceipt { try refuse() }
}
