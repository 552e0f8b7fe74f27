import Foundation

/// Ends temporary access when it is due, and expires unanswered approvals. Any number of
/// sweeps may run at once (the service's own, `helpdesk sweep`): each due revoke is claimed in
/// the store before Okta is called, so it runs exactly once. A revoke Okta refuses, or one found
/// not done after it got no answer, is tried again later, less often each time (1, 5 and 30
/// minutes, then hourly); after `maxAttempts` the grant is marked failed with an alert on its
/// request, for a person to look at. Revokes run one at a time, and a sweep starts no new one
/// once `roundTime` has passed or it is asked to stop: an Okta that answers slowly or not at all
/// (each revoke then takes up to its call's minute) holds one sweep for a minute and a half at
/// most, within a client's two-minute wait, not for every due grant's minute; the rest wait for
/// the next sweep.
public struct AccessSweeper: Sendable {
    public let engine: ActionEngine
    public let maxAttempts: Int
    /// The account that runs the sweep (an operator, or the service's own): the timeline names it.
    public let actor: String
    /// How long a sweep goes on starting revokes.
    public let roundTime: TimeInterval

    /// The revokes tried before a grant is marked failed.
    public static let defaultMaxAttempts = 8

    public init(engine: ActionEngine, actor: String = systemActor, maxAttempts: Int = defaultMaxAttempts, roundTime: TimeInterval = 30) {
        self.engine = engine
        self.actor = actor
        self.maxAttempts = maxAttempts
        self.roundTime = roundTime
    }

    /// Waits after the first, second, third… failed revoke of a grant.
    public static let backoff: [TimeInterval] = [60, 300, 1_800, 3_600]

    static func delay(after attempts: Int) -> TimeInterval {
        backoff[min(max(attempts, 1), backoff.count) - 1]
    }

    /// What one sweep did.
    public struct Report: Sendable, Equatable, Codable {
        public var expiredApprovals: [ApprovalID] = []
        public var revoked: [GrantID] = []
        /// Revokes that failed; they are tried again later.
        public var failed: [GrantID] = []
        /// Revokes that failed too often: the grant is marked failed, with an alert.
        public var gaveUp: [GrantID] = []
        /// Revokes whose outcome is unknown; reconcile reads Okta's state.
        public var unknown: [GrantID] = []
        /// Due grants not revoked because a later run gave the same access lastingly or for longer.
        public var kept: [GrantID] = []
        /// Due grants another sweep claimed first.
        public var claimedElsewhere = 0
        /// Due grants not begun, because the sweep's time ran out or it was asked to stop: the next sweep takes them.
        public var leftForLater = 0

        public init() {}

        /// True when a revoke did not happen as it should.
        public var hasProblems: Bool { !failed.isEmpty || !gaveUp.isEmpty || !unknown.isEmpty }
    }

    /// One sweep; `stopping` (the service's stop) ends it before the next revoke.
    public func sweep(limit: Int = 500, stopping: @escaping @Sendable () -> Bool = { false }) async throws -> Report {
        var report = Report()
        report.expiredApprovals = try engine.expireApprovals(by: actor).map(\.id)
        let store = engine.store
        let started = engine.clock.now()
        let due = try store.read { try $0.dueGrants(at: started, limit: limit) }
        for (index, listed) in due.enumerated() {
            guard let revoke = listed.action.revoke else { continue }
            let now = engine.clock.now()
            if stopping() || (index > 0 && now.timeIntervalSince(started) >= roundTime) {
                report.leftForLater = due.count - index
                break
            }
            let claimed: Claim = try store.write { writer -> Claim in
                guard try writer.claimDueGrant(listed.id, by: actor, at: now) else { return .elsewhere }
                // As it is now: another sweep may have failed a try of it since the list was read.
                let grant = try writer.grant(listed.id) ?? listed
                if let keeper = try Self.keeper(of: grant, writer: writer, at: now) {
                    try keep(grant, keeper, writer: writer, at: now)
                    return .kept
                }
                return .revoke(try engine.start(revoke, requestID: grant.requestID, userID: grant.targetUserID, approvalID: nil, grantID: grant.id,
                                                reason: "temporary access ended", by: actor, at: now, writer: writer), grant)
            }
            let run: ActionRun, grant: AccessGrant
            switch claimed {
            case .elsewhere:
                report.claimedElsewhere += 1
                continue
            case .kept:
                report.kept.append(listed.id)
                continue
            case .revoke(let claimedRun, let claimedGrant):
                (run, grant) = (claimedRun, claimedGrant)
            }
            switch try await finishRevoke(run, grant: grant) {
            case .revoked: report.revoked.append(grant.id)
            case .retrying: report.failed.append(grant.id)
            case .gaveUp: report.gaveUp.append(grant.id)
            case .unknown: report.unknown.append(grant.id)
            case .late: break
            }
        }
        return report
    }

