import Foundation

/// Runs plans step by step. Each step is a run written ahead, as single actions are, tied to
/// its plan, step and attempt (the store holds one run per step and attempt); a runner holds the
/// plan by a claim it renews before each step, so a crash or restart leaves the plan to the next
/// runner once the claim runs out, or at once when the holder's process is known to be gone. A step whose outcome is unknown is reconciled from Okta's
/// state before the plan goes on: applied, it counts as done; not applied (proven only once its
/// call can no longer arrive), it is tried again; unknowable, the plan stops for a person —
/// except for an action that repeats safely (ending sessions), which is sent again.
public struct PlanRunner: Sendable {
    public let reconciler: Reconciler
    public let playbooks: [Playbook]

    /// Whether asking again will not change the answer: Okta's 404 and 403, and what helpdesk
    /// itself refuses; an answer the client could not read, or none, is tried again.
    static func refusesForGood(_ error: DirectoryError) -> Bool {
        error.kind == .notAllowed || [403, 404].contains(error.httpStatus ?? 0)
    }

    /// Tries of reconcile that could not settle a step (Okta's state unreadable), before the plan stops.
    static let maxReconcileTries = 6

    /// Tries of one step whose runs were found not applied, before the plan stops.
    static let maxAttempts = 3

    var engine: ActionEngine { reconciler.engine }
    var store: any RequestStore { engine.store }
    /// This runner's name on the plans it claims: its process and a token of its own, so that two
    /// runs of one plan in one process (the approver's, the background round's) do not both hold it.
    let runnerName: String
    /// How long a claim lasts: a step's call window and the time to record its answer.
    var claimWindow: TimeInterval { engine.callWindow + 30 }

    public init(reconciler: Reconciler, playbooks: [Playbook]) {
        self.reconciler = reconciler
        self.playbooks = playbooks
        runnerName = (reconciler.engine.runner ?? "helpdesk") + "/" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
    }

    /// What a round of due plans came to: the plans as they stand, and those that could not be advanced (and why).
    public struct Round: Sendable {
        public var plans: [Plan] = []
        public var failures: [(PlanID, String)] = []
        /// Due plans not begun, because the round's time ran out or it was asked to stop: the next round takes them.
        public var leftForLater = 0
    }

    /// Runs every plan that is due (scheduled for now, or left by a runner whose claim ran out or
    /// whose process is gone); one plan failing does not hold up the others.
    /// No plan is begun from `until` on (the first always is), or once `stopping` says so; a plan
    /// under way stops between its steps when asked to, and the next round goes on with it.
    public func runDue(by actor: String, limit: Int = 200, until end: Date? = nil, stopping: @escaping @Sendable () -> Bool = { false }) async throws -> Round {
        let due = try store.read { try $0.duePlans(at: engine.clock.now(), limit: limit) }
        var round = Round()
        let now = engine.clock.now()
        let ready = due.filter { plan in plan.state == .scheduled || (plan.leaseUntil.map { $0 <= now } ?? true) || goneRunner(of: plan) != nil }
        for (index, plan) in ready.enumerated() {
            if stopping() || (index > 0 && end.map { engine.clock.now() >= $0 } == true) {
                round.leftForLater += ready.count - index
                break
            }
            do {
                let advanced = try await advance(plan.id, by: actor, stopping: stopping)
                // A stop that came before the plan was claimed left it as it was: it waits like the rest.
                if stopping(), advanced == plan { round.leftForLater += 1 } else { round.plans.append(advanced) }
            } catch {
                round.failures.append((plan.id, (error as? DirectoryError)?.message ?? "\(error)"))
            }
        }
        return round
    }

    /// Claims the plan and runs its steps from the first unfinished one, as far as it can go now.
    /// Returns the plan as it stands: finished, stopped, or still running (waiting on a step
    /// another runner holds, or on reconcile).
    @discardableResult
    public func advance(_ planID: PlanID, by actor: String, stopping: @escaping @Sendable () -> Bool = { false }) async throws -> Plan {
        guard let before = try store.read({ try $0.plan(planID) }) else { throw Refusal("there is no plan \(planID)") }
        if stopping() { return before }
        let differences = before.state == .scheduled ? await differences(of: before) : []
        if stopping() { return before }
        let gone = goneRunner(of: before)
        let claimed = try store.write { writer -> Bool in
            let now = engine.clock.now()
            let starting = try writer.plan(planID)?.state == .scheduled
            guard try writer.claimPlan(planID, runner: runnerName, until: now.addingTimeInterval(claimWindow), at: now, replacing: gone) else { return false }
            if starting {
                try writer.append(EventDraft(actor: actor, at: now, payload: .planStarted(.init(planID: planID, differences: differences))), to: before.requestID)
            }
            return true
        }
        guard claimed else { return try current(planID) }
        do {
            for index in before.steps.indices {
                if stopping() { return try release(planID) }
                switch try await settleStep(index, of: before, by: actor) {
                case .done: continue
                case .wait: return try release(planID)
                case .stop(let why): return try end(before, .stopped, why, by: actor)
                }
            }
            return try end(before, .finished, "every step done", by: actor)
        } catch let error as DirectoryError where Self.refusesForGood(error) {
            // Okta refuses what the next step needs (its user is gone, a read is forbidden): asking again will not help.
            return try end(before, .stopped, "Okta refused what the plan needed next: \(error.message)", by: actor)
        } catch {
            _ = try? release(planID)
            throw error
        }
    }

