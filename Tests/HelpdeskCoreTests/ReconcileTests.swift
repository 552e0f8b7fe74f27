import Foundation
@testable import HelpdeskCore
import HelpdeskTestSupport
import Testing

@Suite struct ReconcileTests {
    let fixture: EngineFixture
    let alex = DemoTeamFixture.alex, sam = DemoTeamFixture.sam

    init() throws { fixture = try EngineFixture() }

    @Test func anUnknownOutcomeIsCheckedAgainstOktaAndNeverRepeated() async throws {
        let request = try fixture.request("sam.lee@example.com", "Suspicious sign-in")
        await fixture.tenant.failNext(.suspend, with: DirectoryError(kind: .outcomeUnknown, summary: "The request timed out."), afterApplying: true)
        let outcome = try fixture.ran(try await fixture.engine.ask(.suspend, on: request.id, reason: "suspicious", by: alex))
        #expect(outcome.run.state == .unknown)
        #expect(outcome.message.contains("may or may not have taken effect"))

        let reconciler = Reconciler(engine: fixture.engine)
        #expect(reconciler.isOutcomeUnknown(outcome.run, now: fixture.clock.now()))
        let results = try await reconciler.reconcile(request.id, by: "alex")
        #expect(results.map(\.finding) == [.applied])
        #expect(results.first?.summary == "the account is SUSPENDED")
        #expect(fixture.directory.actionCalls == ["suspend \(try await fixture.userID("sam.lee"))"], "reconcile only reads")
        #expect(try fixture.kinds(request.id).suffix(3) == [.actionStarted, .actionFailed, .actionReconciled])
        #expect(try await reconciler.reconcile(request.id, by: "alex").isEmpty, "settled once")
    }

    @Test func anInterruptedRunIsReconciledOnlyAfterItHadTimeToFinish() async throws {
        let request = try fixture.request("omar.haddad@example.com", "Locked out")
        let omar = try await fixture.userID("omar.haddad")
        // A console died after committing "action started" and before Okta answered.
        _ = try fixture.store.write { writer in
            try ActionEngineTestHooks.start(.unlock, request: request.id, user: omar, by: "alex", at: fixture.clock.now(), writer: writer)
        }
        let reconciler = Reconciler(engine: fixture.engine)
        #expect(try await reconciler.reconcile(by: "jordan").isEmpty, "it may still be in flight")
        // Past its deadline (two minutes for a run written without one) it shows as unknown, but the
        // call could still reach Okta: "not applied" waits for the margin.
        fixture.clock.advance(by: 136)
        let early = try await reconciler.reconcile(by: "jordan")
        #expect(early.map(\.settled) == [false])
        #expect(early.first?.summary.contains("the account is LOCKED_OUT so far") == true)
        #expect(try fixture.store.read { try $0.runs(of: request.id) }.map(\.state) == [.started])
        fixture.clock.advance(by: 120)
        let results = try await reconciler.reconcile(by: "jordan")
        #expect(results.map(\.finding) == [.notApplied])
        #expect(results.map(\.settled) == [true])
        #expect(results.first?.summary == "the account is LOCKED_OUT")
        #expect(fixture.directory.actionCalls.isEmpty)
        #expect(try fixture.store.read { try $0.runs(of: request.id) }.map(\.state) == [.reconciled])
    }

    @Test func aReconciledTemporaryGrantGetsItsRevoke() async throws {
        let request = try fixture.request()
        let engineering = try await fixture.group("Engineering")
        let approval = try fixture.awaiting(try await fixture.engine.ask(.addToGroup(engineering, expiry: AccessDuration(1, .days)), on: request.id, reason: "x", by: alex))
        await fixture.tenant.failNext(.addToGroup, with: DirectoryError(kind: .outcomeUnknown), afterApplying: true)
        let outcome = try await fixture.engine.approve(approval.id, by: sam)
        #expect(outcome.grant == nil)
        _ = try await Reconciler(engine: fixture.engine).reconcile(by: "alex")
        let grants = try fixture.store.read { try $0.grants(of: request.id) }
        #expect(grants.count == 1)
        #expect(grants.first?.revokeAt == outcome.run.startedAt.addingTimeInterval(86_400))
    }

    @Test func aResetLinkUsedBeforeReconcileIsNotTakenForAResetThatMissed() async throws {
        let request = try fixture.request("jane.doe@example.com", "Forgot my password")
        let jane = try await fixture.userID("jane.doe")
        let approval = try fixture.awaiting(try await fixture.engine.ask(.resetPassword(sendEmail: true), on: request.id, reason: "forgot", by: alex))
        await fixture.tenant.failNext(.resetPassword, with: DirectoryError(kind: .outcomeUnknown), afterApplying: true)
        #expect(try await fixture.engine.approve(approval.id, by: sam).run.state == .unknown)
        fixture.clock.advance(by: 30)
        await fixture.tenant.personSetsNewPassword(userID: jane)
        fixture.clock.advance(by: 600)

        let results = try await Reconciler(engine: fixture.engine).reconcile(by: "alex")
        #expect(results.map(\.finding) == [.unknown], "the account is ACTIVE again, but only because the link was used")
        #expect(results.first?.summary.contains("its status changed at") == true)
        #expect(fixture.directory.actionCalls == ["reset-password \(jane)"], "reconcile only reads")
    }

