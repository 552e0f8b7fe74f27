import Foundation

/// Settles runs with no known outcome (a crash, a lost connection, "outcome unknown") by reading
/// Okta's state. It records what it found and never repeats an action by itself.
public struct Reconciler: Sendable {
    public let engine: ActionEngine
    /// A run still "started" after this long is taken as interrupted.
    public let interruptedAfter: TimeInterval
    /// Whether the process named by a run's runner (`host:pid`) still lives; nil when it cannot tell.
    public let runnerIsAlive: @Sendable (String) -> Bool?

    public init(engine: ActionEngine, interruptedAfter: TimeInterval = 120, runnerIsAlive: @escaping @Sendable (String) -> Bool? = { _ in nil }) {
        self.engine = engine
        self.interruptedAfter = interruptedAfter
        self.runnerIsAlive = runnerIsAlive
    }

    /// One settled run.
    public struct Result: Sendable, Equatable, Codable {
        public let run: ActionRun
        public let finding: ReconcileFinding
        public let summary: String

        public init(run: ActionRun, finding: ReconcileFinding, summary: String) {
            self.run = run
            self.finding = finding
            self.summary = summary
        }
    }

    /// Whether a run's outcome is unknown now: marked so, or started by a process that is gone,
    /// or started long enough ago to have been interrupted.
    public func isOutcomeUnknown(_ run: ActionRun, now: Date) -> Bool {
        Self.isOutcomeUnknown(now: now, interruptedAfter: interruptedAfter, runnerIsAlive: runnerIsAlive)(run)
    }

    /// The same test, for views that show runs without reconciling them.
    public static func isOutcomeUnknown(now: Date, interruptedAfter: TimeInterval = 120, runnerIsAlive: @escaping (String) -> Bool?) -> (ActionRun) -> Bool {
        { run in
            if run.state == .unknown { return true }
            guard run.state == .started else { return false }
            if let runner = run.runner, runnerIsAlive(runner) == false { return true }
            return now.timeIntervalSince(run.startedAt) >= interruptedAfter
        }
    }

    public func reconcile(_ request: RequestID? = nil, by login: String) async throws -> [Result] {
        let now = engine.clock.now()
        let runs = try engine.store.read { try $0.unfinishedRuns(of: request) }.filter { isOutcomeUnknown($0, now: now) }
        var results: [Result] = []
        for run in runs {
            let (finding, summary) = await inspect(run)
            let recorded = try engine.store.write { writer -> Bool in
                guard try writer.finishRun(run.id, state: .reconciled, at: engine.clock.now()) else { return false }
                let at = engine.clock.now()
                try writer.append(EventDraft(actor: login, at: at, payload: .actionReconciled(.init(
                    runID: run.id, action: run.action, finding: finding, summary: summary))), to: run.requestID)
                if let grantID = run.revokesGrant, finding != .unknown {
                    _ = try writer.moveGrant(grantID, from: .revoking, to: finding == .applied ? .revoked : .scheduled, by: login, at: at)
                }
                if let expiry = run.action.expiry, finding == .applied, try writer.grants(of: run.requestID).allSatisfy({ $0.grantRunID != run.id }) {
                    _ = try ActionEngine.schedule(run, revokeAt: expiry.end(from: run.startedAt), writer: writer, at: at)
                }
                return true
            }
            if recorded { results.append(Result(run: run, finding: finding, summary: summary)) }
        }
        return results
    }

    /// Reads the Okta state that tells whether the run's action took effect.
    func inspect(_ run: ActionRun) async -> (ReconcileFinding, String) {
        let directory = engine.directory
        let userID = run.targetUserID
        do {
            switch run.action {
            case .addToGroup(let group, _):
                let member = try await directory.groups(ofUser: userID).contains { $0.id == group.id }
                return member ? (.applied, "is a member of \(group.name)") : (.notApplied, "is not a member of \(group.name)")
            case .removeFromGroup(let group):
                let member = try await directory.groups(ofUser: userID).contains { $0.id == group.id }
                return member ? (.notApplied, "is still a member of \(group.name)") : (.applied, "is no longer a member of \(group.name)")
            case .assignApp(let app, _):
                return try await directory.isAssigned(userID: userID, appID: app.id)
                    ? (.applied, "is assigned \(app.label)") : (.notApplied, "is not assigned \(app.label)")
            case .removeApp(let app):
                return try await directory.isAssigned(userID: userID, appID: app.id)
                    ? (.notApplied, "is still assigned \(app.label)") : (.applied, "is no longer assigned \(app.label)")
            case .resetMFA:
                let count = try await directory.factors(ofUser: userID).count
                return count == 0 ? (.applied, "has no MFA factors enrolled") : (.notApplied, "still has \(count) factor\(count == 1 ? "" : "s") enrolled (or enrolled again)")
            case .resetFactor(let factor):
                let present = try await directory.factors(ofUser: userID).contains { $0.id == factor.id }
                return present ? (.notApplied, "factor \(factor.id) is still enrolled") : (.applied, "factor \(factor.id) is gone")
            case .revokeSessions:
                return (.unknown, "Okta cannot list a user's sessions; revoking again is safe if in doubt")
            case .suspend: return try await status(userID, applied: [.suspended])
            case .unsuspend: return try await status(userID, applied: [.active], notApplied: [.suspended])
            case .unlock: return try await status(userID, applied: [.active, .passwordExpired, .recovery], notApplied: [.lockedOut])
            case .activate: return try await status(userID, applied: [.active, .provisioned, .recovery, .passwordExpired], notApplied: [.staged, .deprovisioned])
            case .deactivate: return try await status(userID, applied: [.deprovisioned], transitioning: .deprovisioned)
            case .resetPassword:
                let (finding, summary) = try await status(userID, applied: [.recovery])
                return (finding, summary + (finding == .applied ? "; the reset link from that call is lost — issue a new one if needed" : ""))
            case .expirePassword: return try await status(userID, applied: [.passwordExpired])
            }
        } catch {
            return (.unknown, "Okta's state could not be read: \((error as? DirectoryError)?.message ?? "\(error)")")
        }
    }

    private func status(_ userID: String, applied: Set<UserStatus>, notApplied: Set<UserStatus>? = nil, transitioning: UserStatus? = nil) async throws -> (ReconcileFinding, String) {
        let user = try await engine.directory.user(.id(userID))
        let text = "the account is \(user.status.rawValue)"
        if applied.contains(user.status) || (transitioning != nil && user.transitioningToStatus == transitioning) { return (.applied, text) }
        if let notApplied, !notApplied.contains(user.status) { return (.unknown, text) }
        return (.notApplied, text)
    }
}
