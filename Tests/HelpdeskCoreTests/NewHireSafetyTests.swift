import Foundation
@testable import HelpdeskCore
import HelpdeskTestSupport
import OktaClient
import Synchronization
import Testing

/// What a second attack review of playbooks found, held: new hires whose login or manager would put
/// another person's account or another agent in the plan, undos and temporary grants, undo of an
/// undo, plans that can never settle, and times that are not times.
@Suite struct NewHireSafetyTests {
    let alex = DemoTeamFixture.alex, morgan = DemoTeamFixture.morgan, jordan = DemoTeamFixture.jordan, sam = DemoTeamFixture.sam

    static let onboarding = NewHireTests.onboarding
    static let onboardingSkip = Playbook(name: "onboarding-skip", title: "Onboarding (create may fail)", steps: [
        PlaybookStep(.createUser, skipOnFailure: true),
        PlaybookStep(.addToGroup(name: "VPN Users")),
        PlaybookStep(.assignApp(label: "Slack")),
    ])
    static let leaveEngineering = Playbook(name: "leave-eng", title: "Leave Engineering", steps: [PlaybookStep(.removeFromGroup(name: "Engineering"))])
    static let suspendOnly = Playbook(name: "susp", title: "Suspend", steps: [PlaybookStep(.action(.suspend))])

    func engine(_ fixture: EngineFixture, _ playbooks: [Playbook], engine: ActionEngine? = nil) -> PlaybookEngine {
        PlaybookEngine(reconciler: Reconciler(engine: engine ?? fixture.engine), playbooks: playbooks)
    }


    // MARK: New hires

    /// Alex (agent) names Jordan (agent, no approver role) as the new hire's manager: Jordan becomes
    /// an eligible approver of the plan, and of every later action on the account.
    @Test func anAgentCannotNameAnotherAgentTheManager() async throws {
        let fixture = try EngineFixture()
        let playbooks = engine(fixture, [Self.onboarding])
        let request = try fixture.request("ana.ruiz@example.com", "New hire")
        let fields = ["firstName": "Ana", "lastName": "Ruiz", "manager": "jordan.reyes@example.com"]
        let ask = PlanAsk(requestID: request.id, source: .playbook("onboarding"), reason: "new hire", fields: fields)
        await #expect { try await playbooks.preview(ask, by: alex) } throws: { "\($0)".contains("jordan is an agent without the approver role and cannot be named the manager") }
        await #expect { try await playbooks.start(ask, expecting: nil, by: alex) } throws: { "\($0)".contains("cannot be named the manager") }
        let withManager = PlanAsk(requestID: request.id, source: .playbook("onboarding"), reason: "new hire",
                                  fields: ["firstName": "Ana", "lastName": "Ruiz", "manager": "sam.lee@example.com"])
        let preview = try await playbooks.preview(withManager, by: alex)
        #expect(!preview.approvers.contains("sam"), "the manager the agent typed does not approve the plan that sets it: \(preview.approvers)")
        #expect(preview.steps.first?.action.summary.contains("manager sam.lee@example.com") == true, "the approver reads who the manager will be")
    }

    /// The login defaults to the requester's email; Mei's account has that login with another email.
    /// The new hire is refused before anything is asked: a create whose answer is lost could
    /// otherwise be settled from Mei's account.
    @Test func aLoginThatIsSomeoneElsesAccountIsRefusedBeforeAsking() async throws {
        let fixture = try EngineFixture()
        let mei = DirectoryUser(id: "00umei", login: "mchen@example.com", email: "m.chen@example.com", firstName: "Mei", lastName: "Chen", status: .active)
        await fixture.tenant.add(mei, groups: [])
        let playbooks = engine(fixture, [Self.onboarding])
        let request = try fixture.request("mchen@example.com", "New hire Ming Chen")
        let ask = PlanAsk(requestID: request.id, source: .playbook("onboarding"), reason: "new hire", fields: ["firstName": "Ming", "lastName": "Chen"])
        await #expect { try await playbooks.preview(ask, by: alex) } throws: { "\($0)".contains("is already the Okta account of Mei Chen (00umei") }
        await #expect { try await playbooks.start(ask, expecting: nil, by: alex) } throws: { "\($0)".contains("give the new hire another login") }
        #expect(fixture.directory.actionCalls.isEmpty)
    }

