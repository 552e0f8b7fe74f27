import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import OktaClient
import SQLiteStore
import Synchronization
import Testing

@Suite struct TemporaryAccessTests {
    let fixture: EngineFixture
    let alex = DemoTeamFixture.alex, sam = DemoTeamFixture.sam

    init() throws { fixture = try EngineFixture() }

    /// Asks on a new request of Jane's for Engineering (`expiry` nil: for good), and approves it.
    private func askForEngineering(_ expiry: AccessDuration?, reason: String) async throws -> (request: Request, outcome: ActionOutcome) {
        let request = try fixture.request()
        let group = try await fixture.group("Engineering")
        let approval = try fixture.awaiting(try await fixture.engine.ask(.addToGroup(group, expiry: expiry), on: request.id, reason: reason, by: alex))
        return (request, try await fixture.engine.approve(approval.id, by: sam))
    }

    @Test func temporaryAccessIsRevokedOnceWhenDue() async throws {
        let request = try fixture.request()
        let engineering = try await fixture.group("Engineering")
        let approval = try fixture.awaiting(try await fixture.engine.ask(.addToGroup(engineering, expiry: AccessDuration(5, .seconds)), on: request.id, reason: "pairing", by: alex))
        let outcome = try await fixture.engine.approve(approval.id, by: sam)
        let grant = try #require(outcome.grant)
        #expect(grant.revokeAt == fixture.clock.now().addingTimeInterval(5))
        #expect(try fixture.kinds(request.id).suffix(3) == [.actionStarted, .actionSucceeded, .accessScheduled])

        let sweeper = AccessSweeper(engine: fixture.engine, actor: "helpdesk")
        #expect(try await sweeper.sweep().revoked.isEmpty, "not due yet")
        fixture.clock.advance(by: 6)
        let report = try await sweeper.sweep()
        #expect(report.revoked == [grant.id])
        let swept = try fixture.store.read { try $0.timeline(of: request.id) }.suffix(2)
        #expect(swept.map(\.actor) == ["helpdesk", "helpdesk"], "the timeline names the account that ran the sweep")
        let jane = try await fixture.userID("jane.doe")
        #expect(!(try await fixture.tenant.groups(ofUser: jane).contains { $0.id == engineering.id }))
        #expect(try fixture.kinds(request.id).suffix(2) == [.actionStarted, .accessRevoked])
        #expect(try fixture.store.read { try $0.grant(grant.id) }?.state == .revoked)
        #expect(try await sweeper.sweep().revoked.isEmpty)
        #expect(fixture.directory.actionCalls.filter { $0.hasPrefix("remove-from-group") }.count == 1)
    }

    @Test func accessAlreadyRemovedCountsAsDone() async throws {
        let request = try fixture.request()
        let engineering = try await fixture.group("Engineering")
        let approval = try fixture.awaiting(try await fixture.engine.ask(.addToGroup(engineering, expiry: AccessDuration(1, .days)), on: request.id, reason: "x", by: alex))
        _ = try await fixture.engine.approve(approval.id, by: sam)
        _ = try await fixture.tenant.removeFromGroup(userID: try await fixture.userID("jane.doe"), groupID: engineering.id)
        fixture.clock.advance(by: 86_401)
        let report = try await AccessSweeper(engine: fixture.engine).sweep()
        #expect(report.revoked.count == 1)
        guard case .accessRevoked(let revoked) = try fixture.store.read({ try $0.timeline(of: request.id) }).last?.payload else {
            Issue.record("expected access-revoked")
            return
        }
        #expect(revoked.summary == "already removed from Engineering")
    }

    @Test func accessThatPredatesTheRequestGetsNoRevoke() async throws {
        let request = try fixture.request()
        let vpn = try await fixture.group("VPN Users")
        let approval = try fixture.awaiting(try await fixture.engine.ask(.addToGroup(vpn, expiry: AccessDuration(1, .days)), on: request.id, reason: "x", by: alex))
        let outcome = try await fixture.engine.approve(approval.id, by: sam)
        #expect(outcome.succeeded)
        #expect(outcome.grant == nil, "Jane was already in VPN Users; a revoke would take away access she had before")
        #expect(outcome.message.contains("already a member"))
    }

