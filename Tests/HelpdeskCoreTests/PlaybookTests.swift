import Foundation
@testable import HelpdeskCore
import HelpdeskTestSupport
import OktaClient
import Synchronization
import Testing

/// Playbooks against the simulated tenant: the preview is the plan, one approval covers it,
/// every step runs once however the runner dies, a failure stops it, a scheduled plan runs once
/// when due, and an undo puts back what it removed.
@Suite struct PlaybookTests {
    let alex = DemoTeamFixture.alex, morgan = DemoTeamFixture.morgan

    static let offboarding = Playbook(name: "offboarding", title: "Offboarding", approval: .required, steps: [
        PlaybookStep(.action(.revokeSessions(oauthTokens: true))),
        PlaybookStep(.action(.suspend)),
        PlaybookStep(.removeEveryGroup),
        PlaybookStep(.removeEveryDirectApp),
    ])
    static let bundle = Playbook(name: "sales-starter", title: "Sales starter", expiry: AccessDuration(1, .weeks), steps: [
        PlaybookStep(.addToGroup(name: "Engineering")),
        PlaybookStep(.assignApp(label: "Zoom")),
    ])
    static let containment = Playbook(name: "contain", title: "Contain", steps: [
        PlaybookStep(.action(.revokeSessions(oauthTokens: false))),
        PlaybookStep(.removeFromGroup(name: "VPN Users")),
        PlaybookStep(.action(.suspend)),
    ])

    func playbooks(_ fixture: EngineFixture, engine: ActionEngine? = nil, alive: @escaping @Sendable (String) -> Bool? = { _ in nil }) -> PlaybookEngine {
        PlaybookEngine(reconciler: Reconciler(engine: engine ?? fixture.engine, runnerIsAlive: alive), playbooks: [Self.offboarding, Self.bundle, Self.containment])
    }

    func ask(_ name: String, _ request: Request, runAt: Date? = nil) -> PlanAsk {
        PlanAsk(requestID: request.id, source: .playbook(name), reason: "leaver on Friday", runAt: runAt)
    }


