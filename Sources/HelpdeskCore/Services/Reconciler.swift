import Foundation

/// Settles runs with no known outcome (a crash, a lost connection, "outcome unknown") by reading
/// Okta's state. It records only what Okta's state shows, and never repeats an action by itself:
/// - if Okta's state cannot be read, the run stays unknown and is tried again later (30 s, 1, 2, 5,
///   10 minutes, then every 30), and what depends on it (a grant's revoke) stays as it is;
/// - "not applied" is declared only once the run's call cannot still arrive: `margin` after its
///   deadline, by which the call was answered or abandoned by the process that sent it;
/// - an account whose status, password or factors changed after the call (a reset link already
///   used, factors enrolled again) is "unknown", never "not applied": asking again would repeat it;
/// - a revoke found not applied counts as a failed try of its grant's revoke: due again after the
///   sweep's backoff, or marked failed with an alert after the sweep's last try.
public struct Reconciler: Sendable {
    public let engine: ActionEngine
    /// How long after a run's deadline Okta may still be acting on a call it received.
    public let margin: TimeInterval
    /// Whether the process named by a run's runner (`host:pid`) still lives; nil when it cannot tell.
    public let runnerIsAlive: @Sendable (String) -> Bool?
    /// Seconds after its deadline a live runner has to record a run before it shows as unknown.
    public let recordingGrace: TimeInterval

    public init(engine: ActionEngine, margin: TimeInterval = 120, recordingGrace: TimeInterval = 15,
                runnerIsAlive: @escaping @Sendable (String) -> Bool? = { _ in nil }) {
        self.engine = engine
        self.margin = margin
        self.recordingGrace = recordingGrace
        self.runnerIsAlive = runnerIsAlive
    }

    /// How far Okta's clock may be from this host's when its timestamps are compared with a run's start.
    public static let clockSkew: TimeInterval = 300

    /// Waits after the first, second… reconcile that could not read Okta.
    public static let backoff: [TimeInterval] = [30, 60, 120, 300, 600, 1_800]

    /// One run looked at.
    public struct Result: Sendable, Equatable, Codable {
        public let run: ActionRun
        public let finding: ReconcileFinding
        public let summary: String
        /// False when the run stays unknown for now (Okta could not be read, or it is too soon to say "not applied").
        public let settled: Bool
        /// How Okta refused the read of its state, when it answered 404 or 403 (the user deleted meanwhile: `notFound`).
        public let readRefused: DirectoryError.Kind?

        public init(run: ActionRun, finding: ReconcileFinding, summary: String, settled: Bool = true, readRefused: DirectoryError.Kind? = nil) {
            self.run = run
            self.finding = finding
            self.summary = summary
            self.settled = settled
            self.readRefused = readRefused
        }
    }

    /// Whether a run's outcome is unknown now: marked so, or started by a process that is gone,
    /// or still started well past its deadline (its process is stuck or stopped).
    public func isOutcomeUnknown(_ run: ActionRun, now: Date) -> Bool {
        if run.state == .unknown { return true }
        guard run.state == .started else { return false }
        if let runner = run.runner, runnerIsAlive(runner) == false { return true }
        return now >= run.callDeadline.addingTimeInterval(recordingGrace)
    }

    /// Settles what can be settled; `dueOnly` skips runs whose next try has not come (the service's
    /// own rounds). No new run is looked at from `until` on, or once `stopping` says so: an Okta that
    /// does not answer holds a round for about a minute a run begun, and the rest wait for the next round.
    public func reconcile(_ request: RequestID? = nil, by login: String, dueOnly: Bool = false, until end: Date? = nil,
                          stopping: @escaping @Sendable () -> Bool = { false }) async throws -> [Result] {
        let now = engine.clock.now()
        let runs = try engine.store.read { try $0.unfinishedRuns(of: request) }
            .filter { isOutcomeUnknown($0, now: now) && (!dueOnly || ($0.nextReconcileAt.map { now >= $0 } ?? true)) }
        var results: [Result] = []
        for run in runs {
            if stopping() || end.map({ engine.clock.now() >= $0 }) == true { break }
            if let result = try await settle(run, by: login) { results.append(result) }
        }
        return results
    }

    /// Settles one run if its outcome is unknown now; nil when it is not (still in flight, or settled meanwhile).
    func settleIfUnknown(_ run: ActionRun, by login: String) async throws -> Result? {
        guard isOutcomeUnknown(run, now: engine.clock.now()) else { return nil }
        return try await settle(run, by: login)
    }