    /// The store, letting `allowed` more writes through and refusing every one after them.
    final class StoreThatStopsWriting: RequestStore {
        let inner: any RequestStore
        let allowed = Mutex(Int.max)
        init(_ inner: any RequestStore) { self.inner = inner }
        func read<T>(_ body: (any StoreReader) throws -> T) throws -> T { try inner.read(body) }
        func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T {
            guard allowed.withLock({ left in defer { left -= 1 }; return left > 0 }) else { throw StoreError.busy(path: inner.location) }
            return try inner.write(body)
        }
        func changeToken() throws -> Int64 { try inner.changeToken() }
        var location: String { inner.location }
    }

    /// A grant of access already held is written finished with its run, in one transaction: had the
    /// "already held" been a second write, losing it (a full disk, a crash) would leave an open run
    /// for reconcile to settle from Okta's state, taking the old membership for the grant's.
    @Test func aGrantOfAccessAlreadyHeldIsSettledInTheWriteThatStartsIt() async throws {
        let store = StoreThatStopsWriting(fixture.store)
        let engine = ActionEngine(store: store, directory: fixture.directory, clock: fixture.clock, policy: .default, team: DemoTeamFixture.team)
        let request = try fixture.request()
        let vpn = try await fixture.group("VPN Users")
        let jane = try await fixture.userID("jane.doe")
        let approval = try fixture.awaiting(try await engine.ask(.addToGroup(vpn, expiry: AccessDuration(1, .hours)), on: request.id, reason: "trip", by: alex))
        store.allowed.withLock { $0 = 1 }
        let outcome = try await engine.approve(approval.id, by: sam)
        store.allowed.withLock { $0 = .max }
        #expect(outcome.succeeded && outcome.message.contains("already a member of VPN Users"), "\(outcome.message)")
        #expect(try fixture.store.read { try $0.unfinishedRuns(of: nil) }.isEmpty, "nothing left for reconcile to settle")
        fixture.clock.advance(by: 90)
        _ = try await Reconciler(engine: engine).reconcile(nil, by: "helpdesk")
        #expect(try fixture.store.read { try $0.grants(of: request.id) }.isEmpty)
        fixture.clock.advance(by: 2 * 3600)
        _ = try await AccessSweeper(engine: engine).sweep()
        #expect(try await fixture.tenant.groups(ofUser: jane).contains { $0.id == vpn.id }, "Jane keeps the membership she had before")
    }

    @Test func aLastingAddWhileAGrantRunsKeepsTheAccessWhenTheGrantEnds() async throws {
        let engineering = try await fixture.group("Engineering")
        let jane = try await fixture.userID("jane.doe")
        let (first, granted) = try await askForEngineering(AccessDuration(1, .days), reason: "a week of pairing")
        let grant = try #require(granted.grant)
        let made = try await askForEngineering(nil, reason: "joined the team").outcome
        #expect(made.succeeded && made.grant == nil)
        fixture.clock.advance(by: 86_401)
        let report = try await AccessSweeper(engine: fixture.engine).sweep()
        #expect(report.kept == [grant.id] && report.revoked.isEmpty)
        #expect(try await fixture.tenant.groups(ofUser: jane).contains { $0.id == engineering.id }, "the lasting add is not undone by the grant's end")
        #expect(try fixture.store.read { try $0.grant(grant.id) }?.state == .kept)
        guard case .accessKept(let kept) = try fixture.store.read({ try $0.timeline(of: first.id) }).last?.payload else {
            Issue.record("expected access-kept on the grant's request")
            return
        }
        #expect(kept.grantID == grant.id && kept.keptBy == made.run.id && kept.until == nil)
        #expect(try await AccessSweeper(engine: fixture.engine).sweep().revoked.isEmpty, "kept for good")
        #expect(fixture.directory.actionCalls.filter { $0.hasPrefix("remove-from-group") }.isEmpty)
    }