    @Test func offboardingRemovesExactlyWhatThePreviewShowedAndNothingElse() async throws {
        let fixture = try EngineFixture()
        let jane = try await fixture.userID("jane.doe")
        await fixture.tenant.assignThroughGroup(userID: jane, appID: "0oa92298812107bb17ef")
        let request = try fixture.request()
        let engine = playbooks(fixture)
        let preview = try await engine.preview(ask("offboarding", request), by: alex)
        #expect(preview.steps.map(\.action.summary) == [
            "Revoke all sessions and OAuth tokens", "Suspend the account",
            "Remove from group Sales", "Remove from group Salesforce Users", "Remove from group VPN Users",
            "Remove app Google Workspace", "Remove app Salesforce", "Remove app Slack", "Remove app Workday",
        ])
        #expect(preview.notes.contains { $0.hasPrefix("Everyone stays") }, "\(preview.notes)")
        #expect(preview.needsApproval && preview.approvers.contains("morgan"))
        #expect(fixture.directory.actionCalls.isEmpty, "a preview changes nothing")

        let plan = try await engine.start(ask("offboarding", request), expecting: preview.steps, by: alex)
        #expect(plan.state == .awaitingApproval)
        #expect(try fixture.store.existingRequest(request.id).status == .awaitingApproval)
        let approval = try fixture.approval(of: plan)
        let done = try await engine.approve(approval.id, by: morgan, expecting: plan.terms, comment: nil)
        #expect(done.state == .finished, "\(done.note ?? "")")
        #expect(fixture.directory.actionCalls.count == preview.steps.count)
        let groups = try await fixture.tenant.groups(ofUser: jane).map(\.name)
        #expect(groups == ["Everyone"], "built-in and app groups stay")
        #expect(try await fixture.tenant.assignmentScope(userID: jane, appID: "0oa92298812107bb17ef") == "GROUP", "an app from a group stays")
        #expect(try await fixture.tenant.user(.id(jane)).status == .suspended)
        let kinds = try fixture.kinds(request.id)
        #expect(kinds.filter { $0 == .planAsked }.count == 1 && kinds.filter { $0 == .planEnded }.count == 1)
        #expect(kinds.filter { $0 == .actionSucceeded }.count == preview.steps.count, "one entry per step with Okta's answer")
        #expect(kinds.filter { $0 == .approvalGranted }.count == 1, "one approval for the plan")
        #expect(try fixture.store.existingRequest(request.id).status == .open)
    }

    @Test func aPlanIsAskedOnlyAsPreviewedAndApprovedOnlyAsSeen() async throws {
        let fixture = try EngineFixture()
        let request = try fixture.request()
        let engine = playbooks(fixture)
        let preview = try await engine.preview(ask("offboarding", request), by: alex)
        let jane = try await fixture.userID("jane.doe")
        _ = try await fixture.tenant.removeFromGroup(userID: jane, groupID: try await fixture.group("Sales").id)
        await #expect { try await engine.start(ask("offboarding", request), expecting: preview.steps, by: alex) } throws: { "\($0)".contains("changed since the preview") }

        let plan = try await engine.start(ask("offboarding", request), expecting: nil, by: alex)
        let approval = try fixture.approval(of: plan)
        let other = PlanTerms(planID: plan.id, playbook: plan.playbook, title: plan.title, steps: Array(plan.steps.dropLast()), targetUserID: plan.targetUserID, runAt: nil)
        await #expect { try await engine.approve(approval.id, by: morgan, expecting: other, comment: nil) } throws: { "\($0)".contains("no longer asks for what you saw") }
        await #expect { try await engine.approve(approval.id, by: alex, expecting: plan.terms, comment: nil) } throws: { "\($0)".contains("cannot also approve") }
        #expect(fixture.directory.actionCalls.isEmpty, "nothing ran without a valid approval")
        await #expect { try await fixture.engine.approve(approval.id, by: morgan) } throws: { "\($0)".contains("is for a plan") }
    }

    @Test func aStepFailingWithForbiddenStopsThePlanThere() async throws {
        let fixture = try EngineFixture()
        let request = try fixture.request()
        let engine = playbooks(fixture)
        await fixture.tenant.failNext(.removeFromGroup, with: DirectoryError(kind: .forbidden, httpStatus: 403, errorCode: "E0000006", summary: "You do not have permission to perform the requested action"))
        let plan = try await engine.start(ask("contain", request), expecting: nil, by: alex)
        #expect(plan.state == .stopped)
        #expect(plan.note?.contains("step 2 (Remove from group VPN Users) failed") == true, "\(plan.note ?? "")")
        #expect(fixture.directory.actionCalls.map { $0.split(separator: " ").first.map(String.init) ?? "" } == ["revoke-sessions", "remove-from-group"], "\(fixture.directory.actionCalls)")
        #expect(try await fixture.tenant.user(.id(plan.targetUserID)).status == .active, "the step after the failure did not run")
        let ended = try fixture.store.read { try $0.timeline(of: request.id) }.compactMap { event -> EventPayload.PlanEnded? in
            if case .planEnded(let ended) = event.payload { return ended }
            return nil
        }
        #expect(ended.map(\.stepsDone) == [1] && ended.map(\.state) == [.stopped])
    }

    /// The runner dies at each step in turn, before its call leaves or after Okta applied it; the
    /// next runner (another process, once the claim ran out) finishes the plan, every step once.
    @Test(arguments: [false, true]) func aRunnerKilledAtAnyStepLeavesThePlanToTheNextWithEveryCallOnce(afterApplying: Bool) async throws {
        for dying in 0..<3 {
            let fixture = try EngineFixture()
            let request = try fixture.request()
            let dies = DyingDirectory(fixture.tenant, atCall: dying, afterApplying: afterApplying)
            let first = ActionEngine(store: fixture.store, directory: dies, clock: fixture.clock, policy: .default, team: DemoTeamFixture.team, runner: "host:1")
            let firstRunner = playbooks(fixture, engine: first)
            let started = Task { try await firstRunner.start(ask("contain", request), expecting: nil, by: alex) }
            #expect(await eventually { dies.died })
            _ = started
            let progress = try fixture.store.read { try $0.activePlans(of: [request.id]) }
            #expect(progress.map(\.label) == ["plan \(dying)/3"], "the row shows how far it got")

            fixture.clock.advance(by: 600)
            let second = ActionEngine(store: fixture.store, directory: fixture.directory, clock: fixture.clock, policy: .default, team: DemoTeamFixture.team, runner: "host:2")
            let next = playbooks(fixture, engine: second, alive: { $0 == "host:2" })
            let ran = try await next.runner.runDue(by: "helpdesk").plans
            #expect(ran.map(\.state) == [.finished], "dying at call \(dying): \(ran.map { $0.note ?? "" })")
            for action in [ActionName.revokeSessions, .removeFromGroup, .suspend] {
                let count = await fixture.tenant.actionCount(action)
                // Okta cannot show whether sessions were ended, so that one step is sent again (it repeats safely).
                let expected = action == .revokeSessions && dying == 0 && afterApplying ? 2 : 1
                #expect(count == expected, "dying at call \(dying) \(afterApplying ? "after" : "before") applying: \(action) ran \(count) times")
            }
        }
    }

    @Test func aScheduledPlanRunsOnceWhenDueEvenWithTwoServices() async throws {
        let fixture = try EngineFixture()
        let request = try fixture.request()
        let at = fixture.clock.now().addingTimeInterval(3 * 86_400)
        let engine = playbooks(fixture)
        let plan = try await engine.start(ask("offboarding", request, runAt: at), expecting: nil, by: alex)
        let approved = try await engine.approve(try fixture.approval(of: plan).id, by: morgan, expecting: plan.terms, comment: nil)
        #expect(approved.state == .scheduled && approved.runAt == at)
        #expect(try await engine.runner.runDue(by: "helpdesk").plans.isEmpty)
        #expect(fixture.directory.actionCalls.isEmpty)
        #expect(try fixture.store.read { try $0.activePlans(of: [request.id, RequestID(999)]) }.map(\.label) == ["scheduled"])

        fixture.clock.advance(by: 3 * 86_400)
        let other = try fixture.secondEngine()
        let one = ActionEngine(store: fixture.store, directory: fixture.directory, clock: fixture.clock, policy: .default, team: DemoTeamFixture.team, runner: "a:1")
        let two = ActionEngine(store: other.store, directory: fixture.directory, clock: fixture.clock, policy: .default, team: DemoTeamFixture.team, runner: "b:2")
        async let first = playbooks(fixture, engine: one).runner.runDue(by: "helpdesk").plans
        async let second = playbooks(fixture, engine: two).runner.runDue(by: "helpdesk").plans
        _ = try await (first, second)
        let final = try fixture.store.read { try $0.plan(plan.id) }
        #expect(final?.state == .finished)
        #expect(try fixture.store.read { try $0.activePlans(of: [request.id]) }.isEmpty, "an ended plan leaves the row")
        #expect(fixture.directory.actionCalls.count == plan.steps.count, "\(fixture.directory.actionCalls)")
        let applied = await fixture.tenant.actionCount()
        #expect(applied == plan.steps.count)
    }

    @Test func aPlanCancelledBeforeItsTimeNeverRuns() async throws {
        let fixture = try EngineFixture()
        let request = try fixture.request()
        let engine = playbooks(fixture)
        let plan = try await engine.start(ask("contain", request, runAt: fixture.clock.now().addingTimeInterval(3600)), expecting: nil, by: alex)
        #expect(plan.state == .scheduled)
        let cancelled = try await engine.cancel(plan.id, by: alex, reason: "staying after all")
        #expect(cancelled.state == .cancelled)
        fixture.clock.advance(by: 7200)
        #expect(try await engine.runner.runDue(by: "helpdesk").plans.isEmpty)
        #expect(fixture.directory.actionCalls.isEmpty)
        await #expect(throws: Refusal.self) { try await engine.cancel(plan.id, by: alex, reason: "again") }
    }

    @Test func undoPutsBackWhatTheOffboardingRemoved() async throws {
        let fixture = try EngineFixture()
        let jane = try await fixture.userID("jane.doe")
        let request = try fixture.request()
        let engine = playbooks(fixture)
        let groupsBefore = try await fixture.tenant.groups(ofUser: jane).map(\.name)
        let appsBefore = try await fixture.tenant.apps(ofUser: jane).map(\.label)
        let plan = try await engine.start(ask("offboarding", request), expecting: nil, by: alex)
        _ = try await engine.approve(try fixture.approval(of: plan).id, by: morgan, expecting: plan.terms, comment: nil)

        let undoAsk = PlanAsk(requestID: request.id, source: .undo(plan.id), reason: "wrong person")
        let preview = try await engine.preview(undoAsk, by: alex)
        #expect(preview.steps.map(\.action.summary) == [
            "Assign app Workday (permanent)", "Assign app Slack (permanent)", "Assign app Salesforce (permanent)", "Assign app Google Workspace (permanent)",
            "Add to group VPN Users (permanent)", "Add to group Salesforce Users (permanent)", "Add to group Sales (permanent)", "Unsuspend the account",
        ], "the inverse of every step that took effect, last first")
        #expect(preview.notes == ["Revoke all sessions and OAuth tokens: cannot be undone"])
        let undo = try await engine.start(undoAsk, expecting: preview.steps, by: alex)
        #expect(undo.state == .awaitingApproval, "re-adding access needs approval")
        let done = try await engine.approve(try fixture.approval(of: undo).id, by: morgan, expecting: undo.terms, comment: nil)
        #expect(done.state == .finished, "\(done.note ?? "")")
        #expect(try await fixture.tenant.groups(ofUser: jane).map(\.name).sorted() == groupsBefore.sorted())
        #expect(try await fixture.tenant.apps(ofUser: jane).map(\.label).sorted() == appsBefore.sorted())
        #expect(try await fixture.tenant.user(.id(jane)).status == .active)
        await #expect { try await engine.start(undoAsk, expecting: nil, by: alex) } throws: { "\($0)".contains("already undone") }
    }

    @Test func aTemporaryBundleIsRevokedOnceWhenItEnds() async throws {
        let fixture = try EngineFixture()
        let jane = try await fixture.userID("jane.doe")
        let request = try fixture.request()
        let engine = playbooks(fixture)
        let plan = try await engine.start(ask("sales-starter", request), expecting: nil, by: alex)
        let done = try await engine.approve(try fixture.approval(of: plan).id, by: morgan, expecting: plan.terms, comment: nil)
        #expect(done.state == .finished)
        #expect(try fixture.store.read { try $0.grants(of: request.id) }.count == 2)
        fixture.clock.advance(by: 8 * 86_400)
        let swept = try await AccessSweeper(engine: fixture.engine).sweep()
        #expect(swept.revoked.count == 2)
        #expect(try await AccessSweeper(engine: fixture.engine).sweep().revoked.isEmpty)
        #expect(try await !fixture.tenant.groups(ofUser: jane).contains { $0.name == "Engineering" })
        #expect(try await fixture.tenant.assignmentScope(userID: jane, appID: "0oa92298812107bb17ef") == nil)
        let removals = (await fixture.tenant.actionCount(.removeFromGroup), await fixture.tenant.actionCount(.removeApp))
        #expect(removals == (1, 1))
    }
}

