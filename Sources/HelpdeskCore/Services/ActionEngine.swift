import Foundation

/// Runs Okta actions on a request's requester under the approval policy. Every step lands on
/// the timeline; runs are written ahead of the call ("action started" is committed before Okta
/// is called), and an approval can start at most one run.
public final class ActionEngine: Sendable {
    public let store: any RequestStore
    public let directory: any IdentityDirectory
    public let clock: any Clock
    public let policy: ApprovalPolicy
    public let team: Team
    /// How long an approval stays open.
    public let approvalLifetime: TimeInterval
    /// This process (`host:pid`), written on each run so a crash can be told from a slow call.
    public let runner: String?

    public init(
        store: any RequestStore, directory: any IdentityDirectory, clock: any Clock, policy: ApprovalPolicy, team: Team,
        approvalLifetime: TimeInterval = 24 * 3600, runner: String? = nil
    ) {
        self.store = store
        self.directory = directory
        self.clock = clock
        self.policy = policy
        self.team = team
        self.approvalLifetime = approvalLifetime
        self.runner = runner
    }

    // MARK: Asking

    /// Asks for an action on the request's requester. Needing approval, it records the approval
    /// and the request waits; otherwise the action runs now.
    /// `account` is the requester's Okta account when the caller has just read it.
    public func ask(_ action: OktaAction, on requestID: RequestID, reason: String, by actor: Operator, account: DirectoryUser? = nil) async throws -> AskOutcome {
        let reason = try Self.reasonText(reason, what: "asking for \(action.name.title.lowercased())")
        guard actor.canAct else {
            throw Refusal("\(actor.login) has no agent role, so cannot ask for Okta actions; an admin can add the role in the configuration")
        }
        try expireApprovals()
        let request = try store.existingRequest(requestID)
        guard request.status.isActive else {
            throw Refusal("\(request.id) is \(request.status.rawValue); reopen it before acting on it")
        }
        let user: DirectoryUser
        if let account { user = account } else { user = try await requesterAccount(request) }
        let factors = action.name == .resetMFA ? try await directory.factors(ofUser: user.id) : nil
        if let reason = ActionAvailability.whyUnavailable(action.name, for: user, factors: factors) {
            throw Refusal("\(action.name.title) is not available for \(request.requester): \(reason)")
        }
        try await checkTarget(of: action)
        guard policy.needsApproval(action.name) else {
            return .ran(try await runNow(action, request: request, userID: user.id, reason: reason, by: actor.login))
        }
        let manager = try? await user.managerID.asyncMap { try await directory.user(.id($0)) }
        let approvers = ApproverRules.eligible(for: action.name, requester: request.requester, manager: manager ?? nil, askedBy: actor.login, team: team, policy: policy)
        guard !approvers.isEmpty else {
            throw Refusal("nobody may approve \(action.name.title.lowercased()) for \(request.requester): the configuration names no approver other than you and the requester, and their manager is not an operator")
        }
        return .awaitingApproval(try recordApprovalRequest(action, request: request, userID: user.id, reason: reason, approvers: approvers, by: actor.login))
    }

    private func recordApprovalRequest(_ action: OktaAction, request: Request, userID: String, reason: String, approvers: [EligibleApprover], by login: String) throws -> Approval {
        let now = clock.now()
        return try store.write { writer in
            let pending = try writer.approvals(of: request.id).filter { $0.state == .pending }
            if let same = pending.first(where: { $0.action == action }) {
                throw Refusal("\(same.id) already asks for exactly this and is waiting for \(same.approvers.map(\.login).joined(separator: ", "))")
            }
            let approval = try writer.insertApproval(NewApproval(
                requestID: request.id, action: action, reason: reason, requestedBy: login, requestedAt: now,
                expiresAt: now.addingTimeInterval(approvalLifetime), approvers: approvers, targetUserID: userID))
            try writer.append(EventDraft(actor: login, at: now, payload: .approvalRequested(.init(
                approvalID: approval.id, action: action, reason: reason, approvers: approvers.map(\.login), expiresAt: approval.expiresAt))), to: request.id)
            for older in pending where older.action.name == action.name {
                _ = try writer.decideApproval(older.id, state: .superseded, by: login, at: now, reason: "replaced by \(approval.id)")
                try writer.append(EventDraft(actor: login, at: now, payload: .approvalSuperseded(approvalID: older.id, by: approval.id)), to: request.id)
            }
            try Self.setStatus(.awaitingApproval, of: request.id, writer: writer, by: login, at: now)
            return approval
        }
    }

