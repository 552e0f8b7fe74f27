import Foundation

/// Approval decisions that need only the store: deny, expire, and the checks before any decision.
public struct ApprovalBook: Sendable {
    public let store: any RequestStore
    public let clock: any Clock

    public init(store: any RequestStore, clock: any Clock) {
        self.store = store
        self.clock = clock
    }

    /// Denies with a reason; the action or plan does not run.
    @discardableResult
    public func deny(_ approvalID: ApprovalID, by approver: Operator, reason: String) throws -> Approval {
        let reason = try ActionEngine.reasonText(reason, what: "denying")
        try expireApprovals(by: approver.login)
        let now = clock.now()
        return try store.write { writer in
            let approval = try decidable(approvalID, by: approver, writer: writer)
            return try Self.recordDenial(approval, by: approver.login, reason: reason, what: "denied by \(approver.login): \(reason)", at: now, writer: writer)
        }
    }

    /// The agent who asked takes back an approval nobody has decided yet (the wrong group, a
    /// duration mistyped): it ends denied, by them, "withdrawn by" them with the reason, so the
    /// request can be worked again without waiting for an approver or for its time to run out.
    public func withdraw(_ approvalID: ApprovalID, by asker: Operator, reason: String) throws -> Approval {
        let reason = try ActionEngine.reasonText(reason, what: "withdrawing")
        try expireApprovals(by: asker.login)
        let now = clock.now()
        return try store.write { writer in
            guard let approval = try writer.approval(approvalID) else { throw StoreError.approvalNotFound(approvalID) }
            guard approval.requestedBy == asker.login else {
                throw Refusal("\(approvalID) was asked for by \(approval.requestedBy); only they may withdraw it, and its approvers deny it")
            }
            guard approval.state == .pending, approval.expiresAt > now else {
                throw Refusal("\(approvalID) is no longer waiting (\(approval.expiresAt <= now ? "expired" : approval.state.rawValue)); there is nothing to withdraw")
            }
            let how = "withdrawn by \(asker.login): \(reason)"
            return try Self.recordDenial(approval, by: asker.login, reason: how, what: how, at: now, writer: writer)
        }
    }

    /// Inside a write: `approval` ends denied by `login` with `reason`, on the timeline; a plan
    /// waiting for it ends ("APR-n was `what`"), and the request's status settles.
    private static func recordDenial(_ approval: Approval, by login: String, reason: String, what: String, at now: Date, writer: any StoreWriter) throws -> Approval {
        guard try writer.decideApproval(approval.id, state: .denied, by: login, at: now, reason: reason) else {
            throw Refusal("\(approval.id) was decided by someone else a moment ago")
        }
        try writer.append(EventDraft(actor: login, at: now, payload: .approvalDenied(approvalID: approval.id, reason: reason)), to: approval.requestID)
        try PlaybookEngine.approvalEnded(approval, how: "\(approval.id) was \(what)", by: login, at: now, writer: writer)
        try ActionEngine.settleStatus(of: approval.requestID, writer: writer, by: login, at: now)
        return try writer.approval(approval.id) ?? approval
    }

    /// The approval, if this operator may decide it now; otherwise a refusal saying why. To approve,
    /// `oktaUserID` is the approver's Okta id: it may be neither the requester's nor the asker's.
    func decidable(_ id: ApprovalID, by approver: Operator, oktaUserID: String? = nil, writer: any StoreWriter) throws -> Approval {
        guard let approval = try writer.approval(id) else { throw StoreError.approvalNotFound(id) }
        switch approval.state {
        case .pending: break
        case .granted: throw Refusal("\(id) was already approved by \(approval.decidedBy ?? "someone")")
        case .denied: throw Refusal("\(id) was denied by \(approval.decidedBy ?? "someone"): \(approval.decisionReason ?? "")")
        case .expired: throw Refusal("\(id) expired unanswered; the agent must ask again")
        case .superseded:
            let why = approval.decisionReason ?? "the parameters changed"
            throw Refusal((why.hasPrefix("replaced by ") ? "\(id) was \(why)" : "\(id) was replaced (\(why))") + "; review the new approval instead")
        }
        // Past its time it is not decided, even before the next pass records that it expired.
        if approval.expiresAt <= clock.now() { throw Refusal("\(id) expired unanswered; the agent must ask again") }
        if approver.login == approval.requestedBy {
            throw Refusal("\(approver.login) asked for \(id) and cannot also approve it; another approver must")
        }
        if let email = approver.email, email == (try writer.request(approval.requestID))?.requester {
            throw Refusal("\(approver.login) is the requester of \(approval.requestID) and cannot approve actions on their own account")
        }
        guard approval.mayBeApproved(by: approver.login) else {
            let who = approval.approvers.map(\.login).joined(separator: ", ")
            throw Refusal("\(approver.login) may not decide \(id); it waits for \(who.isEmpty ? "nobody" : who)")
        }
        if let oktaUserID {
            if oktaUserID == approval.targetUserID {
                throw Refusal("\(approver.login) is, in Okta, the person \(approval.requestID) is for, and cannot approve actions on their own account")
            }
            guard let askerID = approval.requestedByOktaID else {
                throw Refusal("\(id) was asked without the asker's Okta account on record, so nobody can tell the approver is someone else; the agent must ask again")
            }
            if oktaUserID == askerID {
                throw Refusal("\(approver.login) is, in Okta, the person who asked for \(id) (as \(approval.requestedBy)); another approver must")
            }
            if let recorded = approval.approvers.first(where: { $0.login == approver.login })?.oktaUserID, recorded != oktaUserID {
                throw Refusal("\(approver.login)'s Okta account is not the one found when \(id) was asked; the agent must ask again")
            }
        }
        return approval
    }

    /// Expires every pending approval whose time ran out, with a note on its timeline.
    @discardableResult
    public func expireApprovals(by actor: String = systemActor) throws -> [Approval] {
        let now = clock.now()
        let due = try store.read { try $0.expiredApprovals(at: now) }
        var expired: [Approval] = []
        for approval in due {
            let changed = try store.write { writer in
                guard try writer.decideApproval(approval.id, state: .expired, by: actor, at: now, reason: nil) else { return false }
                try writer.append(EventDraft(actor: actor, at: now, payload: .approvalExpired(approvalID: approval.id)), to: approval.requestID)
                try PlaybookEngine.approvalEnded(approval, how: "\(approval.id) expired unanswered", by: actor, at: now, writer: writer)
                try ActionEngine.settleStatus(of: approval.requestID, writer: writer, by: actor, at: now)
                return true
            }
            if changed { expired.append(approval) }
        }
        return expired
    }
}
