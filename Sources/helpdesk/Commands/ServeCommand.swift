import Foundation
import HelpdeskCore
import HelpdeskSocket
import OktaClient
import SQLiteStore

/// `helpdesk serve`: the service that alone holds the Okta token and the store. Consoles and
/// commands of every operator are its clients over a Unix socket; the kernel tells it who each
/// one is. Run it as its own user under systemd (Resources/helpdesk.service) or any supervisor.
enum ServeCommand {
    static let spec = CommandSpec(
        name: "serve",
        summary: "run the helpdesk service: it holds the Okta token and the store, and serves consoles over a Unix socket",
        synopsis: "[--config PATH] [--socket PATH]",
        options: [
            .value("config", "PATH", "the service's configuration (default /etc/helpdesk/config.json)"),
            .value("socket", "PATH", "where to listen (default: the configuration's service.socket, or /run/helpdesk/helpdesk.sock)"),
        ],
        discussion: """
        The service reads only its configuration: the Okta org and token file, the store, the operators
        and the policy; no environment variable changes them. It expires approvals, revokes temporary
        access and reconciles unknown outcomes on its own, every 30 seconds. SIGTERM or SIGINT stops it:
        it stops accepting, lets actions already running in Okta finish and be recorded (up to 30 s; a
        second signal meanwhile is ignored), then exits 0. Log lines go to standard error (the journal under systemd).
        """
    ) { invocation in
        let running = try await start(invocation)
        await waitForStopSignal()
        running.log("stopping: no new requests; waiting for actions in flight")
        await running.stop()
        running.log("stopped")
        return ExitCode.success
    }

    /// A started service.
    struct Running: Sendable {
        let server: SocketServer
        let background: Task<Void, Never>
        /// Raised when the background work has returned.
        let backgroundEnded: AtomicFlag
        let log: @Sendable (String) -> Void

        /// Stops taking requests and beginning actions; an action under way (its look-ups and its
        /// change) finishes and is recorded, for up to `grace` in all. One still waiting for Okta
        /// then (Okta stalls, and a call may take a minute) is left to reconcile, as if the
        /// service had been killed.
        func stop(grace: TimeInterval = 30) async {
            let deadline = Date().addingTimeInterval(grace)
            background.cancel()
            await server.stop(grace: grace)
            while !backgroundEnded.isRaised, Date() < deadline {
                try? await Task.sleep(nanoseconds: 20_000_000)
            }
            if !backgroundEnded.isRaised {
                log("the service's own work still waited for Okta after \(Int(grace)) s and is cut short; if it was an action, reconcile settles it from Okta's state")
            }
        }
    }