    // MARK: Deciding

    /// Approves and runs the action at once, in the approver's name. `expecting` is the action as
    /// the approver saw it: if the approval now holds anything else, it is refused.
    public func approve(_ approvalID: ApprovalID, by approver: Operator, expecting: OktaAction? = nil, comment: String? = nil) async throws -> ActionOutcome {
        try expireApprovals()
        let now = clock.now()
        let comment = comment.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        let (approval, run) = try store.write { writer in
            let approval = try approvals.decidable(approvalID, by: approver, writer: writer)
            if let expecting, expecting != approval.action {
                throw Refusal("\(approval.id) no longer asks for what you saw (\(expecting.summary)); it asks for \(approval.action.summary) — review it again")
            }
            guard try writer.decideApproval(approval.id, state: .granted, by: approver.login, at: now, reason: comment) else {
                throw Refusal("\(approval.id) was decided by someone else a moment ago")
            }
            try writer.append(EventDraft(actor: approver.login, at: now, payload: .approvalGranted(approvalID: approval.id, comment: comment)), to: approval.requestID)
            try Self.settleStatus(of: approval.requestID, writer: writer, by: approver.login, at: now)
            let run = try Self.start(approval.action, requestID: approval.requestID, userID: try Self.target(approval), approvalID: approval.id,
                                     grantID: nil, reason: approval.reason, by: approver.login, at: now, runner: runner, writer: writer)
            return (approval, run)
        }
        return await complete(run, reason: approval.reason)
    }

    /// Denies with a reason; the action does not run.
    @discardableResult
    public func deny(_ approvalID: ApprovalID, by approver: Operator, reason: String) throws -> Approval {
        try approvals.deny(approvalID, by: approver, reason: reason)
    }

    /// Expires every pending approval whose time ran out, with a note on its timeline.
    @discardableResult
    public func expireApprovals() throws -> [Approval] {
        try approvals.expireApprovals()
    }

    /// Decisions that need only the store.
    public var approvals: ApprovalBook { ApprovalBook(store: store, clock: clock) }

    // MARK: Running

    private func runNow(_ action: OktaAction, request: Request, userID: String, reason: String, by login: String) async throws -> ActionOutcome {
        let now = clock.now()
        let run = try store.write { writer in
            try Self.start(action, requestID: request.id, userID: userID, approvalID: nil, grantID: nil, reason: reason, by: login, at: now, runner: runner, writer: writer)
        }
        return await complete(run, reason: reason)
    }

    /// Writes the run and its "action started" event; the caller commits before calling Okta.
    static func start(
        _ action: OktaAction, requestID: RequestID, userID: String, approvalID: ApprovalID?, grantID: GrantID?, reason: String, by login: String,
        at now: Date, runner: String?, writer: any StoreWriter
    ) throws -> ActionRun {
        let run: ActionRun
        do {
            run = try writer.insertRun(NewActionRun(requestID: requestID, action: action, targetUserID: userID, approvalID: approvalID,
                                                    revokesGrant: grantID, startedBy: login, startedAt: now, runner: runner))
        } catch StoreError.refused {
            throw Refusal("\(approvalID.map(\.description) ?? "this action") has already been run; it runs only once")
        }
        try writer.append(EventDraft(actor: login, at: now, payload: .actionStarted(.init(
            runID: run.id, action: action, approvalID: approvalID, grantID: grantID, reason: reason))), to: requestID)
        return run
    }

