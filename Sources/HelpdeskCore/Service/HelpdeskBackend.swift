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
    /// The last reading of the setup checks, and when it ended (nil while on its way).
    private let recentChecks = Mutex<(task: Task<[ServiceCheck], Never>, ended: ContinuousClock.Instant?)?>(nil)
    /// How long a reading of the setup checks that ended answers everyone who asks.
    public let checksReuse: Duration

    /// `identify` turns a login into its operator, or throws the refusal that login gets.
    public init(
        engine: ActionEngine, oktaProblem: String? = nil, personas: [Operator] = [], playbooks: [Playbook] = [],
        runnerIsAlive: @escaping @Sendable (String) -> Bool? = { _ in nil },
        identify: @escaping @Sendable (String) throws -> Operator,
        checks: @escaping @Sendable () async -> [ServiceCheck] = { [] }, checksReuse: Duration = .seconds(10)
    ) {
        self.engine = engine
        feed = ChangeFeed(store: engine.store, pollInterval: engine.store.changePollInterval)
        self.oktaProblem = oktaProblem
        self.personas = personas
        self.runnerIsAlive = runnerIsAlive
        playbookList = playbooks
        self.identify = identify
        self.checks = checks
        self.checksReuse = checksReuse
    }

    /// The service as `login` uses it, or the refusal for a login that is not an operator.
    public func service(for login: String) throws -> LocalHelpdeskService {
        LocalHelpdeskService(backend: self, user: try identify(login))
    }

    /// The setup checks (`helpdesk doctor`): each reading asks Okta three times and any operator
    /// may ask as often as they like, so a reading on its way answers everyone who asks meanwhile,
    /// and one that ended answers them for `checksReuse` after.
    public func setupChecks() async -> [ServiceCheck] {
        let task = recentChecks.withLock { recent in
            if let recent, recent.ended.map({ $0.duration(to: .now) < checksReuse }) ?? true { return recent.task }
            let task = Task { [self] in
                let answer = await checks()
                recentChecks.withLock { recent in recent?.ended = .now }
                return answer
            }
            recent = (task, nil)
            return task
        }
        return await task.value
    }

    public var reconciler: Reconciler { Reconciler(engine: engine, runnerIsAlive: runnerIsAlive) }

    public var playbooks: PlaybookEngine { PlaybookEngine(reconciler: reconciler, playbooks: playbookList) }
}