    private enum StepResult {
        case done
        /// Not settled yet (in flight elsewhere, or its outcome is being reconciled): come back later.
        case wait
        case stop(String)
    }

    /// Brings step `index` to an end, or says why it cannot yet.
    private func settleStep(_ index: Int, of plan: Plan, by actor: String) async throws -> StepResult {
        let step = plan.steps[index]
        let (runs, timeline) = try store.read { reader in
            (try reader.runs(of: plan.requestID).filter { $0.planID == plan.id && $0.planStep == index }, try reader.timeline(of: plan.requestID))
        }
        if runs.contains(where: { Self.tookEffect($0, timeline: timeline) }) { return .done }
        if let last = runs.last {
            switch last.state {
            case .succeeded: return .done
            case .failed:
                let why = "step \(index + 1) (\(step.action.summary)) failed: " + (Self.failure(of: last, timeline: timeline) ?? "see \(last.id)")
                return step.skipOnFailure ? .done : .stop(why)
            case .started, .unknown:
                if let next = last.nextReconcileAt, next > engine.clock.now() { return .wait }
                guard let result = try await reconciler.settleIfUnknown(last, by: actor) else { return .wait }
                guard result.settled else {
                    if result.readRefused != nil {
                        return .stop("step \(index + 1) (\(step.action.summary)): its outcome is unknown and Okta refuses to show the account (\(result.summary)); check it by hand")
                    }
                    guard last.reconcileAttempts + 1 < Self.maxReconcileTries else {
                        return .stop("step \(index + 1) (\(step.action.summary)): its outcome could not be settled from Okta's state after \(Self.maxReconcileTries) tries "
                            + "(\(result.summary)); check the account, then undo or finish by hand")
                    }
                    return .wait
                }
                return try await settleStep(index, of: plan, by: actor)
            case .reconciled:
                switch Self.finding(of: last, timeline: timeline) {
                case .applied: return .done
                case .unknown where step.action.repeatsSafely && runs.count < Self.maxAttempts:
                    break
                case .unknown, nil:
                    return .stop("step \(index + 1) (\(step.action.summary)): whether it took effect cannot be told from Okta's state (\(last.id)); check the account, then undo or finish by hand")
                case .notApplied:
                    guard runs.count < Self.maxAttempts else {
                        return .stop("step \(index + 1) (\(step.action.summary)) did not take effect after \(runs.count) tries")
                    }
                }
            }
        }
        return try await run(step, index, attempt: runs.count, of: plan, by: actor)
    }

    /// The Okta user a step acts on: the plan's, or for a new hire's plan, the account its first
    /// step created (found by its login); the creating step itself names the login.
    private func target(of step: PlanStep, in plan: Plan) async throws -> Result<String, Refusal> {
        guard let profile = plan.createdProfile else { return .success(plan.targetUserID) }
        if case .createUser = step.action { return .success(profile.login) }
        do {
            let user = try await engine.directory.user(.login(profile.login))
            guard profile.email.matches(user.email) else {
                return .failure(Refusal("the login \(profile.login) is now an account with another email (\(user.email)); the plan acts on no one else"))
            }
            return .success(user.id)
        } catch let error as DirectoryError where error.kind == .notFound {
            return .failure(Refusal("the user \(profile.login) the plan created is no longer in Okta"))
        }
    }