    private func settle(_ run: ActionRun, by login: String) async throws -> Result? {
        let inspected: (ReconcileFinding, String)
        do {
            inspected = try await inspect(run)
        } catch {
            let message = (error as? DirectoryError)?.message ?? "\(error)"
            let next = try noteAttempt(run, by: login, firstTime: "reconcile could not read Okta's state for \(run.id) (\(message)); it stays unknown and is tried again")
            return Result(run: run, finding: .unknown, summary: "Okta's state could not be read (\(message)); tried again after \(Timestamp.iso8601(next))", settled: false,
                          readRefused: (error as? DirectoryError).flatMap { [403, 404].contains($0.httpStatus ?? 0) ? $0.kind : nil })
        }
        let (finding, summary) = inspected
        let safeAfter = run.callDeadline.addingTimeInterval(margin)
        if finding == .notApplied, engine.clock.now() < safeAfter {
            _ = try noteAttempt(run, by: login, firstTime: nil, next: safeAfter)
            return Result(run: run, finding: .unknown, summary: "\(summary) so far; the call could still arrive, so it is settled after \(Timestamp.iso8601(safeAfter))", settled: false)
        }
        let recorded = try engine.store.write { writer -> Bool in
            let at = engine.clock.now()
            guard try writer.finishRun(run.id, state: .reconciled, at: at) else { return false }
            try writer.append(EventDraft(actor: login, at: at, payload: .actionReconciled(.init(
                runID: run.id, action: run.action, finding: finding, summary: summary))), to: run.requestID)
            if let grantID = run.revokesGrant, finding == .applied {
                _ = try writer.moveGrant(grantID, from: .revoking, to: .revoked, by: login, at: at)
            } else if let grantID = run.revokesGrant, finding == .notApplied, let grant = try writer.grant(grantID), grant.state == .revoking {
                _ = try AccessSweeper.retryLater(grant, run: run, because: "Okta shows the revoke did not happen: the user \(summary)", by: login, writer: writer, at: at)
            }
            if let expiry = run.action.expiry, finding == .applied, try writer.grants(of: run.requestID).allSatisfy({ $0.grantRunID != run.id }) {
                _ = try ActionEngine.schedule(run, revokeAt: expiry.end(from: run.startedAt), writer: writer, at: at)
            }
            return true
        }
        return recorded ? Result(run: run, finding: finding, summary: summary) : nil
    }

    /// Notes a try that settled nothing; the first failure to read Okta goes on the timeline, once.
    private func noteAttempt(_ run: ActionRun, by login: String, firstTime text: String?, next fixed: Date? = nil) throws -> Date {
        let attempts = run.reconcileAttempts + 1
        let now = engine.clock.now()
        let next = fixed ?? now.addingTimeInterval(Self.backoff[min(attempts, Self.backoff.count) - 1])
        try engine.store.write { writer in
            try writer.noteReconcileAttempt(run.id, attempts: attempts, next: next)
            if let text, run.reconcileAttempts == 0 {
                try writer.append(EventDraft(actor: login, at: now, payload: .alert(.init(message: text, runID: run.id))), to: run.requestID)
            }
        }
        return next
    }