    /// Reads the configuration, opens the store and Okta, and starts listening.
    static func start(_ invocation: Invocation, limits: ServerLimits = ServerLimits(), backgroundInterval: TimeInterval = 30) async throws -> Running {
        let environment = invocation.environment
        let log: @Sendable (String) -> Void = { [err = invocation.err] line in err.line("helpdesk serve: \(line)") }
        let configurationPath = invocation.arguments.value("config") ?? environment.systemConfigPath
        let configuration = try HelpdeskConfiguration.load(path: configurationPath)
        let storeSetting = try StoreSetting.service(configuration, file: configurationPath)
        let socketPath = invocation.arguments.value("socket") ?? configuration.socketPath ?? environment.defaultSocketPath
        let group = try configuration.socketGroup.map(groupID)
        if let group, let name = configuration.socketGroup, geteuid() != 0, !isMember(of: group) {
            throw CLIError.failed("the socket group \(TextSafetyForCLI.quoted(name)) (service.socketGroup) is not one of this user's groups, so the socket cannot be given to it; "
                + "run the service as its own user in that group (usermod -aG \(TextSafetyForCLI.bare(name)) helpdesk)")
        }
        umask(0o077)
        // Okta's settings (the token file's owner and mode) are checked before the store is
        // touched: a service that cannot start leaves no store behind, made by the wrong user.
        let directory: any IdentityDirectory
        var oktaClient: OktaHTTPClient?
        if let override = environment.directoryOverride {
            directory = override
        } else {
            // The service calls Okta for every operator: without libcurl it does not start, where
            // systemd shows it, rather than failing each operator's first action.
            do {
                try CurlTransport.openLibrary()
            } catch {
                throw CLIError.failed("cannot start without libcurl: \(error.message)")
            }
            do {
                let client = OktaHTTPClient(settings: try OktaSettings.fromConfiguration(orgURL: configuration.orgURL, tokenFile: configuration.tokenFile, oauth: configuration.oauth))
                oktaClient = client
                directory = OktaDirectory(client: client)
            } catch {
                throw CLIError.failed("configuration \(configurationPath): \(error.message)")
            }
        }
        let okta = oktaClient
        let store = try storeSetting.open()
        let engine = ActionEngine(store: store, directory: directory, clock: environment.clock, policy: configuration.policy, team: configuration.team,
                                  approvalLifetime: configuration.approvalTTLHours * 3600, runner: ProcessIdentity.current)
        let team = configuration.team
        let clock = environment.clock
        let backend = HelpdeskBackend(
            engine: engine, playbooks: configuration.playbooks, runnerIsAlive: ProcessIdentity.isAlive,
            identify: { login in
                guard let member = team.member(login) else {
                    throw ServiceError(.notAnOperator, "\(login) is not an operator of this helpdesk; ask an admin to add \(login) under \"operators\" in the service's configuration and restart the service")
                }
                return member
            },
            checks: { await DoctorChecks.service(configurationPath: configurationPath, store: store, clock: clock, okta: okta) })
        var limits = limits
        if let perLogin = configuration.connectionsPerLogin { limits.maxConnectionsPerUser = perLogin }
        let server = SocketServer(path: socketPath, limits: limits, identify: { credentials in
            guard let login = PeerCredentials.login(of: credentials.uid) else {
                return .failure(ServiceError(.notAnOperator, "uid \(credentials.uid) has no login on this host, so it cannot be an operator"))
            }
            return Result { () throws(ServiceError) in
                do { return try backend.service(for: login) } catch { throw ServiceError(error) }
            }
        }, log: log)
        do {
            try server.start(mode: group == nil ? 0o666 : 0o660, group: group)
        } catch {
            throw CLIError.failed("cannot listen on \(socketPath): \(error)")
        }
        log("listening on \(socketPath) (helpdesk \(HelpdeskVersion.current), protocol \(WireProtocol.version)); store \(storeSetting.location); Okta \(directory.orgName); \(team.operators.count) operators")
        let serviceLogin = (try? OSIdentity.login()) ?? "helpdesk"
        let backgroundEnded = AtomicFlag()
        let background = Task {
            await BackgroundWork(backend: backend, actor: serviceLogin, interval: backgroundInterval, report: log).run()
            backgroundEnded.raise()
        }
        return Running(server: server, background: background, backgroundEnded: backgroundEnded, log: log)
    }

    /// Whether this process may give a file to `group`: its own group or a supplementary one.
    private static func isMember(of group: gid_t) -> Bool {
        if getegid() == group { return true }
        let count = getgroups(0, nil)
        guard count > 0 else { return false }
        var groups = [gid_t](repeating: 0, count: Int(count))
        return getgroups(count, &groups) > 0 && groups.contains(group)
    }

    private static func groupID(_ name: String) throws -> gid_t {
        guard let record = getgrnam(name) else {
            throw CLIError.failed("the socket group \(TextSafetyForCLI.quoted(name)) (service.socketGroup) does not exist; create it with groupadd --system \(TextSafetyForCLI.bare(name))")
        }
        return record.pointee.gr_gid
    }

    /// Returns when SIGTERM or SIGINT arrives; another during the stop is ignored, so actions in
    /// flight are finished and recorded (systemd's SIGKILL after its timeout is the hard stop).
    /// SIGHUP and SIGPIPE are ignored.
    private static func waitForStopSignal() async {
        signal(SIGPIPE, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // The signals' sources keep the watcher, and it them, for as long as the process lives.
            _ = StopSignals.watch([SIGTERM, SIGINT], then: .isIgnored) { _ in continuation.resume() }
        }
    }
}
