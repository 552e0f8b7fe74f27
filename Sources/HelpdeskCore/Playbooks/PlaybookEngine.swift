import Foundation

/// Playbooks on requests: previews a plan against the requester's account, asks for it (one
/// approval for the whole plan when any step needs one, with the same four-eyes rules as single
/// actions), approves it exactly as previewed, cancels it before it starts, and builds the inverse
/// of a plan that ran. Running is `PlanRunner`'s.
public struct PlaybookEngine: Sendable {
    public let reconciler: Reconciler
    public let playbooks: [Playbook]

    public init(reconciler: Reconciler, playbooks: [Playbook]) {
        self.reconciler = reconciler
        self.playbooks = playbooks
    }

    var engine: ActionEngine { reconciler.engine }
    var store: any RequestStore { engine.store }
    /// The title an inverse plan carries.
    static let undoName = "undo"

    public var runner: PlanRunner { PlanRunner(reconciler: reconciler, playbooks: playbooks) }

    // MARK: Previewing

    public func preview(_ ask: PlanAsk, by actor: Operator) async throws -> PlanPreview {
        let (request, user, profile) = try await subject(of: ask, by: actor)
        let (name, title, resolution, required) = try await resolve(ask.source, on: request, for: user, creating: profile)
        let needs = required || resolution.steps.contains { engine.policy.needsApproval($0.action.name) }
        var approvers: [String] = []
        if needs, !resolution.steps.isEmpty {
            approvers = try await eligibleApprovers(for: resolution.steps, account: user, asker: actor).map(\.login)
        }
        return PlanPreview(requestID: request.id, title: title, playbook: name, targetUserID: Self.target(user, profile), targetLogin: user.login, steps: resolution.steps,
                           notes: resolution.notes, needsApproval: needs, approvers: approvers, runAt: ask.runAt)
    }

    // MARK: Asking

    /// Asks for the plan. With `expecting` (the previewed steps), refuses when the plan would now
    /// be anything else. Needing no approval and due now, it runs before this returns.
    public func start(_ ask: PlanAsk, expecting: [PlanStep]?, by actor: Operator) async throws -> Plan {
        let reason = try ActionEngine.reasonText(ask.reason, what: "asking for a plan")
        try engine.expireApprovals(by: actor.login)
        let (request, user, profile) = try await subject(of: ask, by: actor)
        let (name, title, resolution, required) = try await resolve(ask.source, on: request, for: user, creating: profile)
        guard !resolution.steps.isEmpty else {
            throw Refusal("\(title) has nothing to do for \(request.requester)" + (resolution.notes.isEmpty ? "" : ": " + resolution.notes.joined(separator: "; ")))
        }
        if let confirmed = ask.confirmedUserID, confirmed != Self.target(user, profile) {
            throw Refusal("\(request.requester) now finds another Okta account (\(Self.target(user, profile))) than the one the preview showed (\(confirmed)); preview it again")
        }
        if let expecting, expecting != resolution.steps {
            throw Refusal("Okta's state changed since the preview: the plan would now be \(resolution.steps.count) step(s) "
                + "(\(resolution.steps.map(\.action.summary).joined(separator: "; "))); preview it again")
        }
        let now = engine.clock.now()
        let runAt = try ask.runAt.map { try Self.scheduled($0, now: now) } ?? nil
        let needs = required || resolution.steps.contains { engine.policy.needsApproval($0.action.name) }
        var approval: (askerID: String, approvers: [EligibleApprover])?
        if needs {
            guard let askerID = try await engine.identities.id(of: actor) else {
                throw Refusal("\(actor.login)'s Okta account was not found by the email \(actor.email?.value ?? "(none configured)"); "
                    + "asking for an approval needs one, so that the asker cannot approve it under another login — an admin corrects the email in the configuration")
            }
            let approvers = try await eligibleApprovers(for: resolution.steps, account: user, asker: actor, askerID: askerID)
            guard !approvers.isEmpty else {
                throw Refusal("nobody may approve \(title) for \(request.requester): no operator other than you and the requester holds the approver role "
                    + "or is their manager with an Okta account found by their configured email")
            }
            approval = (askerID, approvers)
        }
        let undoes: PlanID? = if case .undo(let id) = ask.source { id } else { nil }
        let plan = try store.write { writer -> Plan in
            try Self.refuseIfBusy(request.id, undoes: undoes, writer: writer)
            let plan = try writer.insertPlan(NewPlan(
                requestID: request.id, playbook: name, title: title, steps: resolution.steps, targetUserID: Self.target(user, profile), reason: reason,
                requestedBy: actor.login, requestedAt: now, runAt: runAt, undoes: undoes, state: approval == nil ? .scheduled : .awaitingApproval))
            var approvalID: ApprovalID?
            if let approval {
                approvalID = try writer.insertApproval(NewApproval(
                    requestID: request.id, subject: .plan(plan.terms), reason: reason, requestedBy: actor.login, requestedAt: now,
                    expiresAt: now.addingTimeInterval(engine.approvalLifetime), approvers: approval.approvers, targetUserID: profile == nil ? user.id : nil,
                    requestedByOktaID: approval.askerID)).id
            }
            try writer.append(EventDraft(actor: actor.login, at: now, payload: .planAsked(.init(
                planID: plan.id, title: title, steps: resolution.steps.map(\.action.summary), reason: reason, runAt: runAt, approvalID: approvalID,
                approvers: approval?.approvers.map(\.login) ?? [], undoes: undoes))), to: request.id)
            if approval != nil { try ActionEngine.setStatus(.awaitingApproval, of: request.id, writer: writer, by: actor.login, at: now) }
            return plan
        }
        guard plan.state == .scheduled, runAt == nil else { return plan }
        return try await runner.advance(plan.id, by: actor.login)
    }