/// The tenant, until its `atCall`-th change: then the process "dies" there — before the call
/// leaves, or after Okta applied it — and never answers.
final class DyingDirectory: ForwardingDirectory, @unchecked Sendable {
    private let state = Mutex((calls: 0, died: false))
    let atCall: Int
    let afterApplying: Bool
    let tenant: SimulatedTenant

    init(_ tenant: SimulatedTenant, atCall: Int, afterApplying: Bool) {
        self.tenant = tenant
        self.atCall = atCall
        self.afterApplying = afterApplying
        super.init(tenant)
    }

    var died: Bool { state.withLock { $0.died } }

    private func change(_ body: () async throws -> DirectoryReceipt) async throws -> DirectoryReceipt {
        let call = state.withLock { state -> Int in
            defer { state.calls += 1 }
            return state.calls
        }
        guard call == atCall else { return try await body() }
        if afterApplying { _ = try await body() }
        state.withLock { $0.died = true }
        try await Task.sleep(nanoseconds: 3_600 * 1_000_000_000)
        throw CancellationError()
    }

    override func revokeSessions(userID: String, oauthTokens: Bool) async throws -> DirectoryReceipt {
        try await change { try await inner.revokeSessions(userID: userID, oauthTokens: oauthTokens) }
    }
    override func removeFromGroup(userID: String, groupID: String) async throws -> DirectoryReceipt {
        try await change { try await inner.removeFromGroup(userID: userID, groupID: groupID) }
    }
    override func suspend(userID: String) async throws -> DirectoryReceipt {
        try await change { try await inner.suspend(userID: userID) }
    }
    override func createUser(_ profile: NewUserProfile) async throws -> DirectoryReceipt {
        try await change { try await inner.createUser(profile) }
    }
    override func activate(userID: String, sendEmail: Bool) async throws -> DirectoryReceipt {
        try await change { try await inner.activate(userID: userID, sendEmail: sendEmail) }
    }
}