    /// Calls Okta for a started run and records the outcome (and a temporary grant's revoke).
    /// A failure to record leaves the run "started": it shows as outcome unknown and is reconciled.
    func complete(_ run: ActionRun, reason: String) async -> ActionOutcome {
        let result: ActionOutcome.Result
        do {
            result = .succeeded(try await directory.perform(run.action, on: run.targetUserID))
        } catch let error as DirectoryError {
            result = .failed(error)
        } catch {
            result = .failed(DirectoryError(kind: .outcomeUnknown, summary: "\(error)"))
        }
        let now = clock.now()
        do {
            return try store.write { writer in
                switch result {
                case .succeeded(let receipt):
                    _ = try writer.finishRun(run.id, state: .succeeded, at: now)
                    try writer.append(EventDraft(actor: run.startedBy, at: now, payload: .actionSucceeded(.init(
                        runID: run.id, action: run.action, summary: receipt.summary, oktaRequestID: receipt.requestID))), to: run.requestID)
                    var grant: AccessGrant?
                    if let expiry = run.action.expiry, !receipt.alreadyDone {
                        grant = try Self.schedule(run, revokeAt: expiry.end(from: now), writer: writer, at: now)
                    }
                    return ActionOutcome(run: try writer.run(run.id) ?? run, result: result, grant: grant)
                case .failed(let error):
                    let unknown = error.kind == .outcomeUnknown
                    _ = try writer.finishRun(run.id, state: unknown ? .unknown : .failed, at: now)
                    try writer.append(EventDraft(actor: run.startedBy, at: now, payload: .actionFailed(.init(
                        runID: run.id, action: run.action, errorCode: error.errorCode, message: error.message, oktaRequestID: error.requestID,
                        outcomeUnknown: unknown))), to: run.requestID)
                    return ActionOutcome(run: try writer.run(run.id) ?? run, result: result, grant: nil)
                }
            }
        } catch {
            return ActionOutcome(run: run, result: .failed(DirectoryError(kind: .outcomeUnknown, summary: "the outcome could not be recorded: \(error)")), grant: nil)
        }
    }

    static func schedule(_ run: ActionRun, revokeAt: Date, writer: any StoreWriter, at now: Date) throws -> AccessGrant {
        let grant = try writer.insertGrant(requestID: run.requestID, grantRunID: run.id, action: run.action, targetUserID: run.targetUserID, revokeAt: revokeAt)
        try writer.append(EventDraft(actor: run.startedBy, at: now, payload: .accessScheduled(.init(grantID: grant.id, action: run.action, revokeAt: revokeAt))), to: run.requestID)
        return grant
    }

    // MARK: Helpers

    /// Group changes are refused up front for groups Okta manages elsewhere, so no approval is asked for them.
    private func checkTarget(of action: OktaAction) async throws {
        switch action {
        case .addToGroup(let ref, _), .removeFromGroup(let ref):
            let group = try await directory.group(id: ref.id)
            if let why = group.type.whyNotChangeable {
                throw Refusal("\(group.name) is a \(group.type.rawValue) group and cannot be changed here: \(why)")
            }
        default:
            break
        }
    }

    /// The requester's Okta account, or a refusal saying Okta has none.
    public func requesterAccount(_ request: Request) async throws -> DirectoryUser {
        do {
            return try await directory.user(.email(request.requester))
        } catch let error as DirectoryError where error.kind == .notFound {
            throw Refusal("Okta has no user with the email \(request.requester); check the requester on \(request.id)")
        }
    }

    static func target(_ approval: Approval) throws -> String {
        guard let userID = approval.targetUserID else { throw Refusal("\(approval.id) names no Okta user; ask again") }
        return userID
    }

    static func reasonText(_ text: String, what: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw Refusal("a reason is required for \(what)") }
        guard trimmed.count <= 1_000 else { throw Refusal("the reason is \(trimmed.count) characters; keep it under 1,000") }
        return trimmed
    }

    /// Moves a request to `status` (with its event) unless it is there already.
    static func setStatus(_ status: RequestStatus, of id: RequestID, writer: any StoreWriter, by login: String, at now: Date) throws {
        let request = try writer.existingRequest(id)
        guard request.status != status else { return }
        _ = try writer.update(id, expectedVersion: request.version, change: RequestChange(status: status), at: now)
        try writer.append(EventDraft(actor: login, at: now, payload: .statusChanged(from: request.status, to: status, note: nil)), to: id)
    }

    /// After a decision: a request awaiting approval goes back to open when nothing is pending.
    static func settleStatus(of id: RequestID, writer: any StoreWriter, by login: String, at now: Date) throws {
        let request = try writer.existingRequest(id)
        guard request.status == .awaitingApproval, try writer.approvals(of: id).allSatisfy({ $0.state != .pending }) else { return }
        try setStatus(.open, of: id, writer: writer, by: login, at: now)
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