    /// A playbook that would skip a failed create (its later steps would find someone else's account
    /// by the login) is refused.
    @Test func aCreateThatMayBeSkippedIsRefused() async throws {
        let fixture = try EngineFixture()
        let playbooks = engine(fixture, [Self.onboardingSkip])
        let request = try fixture.request("ming.chen@example.com", "New hire Ming Chen")
        let ask = PlanAsk(requestID: request.id, source: .playbook("onboarding-skip"), reason: "new hire", fields: ["firstName": "Ming", "lastName": "Chen"])
        await #expect { try await playbooks.start(ask, expecting: nil, by: alex) } throws: { "\($0)".contains("creates its user elsewhere than in its first step") }
    }

    // MARK: Undo and temporary access

    /// Jane holds Engineering for a week (grant) and also for good (a later, approved lasting add).
    /// A plan removes Engineering; its undo gives it back. At the week's end the sweep revokes it:
    /// the lasting grant is lost because the undo's add is not a keeper.
    @Test func anUndoMakesALaterLastingGrantEndWithATemporaryOne() async throws {
        let fixture = try EngineFixture()
        let jane = try await fixture.userID("jane.doe")
        let engineering = try await fixture.group("Engineering")
        let request = try fixture.request()
        let temporary = try fixture.awaiting(try await fixture.engine.ask(.addToGroup(engineering, expiry: AccessDuration(1, .weeks)), on: request.id, reason: "a week", by: alex))
        _ = try await fixture.engine.approve(temporary.id, by: morgan)
        let second = try fixture.request("jane.doe@example.com", "Joins Engineering for good")
        let lasting = try fixture.awaiting(try await fixture.engine.ask(.addToGroup(engineering, expiry: nil), on: second.id, reason: "joined the team", by: alex))
        _ = try await fixture.engine.approve(lasting.id, by: morgan)

        let third = try fixture.request("jane.doe@example.com", "Move")
        let playbooks = engine(fixture, [Self.leaveEngineering])
        let plan = try await playbooks.start(PlanAsk(requestID: third.id, source: .playbook("leave-eng"), reason: "wrong team"), expecting: nil, by: alex)
        #expect(plan.state == .finished)
        let undo = try await playbooks.start(PlanAsk(requestID: third.id, source: .undo(plan.id), reason: "mistake"), expecting: nil, by: alex)
        _ = try await playbooks.approve(try fixture.approval(of: undo).id, by: morgan, expecting: undo.terms, comment: nil)
        #expect(try await fixture.tenant.groups(ofUser: jane).contains { $0.id == engineering.id })

        fixture.clock.advance(by: 8 * 86_400)
        _ = try await AccessSweeper(engine: fixture.engine).sweep()
        let still = try await fixture.tenant.groups(ofUser: jane).contains { $0.id == engineering.id }
        #expect(still, "the lasting, approved Engineering membership was revoked at the week-long grant's end because an undo restored it")
    }

    /// Jane is in VPN Users for good; a plan removes it; she is then given VPN for a day (grant); the
    /// plan is undone: its add finds her a member ("already done", nothing to give back). When the
    /// day ends, VPN goes: the membership the undo was to give back for good is lost.
    @Test func anUndoDuringATemporaryGrantLosesThePermanentMembership() async throws {
        let fixture = try EngineFixture()
        let jane = try await fixture.userID("jane.doe")
        let vpn = try await fixture.group("VPN Users")
        let request = try fixture.request()
        let leave = Playbook(name: "leave-vpn", title: "Leave VPN", steps: [PlaybookStep(.removeFromGroup(name: "VPN Users"))])
        let playbooks = engine(fixture, [leave])
        let plan = try await playbooks.start(PlanAsk(requestID: request.id, source: .playbook("leave-vpn"), reason: "contractor ended"), expecting: nil, by: alex)
        #expect(plan.state == .finished)
        let second = try fixture.request("jane.doe@example.com", "VPN for today")
        let temporary = try fixture.awaiting(try await fixture.engine.ask(.addToGroup(vpn, expiry: AccessDuration(1, .days)), on: second.id, reason: "today", by: alex))
        _ = try await fixture.engine.approve(temporary.id, by: morgan)
        let undo = try await playbooks.start(PlanAsk(requestID: request.id, source: .undo(plan.id), reason: "wrong person"), expecting: nil, by: alex)
        let undone = try await playbooks.approve(try fixture.approval(of: undo).id, by: morgan, expecting: undo.terms, comment: nil)
        #expect(undone.state == .finished)
        fixture.clock.advance(by: 2 * 86_400)
        _ = try await AccessSweeper(engine: fixture.engine).sweep()
        let still = try await fixture.tenant.groups(ofUser: jane).contains { $0.id == vpn.id }
        #expect(still, "the undo was to give VPN Users back for good; it found the day's grant holding it, gave nothing, and the grant's end removed it")
    }