    /// Reads the Okta state that tells whether the run's action took effect; throws when it cannot be read.
    func inspect(_ run: ActionRun) async throws -> (ReconcileFinding, String) {
        let directory = engine.directory
        let userID = run.targetUserID
        do {
            switch run.action {
            case .addToGroup(let group, _):
                let member = try await directory.groups(ofUser: userID).contains { $0.id == group.id }
                return member ? (.applied, "is a member of \(group.name)") : (.notApplied, "is not a member of \(group.name)")
            case .removeFromGroup(let group):
                guard let groups = try await groupsUnlessGone(userID) else { return (.applied, "is no longer in Okta; the access went with the account") }
                let member = groups.contains { $0.id == group.id }
                return member ? (.notApplied, "is still a member of \(group.name)") : (.applied, "is no longer a member of \(group.name)")
            case .assignApp(let app, _):
                return try await directory.isAssigned(userID: userID, appID: app.id)
                    ? (.applied, "is assigned \(app.label)") : (.notApplied, "is not assigned \(app.label)")
            case .removeApp(let app):
                return try await directory.isAssigned(userID: userID, appID: app.id)
                    ? (.notApplied, "is still assigned \(app.label)") : (.applied, "is no longer assigned \(app.label)")
            case .resetMFA:
                let factors = try await directory.factors(ofUser: userID)
                if factors.isEmpty { return (.applied, "has no MFA factors enrolled") }
                if factors.contains(where: { changedSince($0.created, run) }) {
                    return (.unknown, "has \(factors.count) factor\(factors.count == 1 ? "" : "s"), enrolled again since the call; whether it reset the earlier ones cannot be told from Okta's state")
                }
                return (.notApplied, "still has the \(factors.count) factor\(factors.count == 1 ? "" : "s") enrolled before the call")
            case .resetFactor(let factor):
                guard let present = try await directory.factors(ofUser: userID).first(where: { $0.id == factor.id }) else {
                    return (.applied, "factor \(factor.id) is gone")
                }
                return changedSince(present.created, run)
                    ? (.unknown, "factor \(factor.id) was enrolled again since the call") : (.notApplied, "factor \(factor.id) is still enrolled")
            case .revokeSessions:
                return (.unknown, "Okta cannot list a user's sessions; revoking again is safe if in doubt")
            case .suspend: return try await status(run, applied: [.suspended])
            case .unsuspend: return try await status(run, applied: [.active], notApplied: [.suspended])
            case .unlock: return try await status(run, applied: [.active, .passwordExpired, .recovery], notApplied: [.lockedOut])
            case .activate: return try await status(run, applied: [.active, .provisioned, .recovery, .passwordExpired], notApplied: [.staged, .deprovisioned])
            case .resendActivation:
                return (.unknown, "Okta does not show whether an activation email was sent; sending it again is safe")
            case .deactivate: return try await status(run, applied: [.deprovisioned], transitioning: .deprovisioned)
            case .resetPassword:
                let (finding, summary) = try await status(run, applied: [.recovery], passwordMatters: true)
                return (finding, summary + (finding == .applied ? "; the reset link from that call is lost — issue a new one if needed" : ""))
            case .expirePassword: return try await status(run, applied: [.passwordExpired], passwordMatters: true)
            case .createUser(let profile):
                do {
                    let user = try await directory.user(.login(profile.login))
                    guard profile.email.matches(user.email) else {
                        return (.unknown, "the login \(profile.login) is an account with another email (\(user.email), \(user.id)); it is not taken for the one this call was to create")
                    }
                    return (.applied, "\(profile.login) exists (\(user.id), \(user.status.rawValue))")
                } catch let error as DirectoryError where error.kind == .notFound {
                    return (.notApplied, "no user has the login \(profile.login)")
                }
            }
        }
    }

    /// The user's groups, or nil when the account itself is gone from Okta: its groups and its own
    /// read both answer "not found". One read alone is not taken for a deleted account.
    private func groupsUnlessGone(_ userID: String) async throws -> [DirectoryGroup]? {
        do {
            return try await engine.directory.groups(ofUser: userID)
        } catch let error as DirectoryError where error.kind == .notFound {
            do {
                _ = try await engine.directory.user(.id(userID))
            } catch let gone as DirectoryError where gone.kind == .notFound {
                return nil
            }
            throw error
        }
    }

    /// Reads the finding from the account's status. A status that is not the action's, but changed
    /// (or, for password actions, a password that changed) since the call, does not show the call
    /// missed: the person may already have used the reset link, or someone else acted since.
    private func status(_ run: ActionRun, applied: Set<UserStatus>, notApplied: Set<UserStatus>? = nil, transitioning: UserStatus? = nil,
                        passwordMatters: Bool = false) async throws -> (ReconcileFinding, String) {
        let user = try await engine.directory.user(.id(run.targetUserID))
        let text = "the account is \(user.status.rawValue)"
        if applied.contains(user.status) || (transitioning != nil && user.transitioningToStatus == transitioning) { return (.applied, text) }
        if let notApplied, !notApplied.contains(user.status) { return (.unknown, text) }
        if let changed = user.statusChanged, changedSince(changed, run) {
            return (.unknown, "\(text), but its status changed at \(Timestamp.iso8601(changed)), after the call; whether the call did it cannot be told from Okta's state")
        }
        if passwordMatters, let changed = user.passwordChanged, changedSince(changed, run) {
            return (.unknown, "\(text), but its password changed at \(Timestamp.iso8601(changed)), after the call; whether the call did it cannot be told from Okta's state")
        }
        return (.notApplied, text)
    }

    /// Whether Okta's timestamp falls after the run began, allowing for the two clocks' difference.
    private func changedSince(_ date: Date?, _ run: ActionRun) -> Bool {
        date.map { $0 >= run.startedAt.addingTimeInterval(-Self.clockSkew) } ?? false
    }
}
