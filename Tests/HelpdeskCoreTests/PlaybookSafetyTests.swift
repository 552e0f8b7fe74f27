import Foundation
@testable import HelpdeskCore
import HelpdeskTestSupport
import OktaClient
import Synchronization
import Testing

/// What an attack review of playbooks found, held: approvers for every step, undo that gives back
/// only what a plan took, temporary access that stays temporary, cancels by the right people, large
/// plans, a plan that cannot go on, one start per plan.
@Suite struct PlaybookSafetyTests {
    let alex = DemoTeamFixture.alex, morgan = DemoTeamFixture.morgan, jordan = DemoTeamFixture.jordan

    static let mix = Playbook(name: "mix", title: "Mix", steps: [
        PlaybookStep(.addToGroup(name: "Engineering")),
        PlaybookStep(.action(.resetMFA)),
    ])
    static let contain = Playbook(name: "contain", title: "Contain", steps: [
        PlaybookStep(.action(.revokeSessions(oauthTokens: false))),
        PlaybookStep(.removeFromGroup(name: "VPN Users")),
        PlaybookStep(.action(.suspend)),
    ])
    static let offboarding = Playbook(name: "offboarding", title: "Offboarding", approval: .required, steps: [
        PlaybookStep(.action(.suspend)),
        PlaybookStep(.removeEveryGroup),
    ])
    static let bundle = Playbook(name: "bundle", title: "Bundle", expiry: AccessDuration(1, .weeks), steps: [
        PlaybookStep(.addToGroup(name: "Engineering")),
    ])
    static let adminOnly = Playbook(name: "lockdown", title: "Lockdown", roles: [.admin], steps: [
        PlaybookStep(.removeFromGroup(name: "VPN Users")),
        PlaybookStep(.action(.suspend)),
    ])

    func engine(_ fixture: EngineFixture, _ playbooks: [Playbook], engine: ActionEngine? = nil) -> PlaybookEngine {
        PlaybookEngine(reconciler: Reconciler(engine: engine ?? fixture.engine), playbooks: playbooks)
    }


    /// Policy names jordan as an extra approver for add-to-group only. As a single action, reset-mfa
    /// is not his to approve; inside a plan next to an add-to-group step, it is.
    @Test func anApproverNamedForOneStepApprovesEveryStep() async throws {
        let policy = ApprovalPolicy(overrides: [.addToGroup: .init(approvalRequired: true, approvers: ["jordan"])])
        let fixture = try EngineFixture(policy: policy)
        let request = try fixture.request()
        let single = try await fixture.engine.whoMayApprove(.resetMFA, on: request.id, asker: alex)
        #expect(!single.contains("jordan"), "precondition: jordan may not approve reset-mfa alone: \(single)")

        let playbooks = engine(fixture, [Self.mix])
        let plan = try await playbooks.start(PlanAsk(requestID: request.id, source: .playbook("mix"), reason: "new role"), expecting: nil, by: alex)
        let approval = try fixture.approval(of: plan)
        let done = try? await playbooks.approve(approval.id, by: jordan, expecting: plan.terms, comment: nil)
        #expect(done == nil, "jordan approved a plan containing reset-mfa, which the policy does not let him approve (state \(done?.state.rawValue ?? "-"), calls \(fixture.directory.actionCalls))")
    }