    @Test func aLastingAddWhoseAnswerWasLostAndReconcileFoundAppliedKeepsTheAccessToo() async throws {
        let engineering = try await fixture.group("Engineering")
        let jane = try await fixture.userID("jane.doe")
        let grant = try #require(try await askForEngineering(AccessDuration(1, .days), reason: "pairing").outcome.grant)
        await fixture.tenant.failNext(.addToGroup, with: DirectoryError(kind: .outcomeUnknown, summary: "the connection dropped"), afterApplying: true)
        let made = try await askForEngineering(nil, reason: "joined the team").outcome
        #expect(made.run.state == .unknown)
        fixture.clock.advance(by: 600)
        let settled = try await Reconciler(engine: fixture.engine).reconcile(nil, by: "helpdesk")
        #expect(settled.map(\.finding) == [.applied])
        fixture.clock.advance(by: 86_400)
        #expect(try await AccessSweeper(engine: fixture.engine).sweep().kept == [grant.id], "a run reconcile found applied took effect like one that succeeded")
        #expect(try await fixture.tenant.groups(ofUser: jane).contains { $0.id == engineering.id })
    }

    @Test func aGrantIsClaimedForItsEndOnlyWhileItIsDue() async throws {
        let grant = try #require(try await askForEngineering(AccessDuration(1, .days), reason: "pairing").outcome.grant)
        let now = fixture.clock.now()
        #expect(try !fixture.store.write { try $0.claimDueGrant(grant.id, by: "a", at: now) }, "not due yet")
        let due = now.addingTimeInterval(86_401)
        #expect(try fixture.store.write { try $0.claimDueGrant(grant.id, by: "a", at: due) })
        #expect(try fixture.store.write { try $0.retryGrant(grant.id, attempts: 0, next: due.addingTimeInterval(3_600), at: due) }, "put off for an hour")
        #expect(try !fixture.store.write { try $0.claimDueGrant(grant.id, by: "b", at: due) },
                "a second sweep that read the due list before the first put it off claims nothing")
        #expect(try fixture.store.write { try $0.claimDueGrant(grant.id, by: "b", at: due.addingTimeInterval(3_601)) })
    }

    @Test func aLongerGrantOfTheSameAccessMovesTheEndToItsOwn() async throws {
        let engineering = try await fixture.group("Engineering")
        let jane = try await fixture.userID("jane.doe")
        let grant = try #require(try await askForEngineering(AccessDuration(1, .days), reason: "pairing").outcome.grant)
        let held = try await askForEngineering(AccessDuration(3, .days), reason: "on call").outcome
        #expect(held.grant == nil && held.message.contains("already a member"), "the second grant finds the first's access: \(held.message)")
        fixture.clock.advance(by: 86_401)
        #expect(try await AccessSweeper(engine: fixture.engine).sweep().kept == [grant.id])
        let moved = try #require(try fixture.store.read { try $0.grant(grant.id) })
        #expect(moved.state == .scheduled && moved.revokeAt > fixture.clock.now().addingTimeInterval(86_400), "its end is now the longer grant's: \(moved.revokeAt)")
        #expect(try await fixture.tenant.groups(ofUser: jane).contains { $0.id == engineering.id }, "kept for the three days asked for second")
        fixture.clock.advance(by: 86_400)
        #expect(try await AccessSweeper(engine: fixture.engine).sweep().revoked.isEmpty, "not yet")
        fixture.clock.advance(by: 86_400 + 60)
        #expect(try await AccessSweeper(engine: fixture.engine).sweep().revoked == [grant.id])
        #expect(!(try await fixture.tenant.groups(ofUser: jane).contains { $0.id == engineering.id }), "ended when the longer grant ended")
    }

    /// A month asked for, then two hours: the first grant's end keeps the access for the month,
    /// not for the two hours asked for last.
    @Test func aShorterGrantAskedAfterALongerOneDoesNotCutTheLongerShort() async throws {
        let engineering = try await fixture.group("Engineering")
        let jane = try await fixture.userID("jane.doe")
        let grant = try #require(try await askForEngineering(AccessDuration(1, .days), reason: "pairing").outcome.grant)
        let month = try await askForEngineering(AccessDuration(1, .months), reason: "project").outcome
        let hours = try await askForEngineering(AccessDuration(2, .hours), reason: "incident").outcome
        #expect(month.grant == nil && hours.grant == nil, "both find the first grant's access")
        fixture.clock.advance(by: 86_401)
        #expect(try await AccessSweeper(engine: fixture.engine).sweep().kept == [grant.id])
        let moved = try #require(try fixture.store.read { try $0.grant(grant.id) })
        #expect(moved.revokeAt == AccessDuration(1, .months).end(from: month.run.startedAt), "kept until the month's end: \(moved.revokeAt)")
        fixture.clock.advance(by: 3 * 3_600)
        #expect(try await AccessSweeper(engine: fixture.engine).sweep().revoked.isEmpty, "the two hours' end takes nothing")
        #expect(try await fixture.tenant.groups(ofUser: jane).contains { $0.id == engineering.id })
        fixture.clock.advance(by: 31 * 86_400)
        #expect(try await AccessSweeper(engine: fixture.engine).sweep().revoked == [grant.id])
        #expect(!(try await fixture.tenant.groups(ofUser: jane).contains { $0.id == engineering.id }), "ended when the month ended")
    }

    @Test func aFailedRevokeStaysDueAndIsRetried() async throws {
        let request = try fixture.request()
        let engineering = try await fixture.group("Engineering")
        let approval = try fixture.awaiting(try await fixture.engine.ask(.addToGroup(engineering, expiry: AccessDuration(5, .seconds)), on: request.id, reason: "x", by: alex))
        _ = try await fixture.engine.approve(approval.id, by: sam)
        fixture.clock.advance(by: 10)
        await fixture.tenant.failNext(.removeFromGroup, with: DirectoryError(kind: .unavailable, httpStatus: 503))
        let first = try await AccessSweeper(engine: fixture.engine).sweep()
        #expect(first.failed.count == 1)
        #expect(try await AccessSweeper(engine: fixture.engine).sweep().revoked.isEmpty, "not again at once: the next try is a minute later")
        fixture.clock.advance(by: 60)
        let second = try await AccessSweeper(engine: fixture.engine).sweep()
        #expect(second.revoked.count == 1)
        #expect(try fixture.kinds(request.id).suffix(4) == [.actionStarted, .actionFailed, .actionStarted, .accessRevoked])
    }

    @Test func twoSweepsAtOnceRevokeEachOfTwoHundredGrantsExactlyOnce() async throws {
        let engineering = try await fixture.group("Engineering")
        let start = fixture.clock.now()
        for index in 0..<200 {
            await fixture.tenant.add(DirectoryUser(id: "00usweep\(index)", login: "sweep\(index)@example.com", email: "sweep\(index)@example.com",
                                                   firstName: "Sweep", lastName: "\(index)", status: .active), groups: [engineering.id])
        }
        try fixture.store.write { writer in
            for index in 0..<200 {
                let request = try writer.insertRequest(Fixtures.newRequest("grant \(index)", requester: "sweep\(index)@example.com"), at: start)
                let run = try writer.insertRun(NewActionRun(requestID: request.id, action: .addToGroup(engineering, expiry: AccessDuration(1, .hours)),
                                                            targetUserID: "00usweep\(index)", approvalID: nil, revokesGrant: nil, startedBy: "alex", startedAt: start))
                _ = try writer.finishRun(run.id, state: .succeeded, at: start)
                _ = try writer.insertGrant(requestID: request.id, grantRunID: run.id, action: run.action, targetUserID: run.targetUserID, revokeAt: start.addingTimeInterval(3600))
            }
        }
        fixture.clock.advance(by: 3601)
        let engines = [fixture.engine, try fixture.secondEngine()]
        let reports = try await withThrowingTaskGroup(of: AccessSweeper.Report.self) { group in
            for engine in engines { group.addTask { try await AccessSweeper(engine: engine).sweep() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(reports.map(\.revoked.count).reduce(0, +) == 200)
        #expect(reports.allSatisfy { $0.failed.isEmpty && $0.unknown.isEmpty })
        let calls = fixture.directory.actionCalls.filter { $0.hasPrefix("remove-from-group") }
        #expect(calls.count == 200)
        #expect(Set(calls).count == 200, "no user's revoke ran twice")
        #expect(await fixture.tenant.actionCount(.removeFromGroup) == 200)
        let states = try fixture.store.read { reader in try (1...200).map { try reader.grant(GrantID(Int64($0)))?.state } }
        #expect(states.allSatisfy { $0 == .revoked })
    }
}