    /// Writes the step's run ahead (renewing the claim in the same write) and calls Okta.
    private func run(_ step: PlanStep, _ index: Int, attempt: Int, of plan: Plan, by actor: String) async throws -> StepResult {
        let userID: String
        switch try await target(of: step, in: plan) {
        case .success(let id): userID = id
        case .failure(let why): return .stop("step \(index + 1) (\(step.action.summary)): \(why.message)")
        }
        let held = try await engine.alreadyHeld(step.action, userID: userID, evenPermanent: true)
        let run: ActionRun
        do {
            run = try store.write { writer -> ActionRun in
                let now = engine.clock.now()
                guard try writer.claimPlan(plan.id, runner: runnerName, until: now.addingTimeInterval(claimWindow), at: now, replacing: nil) else {
                    throw Refusal("\(plan.id) was taken over by another runner")
                }
                let run = try engine.start(step.action, requestID: plan.requestID, userID: userID, approvalID: nil, grantID: nil, reason: plan.reason,
                                           by: actor, at: now, planStep: PlanStepRef(plan: plan.id, step: index, attempt: attempt), writer: writer)
                return if let held { try ActionEngine.settle(run, held: held, writer: writer, at: now) } else { run }
            }
        } catch is Refusal {
            return .wait
        }
        if held != nil { return .done }
        let outcome = await engine.complete(run, reason: plan.reason)
        switch outcome.result {
        case .succeeded: return .done
        case .failed(let error) where error.kind == .outcomeUnknown: return .wait
        case .failed(let error):
            let why = "step \(index + 1) (\(step.action.summary)) failed: \(error.description)"
            return step.skipOnFailure ? .done : .stop(why)
        }
    }

    /// How Okta's state now differs from the approved plan: steps already in effect, and what
    /// the playbook would add now that the plan leaves alone. The plan is never widened.
    private func differences(of plan: Plan) async -> [String] {
        guard let playbook = playbooks.first(where: { $0.name == plan.playbook }), plan.undoes == nil, plan.createdProfile == nil else { return [] }
        do {
            let user = try await engine.directory.user(.id(plan.targetUserID))
            let now = try await PlanResolver(directory: engine.directory).resolve(playbook, for: user)
            var found: [String] = []
            for step in plan.steps where !now.steps.contains(step) { found.append("\(step.action.summary): already so, or no longer applies") }
            for step in now.steps where !plan.steps.contains(step) { found.append("\(step.action.summary): not in the approved plan, not done") }
            return found
        } catch {
            return ["Okta's state could not be read to compare with the approved plan (\((error as? DirectoryError)?.message ?? "\(error)"))"]
        }
    }

    private func end(_ plan: Plan, _ state: Plan.State, _ summary: String, by actor: String) throws -> Plan {
        try store.write { writer in
            let now = engine.clock.now()
            let runs = try writer.runs(of: plan.requestID).filter { $0.planID == plan.id }
            let timeline = try writer.timeline(of: plan.requestID)
            let done = Set(runs.filter { Self.tookEffect($0, timeline: timeline) }.compactMap(\.planStep)).count
            if try writer.movePlan(plan.id, from: .running, to: state, note: state == .finished ? nil : summary, at: now) {
                try writer.append(EventDraft(actor: actor, at: now, payload: .planEnded(.init(planID: plan.id, state: state, stepsDone: done, summary: summary))),
                                  to: plan.requestID)
            }
            return try writer.plan(plan.id) ?? plan
        }
    }

    /// The runner holding a running plan when its process is known to be gone (a crash, a restart).
    func goneRunner(of plan: Plan) -> String? {
        guard plan.state == .running, let holder = plan.runner, holder != runnerName else { return nil }
        let process = holder.split(separator: "/", maxSplits: 1).first.map(String.init) ?? holder
        return reconciler.runnerIsAlive(process) == false ? holder : nil
    }

    /// Lets the plan go for now (its claim ends), so the next round, here or elsewhere, takes it up.
    private func release(_ planID: PlanID) throws -> Plan {
        try store.write { writer in
            let now = engine.clock.now()
            _ = try writer.claimPlan(planID, runner: runnerName, until: now, at: now, replacing: nil)
            guard let plan = try writer.plan(planID) else { throw Refusal("there is no plan \(planID)") }
            return plan
        }
    }

    private func current(_ planID: PlanID) throws -> Plan {
        guard let plan = try store.read({ try $0.plan(planID) }) else { throw Refusal("there is no plan \(planID)") }
        return plan
    }

    /// Whether a run took effect: succeeded, or reconciled and found applied.
    static func tookEffect(_ run: ActionRun, timeline: [TimelineEvent]) -> Bool {
        run.state == .succeeded || (run.state == .reconciled && finding(of: run, timeline: timeline) == .applied)
    }

    static func finding(of run: ActionRun, timeline: [TimelineEvent]) -> ReconcileFinding? {
        for event in timeline.reversed() {
            if case .actionReconciled(let result) = event.payload, result.runID == run.id { return result.finding }
        }
        return nil
    }

    static func failure(of run: ActionRun, timeline: [TimelineEvent]) -> String? {
        for event in timeline.reversed() {
            if case .actionFailed(let failure) = event.payload, failure.runID == run.id {
                return failure.message + (failure.errorCode.map { " [\($0)]" } ?? "")
            }
        }
        return nil
    }
}