    /// The plan was resolved while jane was in VPN Users; before it ran, someone removed her by hand.
    /// The step "succeeds" (Okta: already removed), and the undo then gives VPN back.
    @Test func undoGivesBackAGroupThePlanNeverRemoved() async throws {
        let fixture = try EngineFixture()
        let jane = try await fixture.userID("jane.doe")
        let vpn = try await fixture.group("VPN Users")
        let request = try fixture.request()
        let playbooks = engine(fixture, [Self.contain])
        let plan = try await playbooks.start(PlanAsk(requestID: request.id, source: .playbook("contain"), reason: "compromised",
                                                    runAt: fixture.clock.now().addingTimeInterval(3600)), expecting: nil, by: alex)
        #expect(plan.state == .scheduled && plan.steps.contains { $0.action == .removeFromGroup(vpn) })
        _ = try await fixture.tenant.removeFromGroup(userID: jane, groupID: vpn.id)   // done by hand meanwhile
        fixture.clock.advance(by: 3700)
        let ran = try await playbooks.runner.runDue(by: "helpdesk").plans
        #expect(ran.map(\.state) == [.finished])

        let undoAsk = PlanAsk(requestID: request.id, source: .undo(plan.id), reason: "wrong person")
        let preview = try await playbooks.preview(undoAsk, by: alex)
        #expect(!preview.steps.contains { $0.action == .addToGroup(vpn, expiry: nil) },
                "undo re-adds VPN Users, which jane did not have when the plan ran: \(preview.steps.map(\.action.summary))")
    }

    /// A bundle whose grant was "already held" at run time (a permanent membership given meanwhile)
    /// records the step as succeeded; undoing the bundle then removes the permanent membership, at
    /// once and without an approval.
    @Test func undoOfABundleRemovesAccessItNeverGave() async throws {
        let fixture = try EngineFixture()
        let jane = try await fixture.userID("jane.doe")
        let engineering = try await fixture.group("Engineering")
        let request = try fixture.request()
        let playbooks = engine(fixture, [Self.bundle])
        let plan = try await playbooks.start(PlanAsk(requestID: request.id, source: .playbook("bundle"), reason: "project",
                                                    runAt: fixture.clock.now().addingTimeInterval(3600)), expecting: nil, by: alex)
        _ = try await playbooks.approve(try fixture.approval(of: plan).id, by: morgan, expecting: plan.terms, comment: nil)
        _ = try await fixture.tenant.addToGroup(userID: jane, groupID: engineering.id)   // permanent, from elsewhere
        fixture.clock.advance(by: 3700)
        #expect(try await playbooks.runner.runDue(by: "helpdesk").plans.map(\.state) == [.finished])
        #expect(try fixture.store.read { try $0.grants(of: request.id) }.isEmpty, "held: nothing granted")

        await #expect { try await playbooks.start(PlanAsk(requestID: request.id, source: .undo(plan.id), reason: "project over"), expecting: nil, by: alex) } throws: {
            "\($0)".contains("has nothing to do")
        }
        let member = try await fixture.tenant.groups(ofUser: jane).contains { $0.id == engineering.id }
        #expect(member, "the undo left Engineering, which the bundle never gave")
    }

    /// Undoing an offboarding re-adds a group that was temporary (a grant of a week) for good, and the
    /// sweeper then keeps it: temporary access became permanent.
    @Test func undoMakesTemporaryAccessPermanent() async throws {
        let fixture = try EngineFixture()
        let jane = try await fixture.userID("jane.doe")
        let engineering = try await fixture.group("Engineering")
        let request = try fixture.request()
        let asked = try fixture.awaiting(try await fixture.engine.ask(.addToGroup(engineering, expiry: AccessDuration(1, .weeks)), on: request.id, reason: "a week", by: alex))
        _ = try await fixture.engine.approve(asked.id, by: morgan)
        #expect(try fixture.store.read { try $0.grants(of: request.id) }.count == 1)

        let playbooks = engine(fixture, [Self.offboarding])
        let plan = try await playbooks.start(PlanAsk(requestID: request.id, source: .playbook("offboarding"), reason: "leaver"), expecting: nil, by: alex)
        _ = try await playbooks.approve(try fixture.approval(of: plan).id, by: morgan, expecting: plan.terms, comment: nil)
        let undo = try await playbooks.start(PlanAsk(requestID: request.id, source: .undo(plan.id), reason: "not a leaver"), expecting: nil, by: alex)
        _ = try await playbooks.approve(try fixture.approval(of: undo).id, by: morgan, expecting: undo.terms, comment: nil)
        #expect(try await fixture.tenant.groups(ofUser: jane).contains { $0.id == engineering.id })

        fixture.clock.advance(by: 8 * 86_400)
        _ = try await AccessSweeper(engine: fixture.engine).sweep()
        let still = try await fixture.tenant.groups(ofUser: jane).contains { $0.id == engineering.id }
        let grants = try fixture.store.read { try $0.grants(of: request.id) }.map(\.state)
        #expect(!still, "the week's Engineering access outlived its end because the undo re-added it for good; grants: \(grants)")
    }

    /// Jordan (an agent) is the person a scheduled, approved offboarding is for; he cancels it himself.
    @Test func theRequesterCancelsTheirOwnApprovedOffboarding() async throws {
        let fixture = try EngineFixture()
        let request = try fixture.request("jordan.reyes@example.com", "Leaver on Friday")
        let playbooks = engine(fixture, [Self.offboarding])
        let plan = try await playbooks.start(PlanAsk(requestID: request.id, source: .playbook("offboarding"), reason: "leaver",
                                                    runAt: fixture.clock.now().addingTimeInterval(86_400)), expecting: nil, by: alex)
        _ = try await playbooks.approve(try fixture.approval(of: plan).id, by: morgan, expecting: plan.terms, comment: nil)
        let cancelled = try? await playbooks.cancel(plan.id, by: jordan, reason: "changed my mind")
        #expect(cancelled == nil, "the person the plan is for cancelled their own approved offboarding (\(cancelled?.state.rawValue ?? "-"))")
    }

    /// An admin-only playbook; an agent who may not start it may still undo it.
    @Test func undoIgnoresThePlaybooksRoles() async throws {
        let chris = Operator(login: "chris", email: Fixtures.email("chris.ng@example.com"), roles: [.admin])
        let fixture = try EngineFixture(team: Team(DemoTeamFixture.team.operators.values.sorted { $0.login < $1.login } + [chris]))
        let request = try fixture.request()
        let playbooks = engine(fixture, [Self.adminOnly])
        await #expect(throws: Refusal.self) { try await playbooks.preview(PlanAsk(requestID: request.id, source: .playbook("lockdown"), reason: "x"), by: alex) }
        let plan = try await playbooks.start(PlanAsk(requestID: request.id, source: .playbook("lockdown"), reason: "incident"), expecting: nil, by: chris)
        #expect(plan.state == .finished)
        let undo = try? await playbooks.start(PlanAsk(requestID: request.id, source: .undo(plan.id), reason: "x"), expecting: nil, by: alex)
        #expect(undo == nil, "alex may not start lockdown but asked for its undo (\(undo?.state.rawValue ?? "-"))")
    }

    /// One plan whose step cannot be prepared (its user is gone from Okta) throws out of runDue every
    /// time its claim runs out: it never ends, and plans behind it in that round are not run.
    @Test func aPlanThatThrowsStaysRunningAndHoldsUpTheRound() async throws {
        let fixture = try EngineFixture()
        let jane = try await fixture.userID("jane.doe")
        let gone = GoneUser(fixture.directory, userID: jane)
        let runnerEngine = ActionEngine(store: fixture.store, directory: gone, clock: fixture.clock, policy: .default, team: DemoTeamFixture.team, runner: "h:1")
        let playbooks = engine(fixture, [Self.bundle, Self.contain])
        let first = try fixture.request()
        let second = try fixture.request("sam.lee@example.com", "Compromised")
        let at = fixture.clock.now().addingTimeInterval(3600)
        let plan1 = try await playbooks.start(PlanAsk(requestID: first.id, source: .playbook("bundle"), reason: "p", runAt: at), expecting: nil, by: alex)
        _ = try await playbooks.approve(try fixture.approval(of: plan1).id, by: morgan, expecting: plan1.terms, comment: nil)
        let plan2 = try await playbooks.start(PlanAsk(requestID: second.id, source: .playbook("contain"), reason: "p", runAt: at), expecting: nil, by: alex)
        #expect(plan2.state == .scheduled)
        gone.gone = true
        fixture.clock.advance(by: 3700)
        let runner = engine(fixture, [Self.bundle, Self.contain], engine: runnerEngine).runner
        var errors = 0
        var firstRound2Ran: Int?
        for round in 0..<12 {
            do { errors += try await runner.runDue(by: "helpdesk").failures.count } catch { errors += 1 }
            if firstRound2Ran == nil, try fixture.store.read({ try $0.plan(plan2.id) })?.state != .scheduled { firstRound2Ran = round }
            fixture.clock.advance(by: 30)
        }
        let p1 = try fixture.store.read { try $0.plan(plan1.id) }
        #expect(p1?.state == .stopped && p1?.note?.contains("Okta refused what the plan needed next") == true, "\(p1?.note ?? "")")
        #expect(firstRound2Ran == 0 && errors == 0, "the other plan ran in the same round")
    }
}

