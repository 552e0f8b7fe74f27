import Foundation

/// Runs Okta actions on a request's requester under the approval policy. Every step lands on
/// the timeline; runs are written ahead of the call ("action started" is committed before Okta
/// is called), an approval can start at most one run, and a run is sent to Okta at most once.
/// Four-eyes compares Okta identities: nobody approves for their own account or for an action
/// they asked for, under whichever login or email.
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
    /// How long after a run starts its changing call may still be sent (and must have been answered).
    public let callWindow: TimeInterval
    /// Operators' Okta ids, for four-eyes.
    public let identities: OktaIdentities

    public init(
        store: any RequestStore, directory: any IdentityDirectory, clock: any Clock, policy: ApprovalPolicy, team: Team,
        approvalLifetime: TimeInterval = 24 * 3600, runner: String? = nil, callWindow: TimeInterval = 60
    ) {
        self.store = store
        self.directory = directory
        self.clock = clock
        self.policy = policy
        self.team = team
        self.approvalLifetime = approvalLifetime
        self.runner = runner
        self.callWindow = callWindow
        identities = OktaIdentities(directory: directory, clock: clock)
    }

    // MARK: Asking

    /// Asks for an action on the request's requester. Needing approval, it records the approval
    /// and the request waits; otherwise the action runs now.
    /// `account` is the requester's Okta account when the caller has just read it.
    /// `group` is the action's group when the caller has just read it from Okta.
    public func ask(_ action: OktaAction, on requestID: RequestID, reason: String, by actor: Operator, account: DirectoryUser? = nil,
                    group: DirectoryGroup? = nil) async throws -> AskOutcome {
        let reason = try Self.reasonText(reason, what: "asking for \(action.name.title.lowercased())")
        guard actor.canAct else {
            throw Refusal("\(actor.login) has no agent role, so cannot ask for Okta actions; an admin can add the role in the configuration")
        }
        try expireApprovals(by: actor.login)
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
        try await checkTarget(of: action, known: group)
        guard policy.needsApproval(action.name) else {
            return .ran(try await runNow(action, request: request, userID: user.id, reason: reason, by: actor.login))
        }
        guard let askerID = try await identities.id(of: actor) else {
            throw Refusal("\(actor.login)'s Okta account was not found by the email \(actor.email?.value ?? "(none configured)"); "
                + "asking for an approval needs one, so that the asker cannot approve it under another login — an admin corrects the email in the configuration")
        }
        let approvers = try await eligibleApprovers(named: policy.rule(for: action.name).approvers, account: user, asker: actor, askerID: askerID)
        guard !approvers.isEmpty else {
            throw Refusal("nobody may approve \(action.name.title.lowercased()) for \(request.requester): no operator other than you and the requester holds the approver role "
                + "or is their manager with an Okta account found by their configured email")
        }
        return .awaitingApproval(try recordApprovalRequest(action, request: request, userID: user.id, reason: reason, approvers: approvers, by: actor.login, askerID: askerID))
    }

    /// The logins that may approve `action` on the request if `asker` asks for it now: the same
    /// rule `ask` applies, so a confirm dialog names exactly who will be asked.
    public func whoMayApprove(_ action: ActionName, on requestID: RequestID, asker: Operator) async throws -> [String] {
        guard policy.needsApproval(action) else { return [] }
        let request = try store.existingRequest(requestID)
        let user = try await requesterAccount(request)
        guard let askerID = try await identities.id(of: asker) else {
            throw Refusal("\(asker.login)'s Okta account was not found by the email \(asker.email?.value ?? "(none configured)"); an admin corrects it in the configuration")
        }
        return try await eligibleApprovers(named: policy.rule(for: action).approvers, account: user, asker: asker, askerID: askerID).map(\.login)
    }

    /// Who may approve: the requester's manager (the operator whose Okta account is the manager's),
    /// approvers, and the logins the policy names — each with their Okta id, never the requester's or the asker's.
    func eligibleApprovers(named policyApprovers: [String], account: DirectoryUser, asker: Operator, askerID: String) async throws -> [EligibleApprover] {
        var result: [EligibleApprover] = []
        func consider(_ member: Operator, _ basis: EligibleApprover.Basis, mustBe expected: String? = nil) async throws {
            guard member.login != asker.login, !result.contains(where: { $0.login == member.login }) else { return }
            guard let id = try await identities.id(of: member) else { return }
            guard id != account.id, id != askerID else { return }
            if let expected, id != expected { return }
            result.append(EligibleApprover(login: member.login, basis: basis, oktaUserID: id))
        }
        if let manager = try await manager(of: account) {
            for member in team.operators.values.sorted(by: { $0.login < $1.login }) where member.email?.matches(manager.email) == true {
                try await consider(member, .manager, mustBe: manager.id)
            }
        }
        for approver in team.approvers { try await consider(approver, .approverRole) }
        for login in policyApprovers {
            if let member = team.member(login) { try await consider(member, .policy) }
        }
        return result
    }

    /// The requester's manager from their Okta profile; nil when there is none. Okta failing to
    /// answer is an error, not "no manager": it must not quietly shrink who may approve.
    private func manager(of account: DirectoryUser) async throws -> DirectoryUser? {
        guard let managerID = account.managerID else { return nil }
        do {
            return try await directory.user(.id(managerID))
        } catch let error as DirectoryError where error.kind == .notFound {
            return nil
        } catch let error as DirectoryError {
            throw Refusal("could not read \(account.login)'s manager from Okta, so who may approve is not known: \(error.message)")
        }
    }

    private func recordApprovalRequest(_ action: OktaAction, request: Request, userID: String, reason: String, approvers: [EligibleApprover],
                                       by login: String, askerID: String) throws -> Approval {
        let now = clock.now()
        return try store.write { writer in
            let pending = try writer.approvals(of: request.id).filter { $0.state == .pending }
            if let same = pending.first(where: { $0.subject == .action(action) }) {
                throw Refusal("\(same.id) already asks for exactly this and is waiting for \(same.approvers.map(\.login).joined(separator: ", "))")
            }
            let approval = try writer.insertApproval(NewApproval(
                requestID: request.id, subject: .action(action), reason: reason, requestedBy: login, requestedAt: now,
                expiresAt: now.addingTimeInterval(approvalLifetime), approvers: approvers, targetUserID: userID, requestedByOktaID: askerID))
            try writer.append(EventDraft(actor: login, at: now, payload: .approvalRequested(.init(
                approvalID: approval.id, action: action, reason: reason, approvers: approvers.map(\.login), expiresAt: approval.expiresAt))), to: request.id)
            for older in pending where older.action?.name == action.name {
                _ = try writer.decideApproval(older.id, state: .superseded, by: login, at: now, reason: "replaced by \(approval.id)")
                try writer.append(EventDraft(actor: login, at: now, payload: .approvalSuperseded(approvalID: older.id, by: approval.id)), to: request.id)
            }
            try Self.setStatus(.awaitingApproval, of: request.id, writer: writer, by: login, at: now)
            return approval
        }
    }

    // MARK: Deciding

    /// Approves and runs the action at once, in the approver's name. `expecting` is the action as
    /// the approver saw it: if the approval now holds anything else, it is refused. The approver's
    /// Okta account is looked up first: without one, nobody can tell they are not the requester.
    public func approve(_ approvalID: ApprovalID, by approver: Operator, expecting: OktaAction? = nil, comment: String? = nil) async throws -> ActionOutcome {
        try expireApprovals(by: approver.login)
        let comment = try comment.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : try Self.reasonText($0, what: "a comment") }
        guard let approverID = try await identities.id(of: approver) else {
            throw Refusal("\(approver.login)'s Okta account was not found by the email \(approver.email?.value ?? "(none configured)"); "
                + "an approver needs one, so that nobody approves for their own account — an admin corrects the email in the configuration")
        }
        let asked = try store.read { try $0.approval(approvalID) }
        if let asked, asked.action == nil {
            throw Refusal("\(approvalID) is for a plan (\(asked.subject.summary)); approve it as a plan, after reviewing its steps")
        }
        if let asked { try await requireStillEligible(approver, approverID: approverID, for: asked) }
        let held = if let asked, let action = asked.action { try await alreadyHeld(action, userID: try Self.target(asked)) } else { String?.none }
        let now = clock.now()
        let (approval, run) = try store.write { writer in
            let approval = try approvals.decidable(approvalID, by: approver, oktaUserID: approverID, writer: writer)
            guard let action = approval.action else { throw Refusal("\(approval.id) is for a plan; approve it as a plan") }
            if let expecting, expecting != action {
                throw Refusal("\(approval.id) no longer asks for what you saw (\(expecting.summary)); it asks for \(action.summary) — review it again")
            }
            guard try writer.decideApproval(approval.id, state: .granted, by: approver.login, at: now, reason: comment, oktaUserID: approverID) else {
                throw Refusal("\(approval.id) was decided by someone else a moment ago")
            }
            try writer.append(EventDraft(actor: approver.login, at: now, payload: .approvalGranted(approvalID: approval.id, comment: comment)), to: approval.requestID)
            try Self.settleStatus(of: approval.requestID, writer: writer, by: approver.login, at: now)
            let run = try start(action, requestID: approval.requestID, userID: try Self.target(approval), approvalID: approval.id,
                                grantID: nil, reason: approval.reason, by: approver.login, at: now, writer: writer)
            if let held { return (approval, try Self.settle(run, held: held, writer: writer, at: now)) }
            return (approval, run)
        }
        if let held { return ActionOutcome(run: run, result: .succeeded(Self.receipt(held: held)), grant: nil) }
        return await complete(run, reason: approval.reason)
    }

    /// Denies with a reason; the action does not run. The agent who asked for it withdraws it this way.
    @discardableResult
    public func deny(_ approvalID: ApprovalID, by approver: Operator, reason: String) async throws -> Approval {
        let asked = try store.read { try $0.approval(approvalID) }
        if let asked, asked.state == .pending, asked.requestedBy == approver.login {
            return try approvals.withdraw(approvalID, by: approver, reason: reason)
        }
        if let asked { try await requireStillEligible(approver, approverID: nil, for: asked, denying: true) }
        return try approvals.deny(approvalID, by: approver, reason: reason)
    }

    /// Refuses `approver` unless the configuration and Okta make them an approver of `approval` now,
    /// not only when it was asked: holding the approver role, named by the policy for everything it
    /// gates, or the manager in Okta of the person it is for. A role taken away, a name taken off
    /// the policy or a new manager ends the right at once; any one of them that still holds keeps
    /// it. Being on the approval's own list and the four-eyes checks follow, in the decision's write.
    /// A denial by someone asked as the manager, the safe way, is not held up by Okta failing to
    /// say who the manager is now.
    func requireStillEligible(_ approver: Operator, approverID: String?, for approval: Approval, denying: Bool = false) async throws {
        guard approval.state == .pending, let listed = approval.approvers.first(where: { $0.login == approver.login }) else { return }
        guard let member = team.member(approver.login) else {
            throw Refusal("\(approver.login) is no longer an operator in the configuration, so may not decide \(approval.id)")
        }
        if member.isApprover { return }
        let gated = Set(approval.subject.actionNames.filter { policy.needsApproval($0) })
        if !gated.isEmpty, gated.allSatisfy({ policy.rule(for: $0).approvers.contains(approver.login) }) { return }
        if let target = approval.targetUserID {
            do {
                if let managerID = try await currentManagerID(of: target) {
                    let id = if let approverID { approverID } else { try await identities.id(of: member) }
                    if id == managerID { return }
                }
            } catch let error as DirectoryError {
                // Only someone asked as the manager, whom Okta cannot now confirm or rule out.
                if denying, listed.basis == .manager { return }
                throw Refusal("Okta did not say who manages the person \(approval.requestID) is for, so whether \(approver.login) may still decide \(approval.id) "
                    + "is not known: \(error.message); try again when Okta answers")
            }
        }
        let then = switch listed.basis {
        case .manager: "the manager in Okta of the person it is for"
        case .approverRole: "holding the approver role"
        case .policy: "named by the policy"
        }
        throw Refusal("\(approver.login) may no longer decide \(approval.id): it was asked of them as \(then), and by the configuration and Okta now they hold "
            + "no approver role, are not named by the policy for it, and are not the manager of the person it is for")
    }

    /// The Okta id of the manager of the user `id` now; nil when there is none or the user is gone.
    private func currentManagerID(of id: String) async throws -> String? {
        do {
            return try await directory.user(.id(id)).managerID
        } catch let error as DirectoryError where error.kind == .notFound {
            return nil
        }
    }

    /// Expires every pending approval whose time ran out, with a note on its timeline.
    @discardableResult
    public func expireApprovals(by actor: String = systemActor) throws -> [Approval] {
        try approvals.expireApprovals(by: actor)
    }

    /// Decisions that need only the store.
    public var approvals: ApprovalBook { ApprovalBook(store: store, clock: clock) }

    // MARK: Running

    private func runNow(_ action: OktaAction, request: Request, userID: String, reason: String, by login: String) async throws -> ActionOutcome {
        let held = try await alreadyHeld(action, userID: userID)
        let now = clock.now()
        let run = try store.write { writer in
            let run = try start(action, requestID: request.id, userID: userID, approvalID: nil, grantID: nil, reason: reason, by: login, at: now, writer: writer)
            return if let held { try Self.settle(run, held: held, writer: writer, at: now) } else { run }
        }
        if let held { return ActionOutcome(run: run, result: .succeeded(Self.receipt(held: held)), grant: nil) }
        return await complete(run, reason: reason)
    }

    /// For temporary access, what of it the user already holds, read before the run is written:
    /// such a grant is settled in the write that starts its run (`settle`), without calling Okta
    /// and with no revoke, so its end never takes away access the user had before. Read here, not
    /// in the run, because a run whose outcome is unknown is settled from Okta's state: had the
    /// check been in the run, or its answer written apart from the run, a crash or a stall in
    /// between would leave reconcile to take the old access for the grant's.
    /// `evenPermanent` checks lasting grants too (a plan's steps, so that its undo takes back only what it gave).
    func alreadyHeld(_ action: OktaAction, userID: String, evenPermanent: Bool = false) async throws -> String? {
        guard action.expiry != nil || evenPermanent else { return nil }
        switch action {
        case .addToGroup(let group, _):
            let member = try await directory.groups(ofUser: userID).contains { $0.id == group.id }
            return member ? "already a member of \(group.name) before this\(action.expiry == nil ? "" : " grant"); nothing granted, nothing to revoke" : nil
        case .assignApp(let app, _):
            let assigned = try await directory.isAssigned(userID: userID, appID: app.id)
            return assigned ? "already assigned \(app.label) before this\(action.expiry == nil ? "" : " grant"); nothing granted, nothing to revoke" : nil
        default:
            return nil
        }
    }

    /// Writes the run, with its deadline, and its "action started" event; the caller commits before calling Okta.
    func start(_ action: OktaAction, requestID: RequestID, userID: String, approvalID: ApprovalID?, grantID: GrantID?, reason: String, by login: String,
               at now: Date, planStep: PlanStepRef? = nil, writer: any StoreWriter) throws -> ActionRun {
        let run: ActionRun
        do {
            run = try writer.insertRun(NewActionRun(requestID: requestID, action: action, targetUserID: userID, approvalID: approvalID,
                                                    revokesGrant: grantID, startedBy: login, startedAt: now, runner: runner,
                                                    deadline: now.addingTimeInterval(callWindow), planID: planStep?.plan, planStep: planStep?.step,
                                                    planAttempt: planStep?.attempt))
        } catch StoreError.refused {
            let what = planStep.map { "step \($0.step + 1) of \($0.plan)" } ?? approvalID.map(\.description) ?? "this action"
            throw Refusal("\(what) has already been run; it runs only once")
        }
        try writer.append(EventDraft(actor: login, at: now, payload: .actionStarted(.init(
            runID: run.id, action: action, approvalID: approvalID, grantID: grantID, reason: reason, planID: planStep?.plan, planStep: planStep?.step))), to: requestID)
        return run
    }

    /// Calls Okta for a started run and records the outcome (and a temporary grant's revoke).
    /// An answer that comes after reconcile settled the run is recorded as it is, with an alert.
    func complete(_ run: ActionRun, reason: String) async -> ActionOutcome {
        let executor = RunExecutor(engine: self)
        let performed = await executor.perform(run)
        let result: ActionOutcome.Result = switch performed {
        case .answered(let receipt): .succeeded(receipt)
        case .failed(let error): .failed(error)
        case .notSent(let why): .failed(DirectoryError(kind: .notAllowed, summary: why))
        }
        do {
            return try await executor.record { writer in
                let now = clock.now()
                switch performed {
                case .answered(let receipt):
                    let finished = try writer.finishRun(run.id, state: .succeeded, at: now)
                    try writer.append(EventDraft(actor: run.startedBy, at: now, payload: .actionSucceeded(.init(
                        runID: run.id, action: run.action, summary: receipt.summary, oktaRequestID: receipt.requestID, alreadyDone: receipt.alreadyDone))), to: run.requestID)
                    if !finished { try RunExecutor.late(run, settled: try writer.run(run.id)?.state, okta: receipt.summary, writer: writer, at: now) }
                    var grant: AccessGrant?
                    if let expiry = run.action.expiry, !receipt.alreadyDone, try writer.grants(of: run.requestID).allSatisfy({ $0.grantRunID != run.id }) {
                        grant = try Self.schedule(run, revokeAt: expiry.end(from: now), writer: writer, at: now)
                    }
                    return ActionOutcome(run: try writer.run(run.id) ?? run, result: result, grant: grant)
                case .failed(let error):
                    let unknown = error.kind == .outcomeUnknown
                    let finished = try writer.finishRun(run.id, state: unknown ? .unknown : .failed, at: now)
                    try writer.append(EventDraft(actor: run.startedBy, at: now, payload: .actionFailed(.init(
                        runID: run.id, action: run.action, errorCode: error.errorCode, message: error.message, oktaRequestID: error.requestID,
                        outcomeUnknown: unknown))), to: run.requestID)
                    if !finished, unknown {
                        try RunExecutor.late(run, settled: try writer.run(run.id)?.state, okta: "no answer — Okta may have acted", writer: writer, at: now)
                    }
                    return ActionOutcome(run: try writer.run(run.id) ?? run, result: result, grant: nil)
                case .notSent(let why):
                    if try writer.finishRun(run.id, state: .failed, at: now) {
                        try writer.append(EventDraft(actor: run.startedBy, at: now, payload: .actionFailed(.init(
                            runID: run.id, action: run.action, errorCode: nil, message: why, oktaRequestID: nil, outcomeUnknown: false))), to: run.requestID)
                    }
                    return ActionOutcome(run: try writer.run(run.id) ?? run, result: result, grant: nil)
                }
            }
        } catch {
            let said = switch performed {
            case .answered(let receipt): "Okta did it (\(receipt.summary), request id \(receipt.requestID ?? "none"))"
            case .failed(let failure): "Okta said: \(failure.message)"
            case .notSent(let why): why
            }
            return ActionOutcome(run: run, result: .failed(DirectoryError(kind: .outcomeUnknown,
                summary: "\(said), but the store could not record it (\(error)); \(run.id) stays open and reconcile settles it from Okta's state")), grant: nil)
        }
    }

    /// Finishes a just-started run of temporary access the user already holds, Okta not called.
    static func settle(_ run: ActionRun, held: String, writer: any StoreWriter, at now: Date) throws -> ActionRun {
        _ = try writer.finishRun(run.id, state: .succeeded, at: now)
        try writer.append(EventDraft(actor: run.startedBy, at: now, payload: .actionSucceeded(.init(
            runID: run.id, action: run.action, summary: held, oktaRequestID: nil, alreadyDone: true))), to: run.requestID)
        return try writer.run(run.id) ?? run
    }

    static func receipt(held: String) -> DirectoryReceipt {
        DirectoryReceipt(requestID: nil, summary: held, alreadyDone: true)
    }

    static func schedule(_ run: ActionRun, revokeAt: Date, writer: any StoreWriter, at now: Date) throws -> AccessGrant {
        let grant = try writer.insertGrant(requestID: run.requestID, grantRunID: run.id, action: run.action, targetUserID: run.targetUserID, revokeAt: revokeAt)
        try writer.append(EventDraft(actor: run.startedBy, at: now, payload: .accessScheduled(.init(grantID: grant.id, action: run.action, revokeAt: revokeAt))), to: run.requestID)
        return grant
    }

    // MARK: Helpers

    /// Group changes are refused up front for groups Okta manages elsewhere, so no approval is asked for them.
    private func checkTarget(of action: OktaAction, known: DirectoryGroup?) async throws {
        switch action {
        case .addToGroup(let ref, _), .removeFromGroup(let ref):
            let group = if let known, known.id == ref.id { known } else { try await directory.group(id: ref.id) }
            if let why = group.type.whyNotChangeable {
                throw Refusal("\(group.name) is a \(group.type.rawValue) group and cannot be changed here: \(why)")
            }
        default:
            break
        }
    }

    /// The requester's Okta account: the one user whose profile email is the request's, or a refusal.
    public func requesterAccount(_ request: Request) async throws -> DirectoryUser {
        do {
            return try await directory.user(.email(request.requester))
        } catch let error as DirectoryError where error.kind == .notFound {
            throw Refusal("Okta has no user with the email \(request.requester); check the requester on \(request.id)")
        } catch let error as DirectoryError where error.kind == .notAllowed {
            throw Refusal("\(error.message) (\(request.id))")
        }
    }

    /// The account the agent saw and confirmed, if the requester's email still finds exactly it:
    /// found by the email (which refuses an email several accounts share) and read by id.
    public func confirmedAccount(_ userID: String, of request: Request) async throws -> DirectoryUser {
        let account = try await requesterAccount(request)
        guard account.id == userID else {
            throw Refusal("\(request.requester) now finds another Okta account (\(account.login), \(account.id)) than the one you confirmed (\(userID)); "
                + "press R to read it again and check it is the right person before acting")
        }
        return account
    }

    static func target(_ approval: Approval) throws -> String {
        guard let userID = approval.targetUserID else { throw Refusal("\(approval.id) names no Okta user; ask again") }
        return userID
    }

    static func reasonText(_ text: String, what: String) throws -> String {
        try PlainText.check(text, "the reason", atMostBytes: 4_000)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw Refusal("a reason is required for \(what)") }
        guard trimmed.count <= 1_000 else { throw Refusal("the reason is \(trimmed.count) characters; keep it under 1,000") }
        try PlainText.check(trimmed, "the reason", lines: true)
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