/// The service's own rounds run a plan when its time comes, and say so in its log.
@Suite struct PlanRoundTests {
    @Test func theServiceRunsAScheduledPlanWhenItIsDue() async throws {
        let fixture = try EngineFixture()
        let request = try fixture.request()
        let backend = HelpdeskBackend(engine: fixture.engine, playbooks: [PlaybookTests.containment]) { login in
            guard let member = DemoTeamFixture.team.member(login) else { throw Refusal("\(login) is not an operator") }
            return member
        }
        let service = try backend.service(for: "alex")
        let friday = fixture.clock.now().addingTimeInterval(2 * 86_400)
        let plan = try await service.startPlan(PlanAsk(requestID: request.id, source: .playbook("contain"), reason: "leaver on Friday", runAt: friday), expecting: nil)
        #expect(plan.state == .scheduled)
        let log = LogLines()
        let work = BackgroundWork(backend: backend, actor: "helpdesk") { log.add($0) }
        await work.once()
        #expect(try fixture.store.read { try $0.plan(plan.id) }?.state == .scheduled, "not before its time")
        fixture.clock.advance(by: 2 * 86_400)
        await work.once()
        #expect(try fixture.store.read { try $0.plan(plan.id) }?.state == .finished)
        #expect(log.lines.contains("\(plan.id) on \(request.id): finished"), "\(log.lines)")
        await work.once()
        #expect(fixture.directory.actionCalls.count == 3, "each step once: \(fixture.directory.actionCalls)")
    }
}