    /// An admin-only playbook is undone by an admin; an agent then undoes the undo: the admin-only
    /// effects run again, asked by someone who may not start the playbook.
    @Test func undoOfAnUndoIgnoresThePlaybooksRoles() async throws {
        let chris = Operator(login: "chris", email: Fixtures.email("chris.ng@example.com"), roles: [.admin])
        let fixture = try EngineFixture(team: Team(DemoTeamFixture.team.operators.values.sorted { $0.login < $1.login } + [chris]))
        let request = try fixture.request()
        let playbooks = engine(fixture, [PlaybookSafetyTests.adminOnly])
        let plan = try await playbooks.start(PlanAsk(requestID: request.id, source: .playbook("lockdown"), reason: "incident"), expecting: nil, by: chris)
        #expect(plan.state == .finished)
        let undo = try await playbooks.start(PlanAsk(requestID: request.id, source: .undo(plan.id), reason: "false alarm"), expecting: nil, by: chris)
        let undone = try await playbooks.approve(try fixture.approval(of: undo).id, by: morgan, expecting: undo.terms, comment: nil)
        #expect(undone.state == .finished)
        let redo = try? await playbooks.start(PlanAsk(requestID: request.id, source: .undo(undo.id), reason: "x"), expecting: nil, by: alex)
        #expect(redo == nil, "alex may not start lockdown, yet undoing its undo re-ran it: \(redo?.state.rawValue ?? "-") \(redo?.steps.map(\.action.summary) ?? [])")
    }

    /// Undo of an onboarding (create + activate): two deactivate steps.
    @Test func undoOfANewHireDeactivatesOnce() async throws {
        let fixture = try EngineFixture()
        let playbooks = engine(fixture, [Self.onboarding])
        let request = try fixture.request("ana.ruiz@example.com", "New hire")
        let ask = PlanAsk(requestID: request.id, source: .playbook("onboarding"), reason: "new hire", fields: ["firstName": "Ana", "lastName": "Ruiz"])
        let plan = try await playbooks.start(ask, expecting: nil, by: alex)
        let done = try await playbooks.approve(try fixture.approval(of: plan).id, by: morgan, expecting: plan.terms, comment: nil)
        #expect(done.state == .finished)
        let preview = try await playbooks.preview(PlanAsk(requestID: request.id, source: .undo(plan.id), reason: "no-show"), by: alex)
        #expect(preview.steps.filter { $0.action == .deactivate }.count <= 1, "the undo of a new hire deactivates twice: \(preview.steps.map(\.action.summary))")
    }

    // MARK: Running