    /// What a sweep does with a due grant.
    private enum Claim { case revoke(ActionRun, AccessGrant), kept, elsewhere }

    /// The same access as a grant's: a group or an app, and whether an action gives or takes it.
    static func access(_ action: OktaAction) -> (target: String, gives: Bool)? {
        switch action {
        case .addToGroup(let group, _): ("group \(group.id)", true)
        case .removeFromGroup(let group): ("group \(group.id)", false)
        case .assignApp(let app, _): ("app \(app.id)", true)
        case .removeApp(let app): ("app \(app.id)", false)
        default: nil
        }
    }

    /// The run that keeps a due grant's access: of the runs after the grant's own that gave the
    /// same access to the same user since it was last taken away, the one that gives it longest —
    /// lastingly (`until` nil), or with the latest end still to come. Another console's lasting
    /// add, or a later temporary grant recorded as "already held", must not be undone by this
    /// grant's end, whichever order they came in (a month asked for, then two minutes, keeps the
    /// month); an undo's add that cancels a later removal is not a keeper.
    static func keeper(of grant: AccessGrant, writer: any StoreWriter, at now: Date) throws -> (run: ActionRun, until: Date?)? {
        guard let granted = access(grant.action) else { return nil }
        var later = try writer.appliedRuns(on: grant.targetUserID, after: grant.grantRunID).filter { access($0.action)?.target == granted.target }
        // An undo's add and the removal by the plan it undoes cancel out: together they leave the
        // access as it was, end included. An undo's add whose removal came before the grant gives
        // back access held before it, and keeps it like any other add.
        var cancelled: Set<ActionRunID> = []
        for run in later where access(run.action)?.gives == true {
            guard let planID = run.planID, let undone = try writer.plan(planID)?.undoes else { continue }
            if let removal = later.last(where: { $0.planID == undone && $0.id < run.id && access($0.action)?.gives == false && !cancelled.contains($0.id) }) {
                cancelled.formUnion([run.id, removal.id])
            }
        }
        later.removeAll { cancelled.contains($0.id) }
        let lastTaken = later.lastIndex { access($0.action)?.gives == false }
        let givers = later[(lastTaken.map { $0 + 1 } ?? later.startIndex)...]
        if let lasting = givers.last(where: { $0.action.expiry == nil }) { return (lasting, nil) }
        let ends = givers.compactMap { run in run.action.expiry.map { (run: run, until: $0.end(from: run.startedAt)) } }
        guard let longest = ends.max(by: { $0.until < $1.until }), longest.until > now else { return nil }
        return (longest.run, longest.until)
    }

    /// Keeps a claimed grant: for good, or due again when the keeping run's access ends.
    private func keep(_ grant: AccessGrant, _ keeper: (run: ActionRun, until: Date?), writer: any StoreWriter, at now: Date) throws {
        if let until = keeper.until {
            _ = try writer.postponeGrant(grant.id, until: until, at: now)
        } else {
            _ = try writer.moveGrant(grant.id, from: .revoking, to: .kept, by: actor, at: now)
        }
        try writer.append(EventDraft(actor: actor, at: now, payload: .accessKept(.init(grantID: grant.id, keptBy: keeper.run.id, until: keeper.until))),
                          to: grant.requestID)
    }

    /// `late`: the run had been settled (by reconcile) before this answer came; an alert says so.
    private enum RevokeResult { case revoked, retrying, gaveUp, unknown, late }