/// The service's rounds under a slow or stopping service: a plan under way stops between its
/// steps when the service stops, and a round begins no plan after its 30 s.
@Suite struct PlanRoundUnderFaultsTests {
    let fixture: EngineFixture

    init() throws { fixture = try EngineFixture() }

    func backend(_ directory: any IdentityDirectory) -> HelpdeskBackend {
        let engine = ActionEngine(store: fixture.store, directory: directory, clock: fixture.clock, policy: .default, team: DemoTeamFixture.team)
        return HelpdeskBackend(engine: engine, playbooks: [PlaybookTests.containment]) { login in
            guard let member = DemoTeamFixture.team.member(login) else { throw Refusal("\(login) is not an operator") }
            return member
        }
    }

    /// Containment plans for these requesters, due now.
    func duePlans(_ requesters: [String], on backend: HelpdeskBackend) async throws -> [Plan] {
        let service = try backend.service(for: "alex")
        let tomorrow = fixture.clock.now().addingTimeInterval(86_400)
        var plans: [Plan] = []
        for requester in requesters {
            let request = try fixture.request(requester, "Compromised")
            plans.append(try await service.startPlan(PlanAsk(requestID: request.id, source: .playbook("contain"), reason: "phished", runAt: tomorrow), expecting: nil))
        }
        fixture.clock.advance(by: 86_400)
        return plans
    }

    @Test func aStopDuringAStepLetsItFinishAndBeginsNoOtherStep() async throws {
        let gate = AsyncGate()
        let backend = backend(GatedSessionEnds(fixture.directory, gate: gate))
        let plan = try #require(try await duePlans(["jane.doe@example.com"], on: backend).first)
        let running = Task { await BackgroundWork(backend: backend, actor: "helpdesk", interval: 0.01) { _ in }.run() }
        #expect(await eventually { gate.waiting == 1 })
        running.cancel()
        gate.open()
        await running.value
        #expect(fixture.directory.actionCalls.count == 1, "the step under way, and no other: \(fixture.directory.actionCalls)")
        #expect(try fixture.store.read { try $0.plan(plan.id) }?.state == .running)
        await BackgroundWork(backend: backend, actor: "helpdesk") { _ in }.once()
        #expect(try fixture.store.read { try $0.plan(plan.id) }?.state == .finished, "the next round goes on with it")
        #expect(fixture.directory.actionCalls.count == 3, "each step once: \(fixture.directory.actionCalls)")
    }