    @Test func factorsEnrolledAgainBeforeReconcileAreNotTakenForAResetThatMissed() async throws {
        let request = try fixture.request("jane.doe@example.com", "Lost my phone")
        let jane = try await fixture.userID("jane.doe")
        let approval = try fixture.awaiting(try await fixture.engine.ask(.resetMFA, on: request.id, reason: "lost phone", by: alex))
        await fixture.tenant.failNext(.resetMFA, with: DirectoryError(kind: .outcomeUnknown), afterApplying: true)
        #expect(try await fixture.engine.approve(approval.id, by: sam).run.state == .unknown)
        fixture.clock.advance(by: 60)
        await fixture.tenant.personEnrolls(factorID: "opfnew", type: "push", userID: jane)
        fixture.clock.advance(by: 600)

        let results = try await Reconciler(engine: fixture.engine).reconcile(by: "alex")
        #expect(results.map(\.finding) == [.unknown])
        #expect(results.first?.summary.contains("enrolled again since the call") == true)
    }

    @Test(arguments: [
        (OktaAction.resetMFA, "jane.doe", ReconcileFinding.notApplied),
        (.revokeSessions(oauthTokens: false), "jane.doe", .unknown),
        (.expirePassword, "priya.raman", .applied),
        (.activate(sendEmail: true), "nina.petrova", .notApplied),
        (.deactivate, "grace.obi", .applied),
        (.unsuspend, "tom.becker", .notApplied),
    ])
    func findingsReadTheRightState(action: OktaAction, login: String, expected: ReconcileFinding) async throws {
        let request = try fixture.request("\(login)@example.com", "check")
        let user = try await fixture.userID(login)
        let run = try fixture.store.write { writer in
            try ActionEngineTestHooks.start(action, request: request.id, user: user, by: "alex", at: fixture.clock.now(), writer: writer)
        }
        let (finding, _) = try await Reconciler(engine: fixture.engine).inspect(run)
        #expect(finding == expected)
    }
}

/// Writes a started run the way the engine does, for tests that stop "the process" right after.
enum ActionEngineTestHooks {
    static func start(_ action: OktaAction, request: RequestID, user: String, by login: String, at: Date, writer: any StoreWriter) throws -> ActionRun {
        let run = try writer.insertRun(NewActionRun(requestID: request, action: action, targetUserID: user, approvalID: nil, revokesGrant: nil, startedBy: login, startedAt: at))
        try writer.append(EventDraft(actor: login, at: at, payload: .actionStarted(.init(runID: run.id, action: action, approvalID: nil, grantID: nil, reason: "test"))), to: request)
        return run
    }
}

@Suite struct InterruptedRunTests {
    @Test func aRunWhoseProcessLivesIsLeftAloneAndOneWhoseProcessDiedIsNot() async throws {
        let fixture = try EngineFixture()
        let request = try fixture.request("omar.haddad@example.com", "Locked out")
        let omar = try await fixture.userID("omar.haddad")
        _ = try fixture.store.write { writer in
            try writer.insertRun(NewActionRun(requestID: request.id, action: .unlock, targetUserID: omar, approvalID: nil, revokesGrant: nil,
                                              startedBy: "alex", startedAt: fixture.clock.now(), runner: "jump1:4242"))
        }
        let alive = Reconciler(engine: fixture.engine, runnerIsAlive: { _ in true })
        #expect(try await alive.reconcile(by: "jordan").isEmpty)
        let unknownHost = Reconciler(engine: fixture.engine, runnerIsAlive: { _ in nil })
        #expect(try await unknownHost.reconcile(by: "jordan").isEmpty)
        let dead = Reconciler(engine: fixture.engine, runnerIsAlive: { $0 == "jump1:4242" ? false : nil })
        #expect(dead.isOutcomeUnknown(try #require(try fixture.store.read { try $0.runs(of: request.id) }.first), now: fixture.clock.now()),
                "a run whose process is gone shows as unknown at once")
        #expect(try await dead.reconcile(by: "jordan").map(\.settled) == [false], "Okta may still be acting on a call it received")
        fixture.clock.advance(by: 241)
        #expect(try await dead.reconcile(by: "jordan").map(\.finding) == [.notApplied])
    }
}