    /// Calls Okta for a claimed revoke and records what happened to the grant.
    private func finishRevoke(_ run: ActionRun, grant: AccessGrant) async throws -> RevokeResult {
        let executor = RunExecutor(engine: engine)
        var performed = await executor.perform(run)
        if case .failed(let error) = performed, let gone = await accessGone(after: error, run: run) { performed = .answered(gone) }
        return try await executor.record { [performed] writer in
            let now = engine.clock.now()
            switch performed {
            case .answered(let receipt):
                let finished = try writer.finishRun(run.id, state: .succeeded, at: now)
                _ = try writer.moveGrant(grant.id, from: .revoking, to: .revoked, by: actor, at: now)
                    || writer.moveGrant(grant.id, from: .scheduled, to: .revoked, by: actor, at: now)
                try writer.append(EventDraft(actor: actor, at: now, payload: .accessRevoked(.init(
                    grantID: grant.id, runID: run.id, revoke: run.action, summary: receipt.summary, oktaRequestID: receipt.requestID))), to: run.requestID)
                if !finished { try RunExecutor.late(run, settled: try writer.run(run.id)?.state, okta: receipt.summary, writer: writer, at: now) }
                return .revoked
            case .failed(let error) where error.kind == .outcomeUnknown:
                guard try writer.finishRun(run.id, state: .unknown, at: now) else {
                    try RunExecutor.late(run, settled: try writer.run(run.id)?.state, okta: "no answer — Okta may have acted", writer: writer, at: now)
                    return .late
                }
                try writer.append(EventDraft(actor: actor, at: now, payload: .actionFailed(.init(
                    runID: run.id, action: run.action, errorCode: error.errorCode, message: error.message, oktaRequestID: error.requestID,
                    outcomeUnknown: true))), to: run.requestID)
                return .unknown
            case .failed(let error):
                guard try writer.finishRun(run.id, state: .failed, at: now) else {
                    try RunExecutor.late(run, settled: try writer.run(run.id)?.state, okta: "failed: \(error.message)", writer: writer, at: now)
                    return .late
                }
                try writer.append(EventDraft(actor: actor, at: now, payload: .actionFailed(.init(
                    runID: run.id, action: run.action, errorCode: error.errorCode, message: error.message, oktaRequestID: error.requestID,
                    outcomeUnknown: false))), to: run.requestID)
                return try retryLater(grant, run: run, because: error.message, writer: writer, at: now) ? .gaveUp : .retrying
            case .notSent(let why):
                guard try writer.finishRun(run.id, state: .failed, at: now) else { return .unknown }
                try writer.append(EventDraft(actor: actor, at: now, payload: .actionFailed(.init(
                    runID: run.id, action: run.action, errorCode: nil, message: why, oktaRequestID: nil, outcomeUnknown: false))), to: run.requestID)
                return try retryLater(grant, run: run, because: why, writer: writer, at: now) ? .gaveUp : .retrying
            }
        }
    }

    /// A revoke Okta refused as "not found" (the user, group or app was deleted meanwhile) is done
    /// when Okta's state, read as reconcile reads it, shows the access gone: the user no longer
    /// holds it, or is no longer in Okta at all. Otherwise (nil) it is a failure like any other.
    private func accessGone(after error: DirectoryError, run: ActionRun) async -> DirectoryReceipt? {
        guard error.kind == .notFound, let (finding, summary) = try? await Reconciler(engine: engine).inspect(run), finding == .applied else { return nil }
        return DirectoryReceipt(requestID: error.requestID, summary: "the user \(summary) (Okta answered \"not found\")", alreadyDone: true)
    }

    private func retryLater(_ grant: AccessGrant, run: ActionRun, because reason: String, writer: any StoreWriter, at now: Date) throws -> Bool {
        try Self.retryLater(grant, run: run, because: reason, maxAttempts: maxAttempts, by: actor, writer: writer, at: now)
    }

    /// A claimed grant whose revoke failed, or was found not done: due again after the backoff,
    /// or, past the limit, failed for good with an alert. True when it gave up.
    static func retryLater(_ grant: AccessGrant, run: ActionRun, because reason: String, maxAttempts: Int = defaultMaxAttempts, by actor: String,
                           writer: any StoreWriter, at now: Date) throws -> Bool {
        let attempts = grant.attempts + 1
        guard attempts < maxAttempts else {
            _ = try writer.moveGrant(grant.id, from: .revoking, to: .failed, by: actor, at: now)
            try writer.append(EventDraft(actor: actor, at: now, payload: .alert(.init(
                message: "temporary access \(grant.id) (\(grant.action.summary)) could not be revoked after \(attempts) tries (last: \(reason)); "
                    + "the person may still have it — remove it by hand, or fix the cause and revoke it again",
                runID: run.id, grantID: grant.id))), to: grant.requestID)
            return true
        }
        _ = try writer.retryGrant(grant.id, attempts: attempts, next: now.addingTimeInterval(Self.delay(after: attempts)), at: now)
        return false
    }
}