    /// Twenty plans whose unknown step can no longer be reconciled (the user was deleted meanwhile)
    /// stay running for ever, are taken again every round, and a plan due later is never reached.
    @Test func stuckRunningPlansStarveADuePlan() async throws {
        let fixture = try EngineFixture()
        let jane = try await fixture.userID("jane.doe")
        let deleted = DeletedUserDirectory(fixture.directory, userID: jane)
        let runnerEngine = ActionEngine(store: fixture.store, directory: deleted, clock: fixture.clock, policy: .default, team: DemoTeamFixture.team, runner: "h:1")
        let playbooks = engine(fixture, [Self.suspendOnly, PlaybookSafetyTests.contain], engine: runnerEngine)
        for n in 0..<20 {
            let request = try fixture.request("jane.doe@example.com", "Compromised \(n)")
            await fixture.tenant.failNext(.suspend, with: DirectoryError(kind: .outcomeUnknown, summary: "The request timed out."), afterApplying: false)
            let plan = try await playbooks.start(PlanAsk(requestID: request.id, source: .playbook("susp"), reason: "x"), expecting: nil, by: alex)
            #expect(plan.state == .running)
        }
        let other = try fixture.request("sam.lee@example.com", "Compromised")
        let later = try await playbooks.start(PlanAsk(requestID: other.id, source: .playbook("contain"), reason: "x",
                                                     runAt: fixture.clock.now().addingTimeInterval(60)), expecting: nil, by: alex)
        #expect(later.state == .scheduled)
        deleted.gone = true
        for _ in 0..<40 {   // 20 minutes of rounds
            fixture.clock.advance(by: 30)
            _ = try await playbooks.runner.runDue(by: "helpdesk").plans
        }
        let state = try fixture.store.read { try $0.plan(later.id) }?.state
        let stuck = try fixture.store.read { try $0.duePlans(at: fixture.clock.now(), limit: 100) }.filter { $0.state == .running }.count
        #expect(state == .finished, "a plan due 20 minutes ago ran")
        #expect(stuck == 0, "\(stuck) plans whose step cannot be reconciled (user deleted) stay running instead of stopping")
    }

    // MARK: PlanTime

    @Test(arguments: ["99999999999999-01-01 10:00", "9223372036854775807-12-31 23:59", "-5-01-01 10:00", "2026-12-04 17:00:00", "2026--12-04 17:00", "2026-12-+4 17:00"])
    func outlandishTimesAreRefusedWithoutACrash(text: String) {
        let now = Timestamp.parse("2026-12-01T10:00:00Z")!
        let result = try? PlanTime.parse(text, now: now, zone: .fixed(TimeZone(identifier: "Europe/Paris")!))
        #expect(result == nil || result!.timeIntervalSince(now) < 400 * 86_400, "\"\(text)\" was read as \(result.map(Timestamp.iso8601) ?? "-")")
        if text.contains("--") || text.contains("+") {
            #expect(result == nil, "malformed \"\(text)\" was accepted as \(result.map(Timestamp.iso8601) ?? "-")")
        }
    }

    /// 02:30 on the night clocks go forward does not exist in Paris; it should be refused, not moved.
    @Test func aLocalTimeThatDoesNotExistIsRefused() throws {
        let now = Timestamp.parse("2026-03-01T10:00:00Z")!
        #expect { try PlanTime.parse("2026-03-29 02:30", now: now, zone: .fixed(TimeZone(identifier: "Europe/Paris")!)) } throws: {
            "\($0)".contains("does not happen in this time zone")
        }
        #expect(try PlanTime.parse("2026-03-29 03:00", now: now, zone: .fixed(TimeZone(identifier: "Europe/Paris")!)) == Timestamp.parse("2026-03-29T01:00:00Z"))
    }

    /// A time past what a clock here can show is refused as too far ahead, whatever the zone.
    @Test(arguments: ["5000-01-01 00:00", "6000-07-01 12:00", "9999-12-31 23:59", "9999-12-31T23:59:00Z", "6000-01-01T00:00:00+05:00"])
    func aTimeTooFarAheadIsRefusedAsSuch(text: String) throws {
        let now = Timestamp.parse("2026-03-01T10:00:00Z")!
        for zone in [DisplayZone.utc, .fixed(TimeZone(identifier: "Europe/London")!)] {
            #expect { try PlanTime.parse(text, now: now, zone: zone) } throws: { "\($0)".contains("too far ahead") }
        }
        #expect(try PlanTime.parse("4999-12-31 23:59", now: now, zone: .fixed(.gmt)) == Timestamp.parse("4999-12-31T23:59:00Z"))
    }
}

/// A directory in which one user has been deleted: every read of them answers 404.
final class DeletedUserDirectory: ForwardingDirectory, @unchecked Sendable {
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
    private func check(_ id: String) throws {
        if gone, id == userID { throw DirectoryError(kind: .notFound, httpStatus: 404, errorCode: "E0000007", summary: "Not found: Resource not found: \(id) (User)") }
    }
    override func user(_ lookup: UserLookup) async throws -> DirectoryUser {
        if case .id(let id) = lookup { try check(id) }
        return try await inner.user(lookup)
    }
    override func groups(ofUser userID: String) async throws -> [DirectoryGroup] {
        try check(userID)
        return try await inner.groups(ofUser: userID)
    }
}