    /// A stop that comes while a plan is first compared with Okta: the plan is not claimed, and
    /// the round says it waits, not that it was advanced.
    @Test func aStopDuringAPlansFirstLookLeavesItWaiting() async throws {
        let stop = AtomicFlag()
        let backend = backend(StopOnLookUp(fixture.directory, stop: stop))
        let plan = try #require(try await duePlans(["jane.doe@example.com"], on: backend).first)
        let round = try await backend.playbooks.runner.runDue(by: "helpdesk", stopping: { stop.isRaised })
        #expect(stop.isRaised && round.plans.isEmpty && round.leftForLater == 1, "\(round.plans.map(\.id)) \(round.leftForLater)")
        #expect(try fixture.store.read { try $0.plan(plan.id) }?.state == .scheduled)
        #expect(fixture.directory.actionCalls.isEmpty)
    }

    @Test func aSlowOktaHoldsTheRoundForOnePlanNotForEveryDuePlan() async throws {
        let backend = backend(SlowSessionEnds(fixture.directory, clock: fixture.clock))
        let plans = try await duePlans(["jane.doe@example.com", "sam.lee@example.com"], on: backend)
        let log = LogLines()
        await BackgroundWork(backend: backend, actor: "helpdesk") { log.add($0) }.once()
        #expect(try fixture.store.read { reader in try plans.map { try reader.plan($0.id)?.state } } == [.finished, .scheduled])
        #expect(log.lines.contains("1 due plan waits for the next round"), "\(log.lines)")
        await BackgroundWork(backend: backend, actor: "helpdesk") { _ in }.once()
        #expect(try fixture.store.read { try $0.plan(plans[1].id) }?.state == .finished)
    }
}

/// Looking a user up raises the flag: a stop that comes during a plan's first look at Okta.
final class StopOnLookUp: ForwardingDirectory, @unchecked Sendable {
    // The flag is Sendable; the wrapped directory is immutable.
    let stop: AtomicFlag

    init(_ inner: any IdentityDirectory, stop: AtomicFlag) {
        self.stop = stop
        super.init(inner)
    }

    override func user(_ lookup: UserLookup) async throws -> DirectoryUser {
        stop.raise()
        return try await inner.user(lookup)
    }
}

/// Ending a user's sessions waits at the gate.
final class GatedSessionEnds: ForwardingDirectory, @unchecked Sendable {
    // The gate is Sendable and the wrapped directory is immutable; nothing else is stored.
    let gate: AsyncGate

    init(_ inner: any IdentityDirectory, gate: AsyncGate) {
        self.gate = gate
        super.init(inner)
    }

    override func revokeSessions(userID: String, oauthTokens: Bool) async throws -> DirectoryReceipt {
        await gate.wait()
        return try await inner.revokeSessions(userID: userID, oauthTokens: oauthTokens)
    }
}

/// Okta takes 40 s of the clock to end a user's sessions.
final class SlowSessionEnds: ForwardingDirectory, @unchecked Sendable {
    // The clock is Sendable and the wrapped directory is immutable; nothing else is stored.
    let clock: ManualClock

    init(_ inner: any IdentityDirectory, clock: ManualClock) {
        self.clock = clock
        super.init(inner)
    }

    override func revokeSessions(userID: String, oauthTokens: Bool) async throws -> DirectoryReceipt {
        clock.advance(by: 40)
        return try await inner.revokeSessions(userID: userID, oauthTokens: oauthTokens)
    }
}

/// Lines a background round reports.
final class LogLines: Sendable {
    private let store = Mutex<[String]>([])
    func add(_ line: String) { store.withLock { $0.append(line) } }
    var lines: [String] { store.withLock { $0 } }
}
