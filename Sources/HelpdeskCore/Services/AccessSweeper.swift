import Foundation

/// Ends temporary access when it is due, and expires unanswered approvals. Any number of
/// sweeps may run at once (consoles, `helpdesk sweep` from a timer): each due revoke is claimed
/// in the store before Okta is called, so it runs exactly once.
public struct AccessSweeper: Sendable {
    public let engine: ActionEngine

    public init(engine: ActionEngine) {
        self.engine = engine
    }

    /// What one sweep did.
    public struct Report: Sendable, Equatable, Codable {
        public var expiredApprovals: [ApprovalID] = []
        public var revoked: [GrantID] = []
        /// Revokes that failed; they stay due and the next sweep tries again.
        public var failed: [GrantID] = []
        /// Revokes whose outcome is unknown; reconcile reads Okta's state.
        public var unknown: [GrantID] = []
        /// Due grants another sweep claimed first.
        public var claimedElsewhere = 0

        public init() {}
    }

    public func sweep(limit: Int = 500) async throws -> Report {
        var report = Report()
        report.expiredApprovals = try engine.expireApprovals().map(\.id)
        let store = engine.store
        let due = try store.read { try $0.dueGrants(at: engine.clock.now(), limit: limit) }
        for grant in due {
            guard let revoke = grant.action.revoke else { continue }
            let now = engine.clock.now()
            let claimed: ActionRun? = try store.write { writer in
                guard try writer.moveGrant(grant.id, from: .scheduled, to: .revoking, by: systemActor, at: now) else { return nil }
                return try ActionEngine.start(revoke, requestID: grant.requestID, userID: grant.targetUserID, approvalID: nil, grantID: grant.id,
                                              reason: "temporary access ended", by: systemActor, at: now, runner: engine.runner, writer: writer)
            }
            guard let run = claimed else {
                report.claimedElsewhere += 1
                continue
            }
            switch try await finishRevoke(run, grant: grant) {
            case .applied: report.revoked.append(grant.id)
            case .notApplied: report.failed.append(grant.id)
            case .unknown: report.unknown.append(grant.id)
            }
        }
        return report
    }

    /// Calls Okta for a claimed revoke and records what happened to the grant.
    private func finishRevoke(_ run: ActionRun, grant: AccessGrant) async throws -> ReconcileFinding {
        let store = engine.store
        do {
            let receipt = try await engine.directory.perform(run.action, on: run.targetUserID)
            let now = engine.clock.now()
            try store.write { writer in
                _ = try writer.finishRun(run.id, state: .succeeded, at: now)
                _ = try writer.moveGrant(grant.id, from: .revoking, to: .revoked, by: systemActor, at: now)
                try writer.append(EventDraft(actor: systemActor, at: now, payload: .accessRevoked(.init(
                    grantID: grant.id, runID: run.id, revoke: run.action, summary: receipt.summary, oktaRequestID: receipt.requestID))), to: run.requestID)
            }
            return .applied
        } catch {
            let failure = error as? DirectoryError ?? DirectoryError(kind: .outcomeUnknown, summary: "\(error)")
            let unknown = failure.kind == .outcomeUnknown
            let now = engine.clock.now()
            try store.write { writer in
                _ = try writer.finishRun(run.id, state: unknown ? .unknown : .failed, at: now)
                if !unknown {
                    _ = try writer.moveGrant(grant.id, from: .revoking, to: .scheduled, by: systemActor, at: now)
                }
                try writer.append(EventDraft(actor: systemActor, at: now, payload: .actionFailed(.init(
                    runID: run.id, action: run.action, errorCode: failure.errorCode, message: failure.message, oktaRequestID: failure.requestID,
                    outcomeUnknown: unknown))), to: run.requestID)
            }
            return unknown ? .unknown : .notApplied
        }
    }
}