/// A directory in which one user has been deleted: reads of their groups answer 404.
final class GoneUser: ForwardingDirectory, @unchecked Sendable {
    private let flag = Mutex(false)
    let userID: String
    init(_ inner: any IdentityDirectory, userID: String) {
        self.userID = userID
        super.init(inner)
    }
    var gone: Bool {
        get { flag.withLock { $0 } }
        set { flag.withLock { $0 = newValue } }
    }
    override func groups(ofUser userID: String) async throws -> [DirectoryGroup] {
        if gone, userID == self.userID { throw DirectoryError(kind: .notFound, httpStatus: 404, errorCode: "E0000007", summary: "Not found: Resource not found: \(userID) (User)") }
        return try await inner.groups(ofUser: userID)
    }
}

@Suite struct LargePlanTests {
    /// A leaver in 150 groups: the plan's approval JSON goes into a unique btree index on PostgreSQL.
    @Test func aLargeOffboardingCanBeAsked() async throws {
        let fixture = try EngineFixture()
        var ids: Set<String> = []
        for n in 0..<150 {
            let id = "00g" + String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(17))
            await fixture.tenant.add(group: DirectoryGroup(id: id, name: "Team \(n) \(UUID().uuidString.prefix(8)) Distribution", type: .okta))
            ids.insert(id)
        }
        let mei = DirectoryUser(id: "00umei", login: "mchen@example.com", email: "m.chen@example.com", firstName: "Mei", lastName: "Chen", status: .active)
        await fixture.tenant.add(mei, groups: ids)
        let request = try fixture.request("m.chen@example.com", "Leaver")
        let playbooks = PlaybookEngine(reconciler: Reconciler(engine: fixture.engine), playbooks: [PlaybookSafetyTests.offboarding])
        let plan = try await playbooks.start(PlanAsk(requestID: request.id, source: .playbook("offboarding"), reason: "leaver"), expecting: nil, by: DemoTeamFixture.alex)
        #expect(plan.state == .awaitingApproval && plan.steps.count == 151)
        #expect(ApprovalSubject.plan(plan.terms).canonicalJSON.utf8.count > 5_000, "larger than a PostgreSQL btree key may be")
    }
}

