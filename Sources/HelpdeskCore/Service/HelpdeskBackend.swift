import Foundation
import Synchronization

/// What every session of one helpdesk shares: the store and Okta behind the action engine, the
/// change feed, the setup checks, and who may use it. `helpdesk serve` holds one for all its
/// clients; the demo and personal use hold one in-process.
public final class HelpdeskBackend: Sendable {
    public let engine: ActionEngine
    public let feed: ChangeFeed
    /// Why Okta cannot be used (no configuration), or nil when it can.
    public let oktaProblem: String?
    /// Demo personas a console may switch between; empty elsewhere.
    public let personas: [Operator]
    /// Whether the process named by a run's runner (`host:pid`) still lives; nil when it cannot tell.
    public let runnerIsAlive: @Sendable (String) -> Bool?
    /// The configured playbooks.
    public let playbookList: [Playbook]
    private let identify: @Sendable (String) throws -> Operator
    private let checks: @Sendable () async -> [ServiceCheck]
    /// The last setup checks and when they began (`setupChecks`).
    private let recentChecks = Mutex<(began: ContinuousClock.Instant, task: Task<[ServiceCheck], Never>)?>(nil)
    /// How long one reading of the setup checks answers everyone who asks.
    public static let checksReuse: Duration = .seconds(10)

    /// `identify` turns a login into its operator, or throws the refusal that login gets.
    public init(
        engine: ActionEngine, oktaProblem: String? = nil, personas: [Operator] = [], playbooks: [Playbook] = [],
        runnerIsAlive: @escaping @Sendable (String) -> Bool? = { _ in nil },
        identify: @escaping @Sendable (String) throws -> Operator,
        checks: @escaping @Sendable () async -> [ServiceCheck] = { [] }
    ) {
        self.engine = engine
        feed = ChangeFeed(store: engine.store, pollInterval: engine.store.changePollInterval)
        self.oktaProblem = oktaProblem
        self.personas = personas
        self.runnerIsAlive = runnerIsAlive
        playbookList = playbooks
        self.identify = identify
        self.checks = checks
    }

    /// The service as `login` uses it, or the refusal for a login that is not an operator.
    public func service(for login: String) throws -> LocalHelpdeskService {
        LocalHelpdeskService(backend: self, user: try identify(login))
    }

    /// The setup checks (`helpdesk doctor`), read again at most every `checksReuse`: each reading
    /// asks Okta three times and any operator may ask as often as they like, so meanwhile everyone
    /// shares the last one (a reading on its way included).
    public func setupChecks() async -> [ServiceCheck] {
        let checks = self.checks
        let task = recentChecks.withLock { recent in
            if let recent, recent.began.duration(to: .now) < Self.checksReuse { return recent.task }
            let task = Task { await checks() }
            recent = (.now, task)
            return task
        }
        return await task.value
    }

    public var reconciler: Reconciler { Reconciler(engine: engine, runnerIsAlive: runnerIsAlive) }

    public var playbooks: PlaybookEngine { PlaybookEngine(reconciler: reconciler, playbooks: playbookList) }
}