    // MARK: Deciding

    /// Approves the plan exactly as `expecting` (what the approver saw), then runs it if it is due.
    public func approve(_ approvalID: ApprovalID, by approver: Operator, expecting: PlanTerms?, comment: String?) async throws -> Plan {
        try engine.expireApprovals(by: approver.login)
        let comment = try comment.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : try ActionEngine.reasonText($0, what: "a comment") }
        guard let approverID = try await engine.identities.id(of: approver) else {
            throw Refusal("\(approver.login)'s Okta account was not found by the email \(approver.email?.value ?? "(none configured)"); "
                + "an approver needs one, so that nobody approves for their own account — an admin corrects the email in the configuration")
        }
        if let asked = try store.read({ try $0.approval(approvalID) }) { try await engine.requireStillEligible(approver, approverID: approverID, for: asked) }
        let now = engine.clock.now()
        let plan = try store.write { writer -> Plan in
            let approval = try engine.approvals.decidable(approvalID, by: approver, oktaUserID: approverID, writer: writer)
            guard let terms = approval.subject.plan else { throw Refusal("\(approval.id) is for a single action, not a plan; approve it as an action") }
            if let expecting, expecting != terms {
                throw Refusal("\(approval.id) no longer asks for what you saw (\(expecting.summary)); it asks for \(terms.summary) — review it again")
            }
            guard let plan = try writer.plan(terms.planID), plan.terms == terms else {
                throw Refusal("\(terms.planID) is not the plan \(approval.id) was asked for; the agent must ask again")
            }
            guard try writer.decideApproval(approval.id, state: .granted, by: approver.login, at: now, reason: comment, oktaUserID: approverID),
                  try writer.movePlan(plan.id, from: .awaitingApproval, to: .scheduled, note: nil, at: now) else {
                throw Refusal("\(approval.id) was decided by someone else a moment ago")
            }
            try writer.append(EventDraft(actor: approver.login, at: now, payload: .approvalGranted(approvalID: approval.id, comment: comment)), to: approval.requestID)
            try ActionEngine.settleStatus(of: approval.requestID, writer: writer, by: approver.login, at: now)
            return try writer.plan(plan.id) ?? plan
        }
        guard plan.runAt.map({ $0 <= now }) ?? true else { return plan }
        return try await runner.advance(plan.id, by: approver.login)
    }

    /// Cancels a plan that has not started: waiting for its approval (which is withdrawn) or for its
    /// time. Never by the person it is for; an approved plan only by its asker or an approver.
    public func cancel(_ planID: PlanID, by actor: Operator, reason: String) async throws -> Plan {
        let reason = try ActionEngine.reasonText(reason, what: "cancelling a plan")
        guard actor.canAct else { throw Refusal("\(actor.login) has no agent role, so cannot cancel plans") }
        guard let plan = try store.read({ try $0.plan(planID) }) else { throw Refusal("there is no plan \(planID)") }
        let request = try store.existingRequest(plan.requestID)
        guard let actorID = try await engine.identities.id(of: actor) else {
            throw Refusal("\(actor.login)'s Okta account was not found by the email \(actor.email?.value ?? "(none configured)"), so nobody can tell they are not "
                + "the person \(planID) is for — an admin corrects the email in the configuration")
        }
        if actorID == plan.targetUserID || actor.email.map({ $0.matches(request.requester.value) }) == true {
            throw Refusal("\(actor.login) is the person \(planID) is for and cannot cancel it; another agent must")
        }
        let now = engine.clock.now()
        return try store.write { writer in
            guard let plan = try writer.plan(planID) else { throw Refusal("there is no plan \(planID)") }
            let approved = try writer.approvals(of: plan.requestID).contains { $0.state == .granted && $0.subject.plan?.planID == planID }
            if approved, actor.login != plan.requestedBy, !actor.isApprover {
                throw Refusal("\(planID) was approved; only its asker (\(plan.requestedBy)) or an approver may cancel it")
            }
            switch plan.state {
            case .awaitingApproval, .scheduled: break
            case .running: throw Refusal("\(planID) has started; it runs to its end or stops at a failed step — undo it afterwards if needed")
            case .finished, .stopped, .cancelled: throw Refusal("\(planID) is already \(plan.state.rawValue)")
            }
            guard try writer.movePlan(planID, from: plan.state, to: .cancelled, note: "cancelled by \(actor.login): \(reason)", at: now) else {
                throw Refusal("\(planID) changed a moment ago; look at it again")
            }
            for approval in try writer.approvals(of: plan.requestID) where approval.state == .pending && approval.subject.plan?.planID == planID {
                _ = try writer.decideApproval(approval.id, state: .superseded, by: actor.login, at: now, reason: "\(planID) was cancelled")
            }
            try writer.append(EventDraft(actor: actor.login, at: now, payload: .planEnded(.init(
                planID: planID, state: .cancelled, stepsDone: 0, summary: "cancelled by \(actor.login) before it started: \(reason)"))), to: plan.requestID)
            try ActionEngine.settleStatus(of: plan.requestID, writer: writer, by: actor.login, at: now)
            return try writer.plan(planID) ?? plan
        }
    }

    /// Ends a plan whose approval was denied or expired (inside that decision's write).
    static func approvalEnded(_ approval: Approval, how: String, by login: String, at now: Date, writer: any StoreWriter) throws {
        guard let terms = approval.subject.plan, try writer.movePlan(terms.planID, from: .awaitingApproval, to: .cancelled, note: how, at: now) else { return }
        try writer.append(EventDraft(actor: login, at: now, payload: .planEnded(.init(planID: terms.planID, state: .cancelled, stepsDone: 0, summary: how))),
                          to: approval.requestID)
    }

    // MARK: Helpers

    /// The request, the account the plan acts on, and for a new hire the profile its first step
    /// creates (the account is then that profile as it will be: STAGED, with no id yet).
    private func subject(of ask: PlanAsk, by actor: Operator) async throws -> (Request, DirectoryUser, NewUserProfile?) {
        guard actor.canAct else {
            throw Refusal("\(actor.login) has no agent role, so cannot start playbooks; an admin can add the role in the configuration")
        }
        let request = try store.existingRequest(ask.requestID)
        guard request.status.isActive else { throw Refusal("\(request.id) is \(request.status.rawValue); reopen it before acting on it") }
        if case .playbook(let name) = ask.source, let playbook = playbooks.first(where: { $0.name == name }), !playbook.mayBeStarted(by: actor) {
            throw Refusal("\(actor.login) may not start \(playbook.title); it is for \(playbook.roles.sorted().map(\.rawValue).joined(separator: ", "))")
        }
        if case .undo(let id) = ask.source {
            guard let original = try store.read({ try $0.plan(id) }), original.requestID == request.id else {
                throw Refusal("\(request.id) has no plan \(id)")
            }
            if let undone = original.undoes {
                throw Refusal("\(id) undid \(undone) and cannot itself be undone; ask for the playbook again (it is previewed and approved afresh)")
            }
            if let playbook = playbooks.first(where: { $0.name == original.playbook }), !playbook.mayBeStarted(by: actor) {
                throw Refusal("\(actor.login) may not start \(playbook.title), so may not undo it either; it is for \(playbook.roles.sorted().map(\.rawValue).joined(separator: ", "))")
            }
            guard ask.fields.isEmpty else { throw Refusal("fields apply to playbooks that create their user, not to an undo") }
            let user = try await engine.requesterAccount(request)
            let acted = original.createdProfile.map { $0.login == user.login } ?? (user.id == original.targetUserID)
            guard acted else {
                throw Refusal("\(request.requester) now finds another Okta account (\(user.id)) than \(id) acted on (\(original.targetUserID)); undo it by hand")
            }
            return (request, user, nil)
        }
        guard case .playbook(let name) = ask.source, let playbook = playbooks.first(where: { $0.name == name }), playbook.createsUser else {
            guard ask.fields.isEmpty else { throw Refusal("fields apply to playbooks that create their user; this one acts on the requester's account") }
            return (request, try await engine.requesterAccount(request), nil)
        }
        do {
            let user = try await engine.directory.user(.email(request.requester))
            return (request, user, nil)
        } catch let error as DirectoryError where error.kind == .notFound {
            let profile = try await NewHireFields(directory: engine.directory, team: engine.team).profile(ask.fields, email: request.requester)
            // No manager here: the manager is a field the agent typed, and a manager may approve
            // their report's plans; a new hire's plan is approved by the approvers.
            let user = DirectoryUser(id: "", login: profile.login, email: profile.email.value, firstName: profile.firstName, lastName: profile.lastName,
                                     status: .staged, department: profile.department)
            return (request, user, profile)
        }
    }

    /// The plan's user: the account's id, or for a new hire the login it will have.
    private static func target(_ user: DirectoryUser, _ profile: NewUserProfile?) -> String {
        profile?.login ?? user.id
    }

    /// The plan's name, title, steps and whether the playbook asks for an approval whatever its steps.
    private func resolve(_ source: PlanAsk.Source, on request: Request, for user: DirectoryUser, creating profile: NewUserProfile?) async throws -> (String, String, PlanResolver.Resolution, Bool) {
        switch source {
        case .playbook(let name):
            guard let playbook = playbooks.first(where: { $0.name == name }) else {
                let known = playbooks.map(\.name).joined(separator: ", ")
                throw Refusal("there is no playbook \"\(TextSafety.quoted(name))\" (\(known.isEmpty ? "none are configured" : "configured: " + known))")
            }
            let resolution = try await PlanResolver(directory: engine.directory).resolve(playbook, for: user, creating: profile)
            return (playbook.name, playbook.title, resolution, playbook.approval == .required)
        case .undo(let id):
            let now = engine.clock.now()
            let (original, inverse) = try store.read { reader -> (Plan?, PlanResolver.Resolution) in
                guard let original = try reader.plan(id) else { return (nil, PlanResolver.Resolution()) }
                let inverse = try UndoPlan.inverse(of: original, runs: try reader.runs(of: request.id), timeline: try reader.timeline(of: request.id)) { run in
                    try UndoPlan.endedGrant(of: run, reader: reader, now: now)
                }
                return (original, inverse)
            }
            guard let original else { throw Refusal("\(request.id) has no plan \(id)") }
            guard original.state == .finished || original.state == .stopped else {
                throw Refusal("\(id) is \(original.state.rawValue); only a finished or stopped plan can be undone")
            }
            return (Self.undoName, "Undo \(original.title)", inverse, false)
        }
    }

    private func eligibleApprovers(for steps: [PlanStep], account: DirectoryUser, asker: Operator, askerID known: String? = nil) async throws -> [EligibleApprover] {
        let askerID: String
        if let known { askerID = known } else {
            guard let found = try await engine.identities.id(of: asker) else {
                throw Refusal("\(asker.login)'s Okta account was not found by the email \(asker.email?.value ?? "(none configured)"); an admin corrects it in the configuration")
            }
            askerID = found
        }
        // The policy may name extra approvers per action: one approves the plan only if named for
        // every step that needs an approval (the manager and approvers may approve any).
        let gated = Set(steps.map(\.action.name).filter { engine.policy.needsApproval($0) })
        let named = gated.sorted().flatMap { engine.policy.rule(for: $0).approvers }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        return try await engine.eligibleApprovers(named: named, account: account, asker: asker, askerID: askerID).filter { approver in
            approver.basis != .policy || gated.allSatisfy { engine.policy.rule(for: $0).approvers.contains(approver.login) }
        }
    }

    /// One plan at a time per request: another waiting or running is refused, as is a second undo.
    private static func refuseIfBusy(_ requestID: RequestID, undoes: PlanID?, writer: any StoreWriter) throws {
        let plans = try writer.plans(of: requestID)
        if let busy = plans.first(where: { !$0.state.isFinal }) {
            throw Refusal("\(busy.id) (\(busy.title)) is \(busy.state.rawValue) on \(requestID); cancel it or let it end before asking for another plan")
        }
        if let undoes, let earlier = plans.first(where: { $0.undoes == undoes && $0.state != .cancelled }) {
            throw Refusal("\(undoes) was already undone by \(earlier.id) (\(earlier.state.rawValue))")
        }
    }

    /// A plan's time: later than now, within a year.
    static func scheduled(_ date: Date, now: Date) throws -> Date? {
        if date <= now { return nil }
        guard date.timeIntervalSince(now) <= 366 * 24 * 3600 else { throw Refusal("\(Timestamp.iso8601(date)) is more than a year away; schedule plans within a year") }
        return date
    }
}