/// Reads of a user's groups take a while, as Okta's do.
final class SlowGroups: ForwardingDirectory, @unchecked Sendable {
    override func groups(ofUser userID: String) async throws -> [DirectoryGroup] {
        try await Task.sleep(nanoseconds: 200_000_000)
        return try await inner.groups(ofUser: userID)
    }
}

@Suite struct SameProcessPlanTests {
    /// The approver's advance and the background round's advance in one service share a runner name,
    /// so both "claim" the plan.
    @Test func twoAdvancesInOneServiceBothClaim() async throws {
        let fixture = try EngineFixture()
        let slow = SlowGroups(fixture.directory)
        let engine = ActionEngine(store: fixture.store, directory: slow, clock: fixture.clock, policy: .default, team: DemoTeamFixture.team, runner: "host:1")
        let playbooks = PlaybookEngine(reconciler: Reconciler(engine: engine), playbooks: [PlaybookSafetyTests.contain])
        let request = try fixture.request()
        let plan = try await playbooks.start(PlanAsk(requestID: request.id, source: .playbook("contain"), reason: "x",
                                                    runAt: fixture.clock.now().addingTimeInterval(60)), expecting: nil, by: DemoTeamFixture.alex)
        fixture.clock.advance(by: 61)
        async let one = playbooks.runner.advance(plan.id, by: "alex")
        async let two = playbooks.runner.runDue(by: "helpdesk").plans
        let (a, b) = try await (one, two)
        let kinds = try fixture.kinds(request.id)
        #expect(kinds.filter { $0 == .planStarted }.count == 1, "the timeline says the plan started once: \(a.state) \(b.map(\.state))")
        #expect(kinds.filter { $0 == .planEnded }.count == 1)
        #expect(fixture.directory.actionCalls.count == 3)
    }
}
