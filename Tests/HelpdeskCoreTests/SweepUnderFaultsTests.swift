import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import Synchronization
import Testing

/// The end of temporary access when Okta is slow, silent or refusing, and when the service stops:
/// a sweep is bounded, a stop begins nothing new, and every failed try counts toward the alert.
@Suite struct SweepUnderFaultsTests {
    let fixture: EngineFixture

    init() throws { fixture = try EngineFixture() }

    /// `count` grants of Engineering to users of their own, all due now.
    func dueGrants(_ count: Int) async throws -> [AccessGrant] {
        let engineering = try await fixture.group("Engineering")
        let start = fixture.clock.now()
        for index in 0..<count {
            await fixture.tenant.add(DirectoryUser(id: "00udue\(index)", login: "due\(index)@example.com", email: "due\(index)@example.com",
                                                   firstName: "Due", lastName: "\(index)", status: .active), groups: [engineering.id])
        }
        let grants = try fixture.store.write { writer in
            try (0..<count).map { index in
                let request = try writer.insertRequest(Fixtures.newRequest("grant \(index)", requester: "due\(index)@example.com"), at: start)
                let run = try writer.insertRun(NewActionRun(requestID: request.id, action: .addToGroup(engineering, expiry: AccessDuration(1, .hours)),
                                                            targetUserID: "00udue\(index)", approvalID: nil, revokesGrant: nil, startedBy: "alex", startedAt: start))
                _ = try writer.finishRun(run.id, state: .succeeded, at: start)
                return try writer.insertGrant(requestID: request.id, grantRunID: run.id, action: run.action, targetUserID: run.targetUserID,
                                              revokeAt: start.addingTimeInterval(3600))
            }
        }
        fixture.clock.advance(by: 3601)
        return grants
    }

    func engine(_ directory: any IdentityDirectory) -> ActionEngine {
        ActionEngine(store: fixture.store, directory: directory, clock: fixture.clock, policy: .default, team: DemoTeamFixture.team)
    }

    func states(_ grants: [AccessGrant]) throws -> [AccessGrant.State?] {
        try fixture.store.read { reader in try grants.map { try reader.grant($0.id)?.state } }
    }

    /// Each revoke takes 70 s of Okta's time: a sweep begins none after its minute, and the next
    /// sweeps take the rest. Without the bound, one sweep would hold every due grant's minute.
    @Test func aSlowOktaHoldsASweepForAMinuteNotForEveryDueGrant() async throws {
        let grants = try await dueGrants(3)
        let sweeper = AccessSweeper(engine: engine(SlowRevokes(fixture.directory, clock: fixture.clock)), actor: "helpdesk")
        let first = try await sweeper.sweep()
        #expect(first.revoked.count == 1 && first.leftForLater == 2, "\(first)")
        #expect(try states(grants).filter { $0 == .scheduled }.count == 2, "the rest are not claimed")
        let second = try await sweeper.sweep()
        #expect(second.revoked.count == 1 && second.leftForLater == 1, "\(second)")
        let third = try await sweeper.sweep()
        #expect(third.revoked.count == 1 && third.leftForLater == 0, "\(third)")
        #expect(try states(grants) == [.revoked, .revoked, .revoked])
        #expect(fixture.directory.actionCalls.filter { $0.hasPrefix("remove-from-group") }.count == 3)
    }

    /// The service's stop comes while a revoke waits for Okta: that revoke is answered and
    /// recorded, and the round begins no other, nor reconcile or plans.
    @Test func aStopDuringARevokeLetsItFinishAndBeginsNoOther() async throws {
        let grants = try await dueGrants(3)
        let gate = AsyncGate()
        let backend = HelpdeskBackend(engine: engine(GatedRevokes(fixture.directory, gate: gate))) { login in
            guard let member = DemoTeamFixture.team.member(login) else { throw Refusal("\(login) is not an operator") }
            return member
        }
        let log = LogLines()
        let running = Task { await BackgroundWork(backend: backend, actor: "helpdesk", interval: 0.01) { log.add($0) }.run() }
        #expect(await eventually { gate.waiting == 1 })
        running.cancel()
        gate.open()
        await running.value
        #expect(try states(grants) == [.revoked, .scheduled, .scheduled], "\(log.lines)")
        #expect(fixture.directory.actionCalls.filter { $0.hasPrefix("remove-from-group") }.count == 1)
        #expect(log.lines.contains("2 due grants wait for the next sweep"), "\(log.lines)")
    }

    /// A revoke that got no answer, and that reconcile then finds not done, is a failed try like
    /// one Okta refused: due again after the backoff, and marked failed with an alert at the last.
    /// Before, it went back to the queue with no try counted, and an Okta that never answered
    /// revokes kept the access for good with no alert.
    @Test func aRevokeFoundNotDoneCountsTowardTheAlert() async throws {
        let grant = try #require(try await dueGrants(1).first)
        let silent = engine(SilentRevokes(fixture.directory))
        let reconciler = Reconciler(engine: silent)
        for attempt in 1..<AccessSweeper.defaultMaxAttempts {
            #expect(try await AccessSweeper(engine: silent).sweep().unknown == [grant.id], "try \(attempt)")
            fixture.clock.advance(by: 600)
            #expect(try await reconciler.reconcile(by: "helpdesk").map(\.finding) == [.notApplied])
            let after = try #require(try fixture.store.read { try $0.grant(grant.id) })
            #expect(after.state == .scheduled && after.attempts == attempt)
            fixture.clock.advance(by: 3_600)
        }
        #expect(try await AccessSweeper(engine: silent).sweep().unknown == [grant.id])
        fixture.clock.advance(by: 600)
        _ = try await reconciler.reconcile(by: "helpdesk")
        #expect(try fixture.store.read { try $0.grant(grant.id) }?.state == .failed)
        let alert = try fixture.store.read { try $0.timeline(of: grant.requestID) }.last
        #expect(alert?.kind == .alert)
        #expect(alert?.payload.sentence.contains("could not be revoked after 8 tries (last: Okta shows the revoke did not happen: the user is still a member of Engineering)") == true,
                "\(alert?.payload.sentence ?? "")")
    }

    /// A sweep that read the due list before another sweep failed a try counts from the try the
    /// store holds when it claims the grant, not from the list it read.
    @Test func aSweepCountsTriesFromTheGrantAsItIsWhenClaimed() async throws {
        let grants = try await dueGrants(2)
        let gate = AsyncGate()
        let slow = AccessSweeper(engine: engine(GatedRevokes(fixture.directory, gate: gate, failing: ["00udue1"])), roundTime: 86_400)
        let sweeping = Task { try await slow.sweep() }
        #expect(await eventually { gate.waiting == 1 })
        // Meanwhile another sweep fails the second grant's first try.
        let open = AsyncGate()
        open.open()
        let other = try await AccessSweeper(engine: engine(GatedRevokes(fixture.directory, gate: open, failing: ["00udue1"]))).sweep()
        #expect(other.failed == [grants[1].id])
        fixture.clock.advance(by: 61)
        gate.open()
        let report = try await sweeping.value
        #expect(report.revoked == [grants[0].id] && report.failed == [grants[1].id], "\(report)")
        #expect(try fixture.store.read { try $0.grant(grants[1].id) }?.attempts == 2, "the second failed try, not the first again")
    }

    /// A revoke Okta answers "not found" because the group or the user was deleted meanwhile is
    /// done when Okta's state shows the access gone, not eight tries and a false alarm; when the
    /// user still holds it, it is a failure like any other.
    @Test func aRevokeOfAccessWhoseGroupOrUserIsGoneIsDone() async throws {
        let grants = try await dueGrants(3)
        let engineering = try await fixture.group("Engineering")
        // The first user's group is gone (Okta lists it no more); the second user is gone; the third still holds it.
        _ = try await fixture.tenant.removeFromGroup(userID: "00udue0", groupID: engineering.id)
        let report = try await AccessSweeper(engine: engine(NotFoundRevokes(fixture.directory, goneUsers: ["00udue1"]))).sweep()
        #expect(report.revoked == [grants[0].id, grants[1].id] && report.failed == [grants[2].id], "\(report)")
        let sentences = try fixture.store.read { reader in try grants.map { try reader.timeline(of: $0.requestID).last?.payload.sentence ?? "" } }
        #expect(sentences[0] == "temporary access ended (GRANT-1): the user is no longer a member of Engineering (Okta answered \"not found\")", "\(sentences[0])")
        #expect(sentences[1] == "temporary access ended (GRANT-2): the user is no longer in Okta; the access went with the account (Okta answered \"not found\")", "\(sentences[1])")
        let held = try #require(try fixture.store.read { try $0.grant(grants[2].id) })
        #expect(held.state == .scheduled && held.attempts == 1, "still held: tried again later")
    }

    /// A user's groups answered "not found" while the account is still there is no proof the
    /// access went: the revoke fails and is tried again.
    @Test func aUserTakenForGoneOnOneReadIsAskedForAgain() async throws {
        let grant = try #require(try await dueGrants(1).first)
        let report = try await AccessSweeper(engine: engine(GroupsOfUserNotFound(fixture.directory))).sweep()
        #expect(report.revoked.isEmpty && report.failed == [grant.id], "\(report)")
    }

    /// A revoke that got no answer, and whose user was then deleted: reconcile finds the account
    /// gone (its groups and its own read both "not found") and the grant revoked, where it used to
    /// try to read the groups for ever.
    @Test func reconcileTakesADeletedUsersRevokeForDone() async throws {
        let grant = try #require(try await dueGrants(1).first)
        #expect(try await AccessSweeper(engine: engine(SilentRevokes(fixture.directory))).sweep().unknown == [grant.id])
        fixture.clock.advance(by: 600)
        let settled = try await Reconciler(engine: engine(NotFoundRevokes(fixture.directory, goneUsers: ["00udue0"]))).reconcile(by: "helpdesk")
        #expect(settled.map(\.finding) == [.applied] && settled.first?.summary == "is no longer in Okta; the access went with the account", "\(settled)")
        #expect(try fixture.store.read { try $0.grant(grant.id) }?.state == .revoked)
    }

    /// A sweep asked to stop before it begins claims nothing.
    @Test func aSweepAskedToStopClaimsNothing() async throws {
        let grants = try await dueGrants(2)
        let report = try await AccessSweeper(engine: fixture.engine).sweep(stopping: { true })
        #expect(report.revoked.isEmpty && report.leftForLater == 2)
        #expect(try states(grants) == [.scheduled, .scheduled])
    }
}

/// Okta takes 70 s of the clock to answer each revoke.
final class SlowRevokes: ForwardingDirectory, @unchecked Sendable {
    // The clock is Sendable and the wrapped directory is immutable; nothing else is stored.
    let clock: ManualClock

    init(_ inner: any IdentityDirectory, clock: ManualClock) {
        self.clock = clock
        super.init(inner)
    }

    override func removeFromGroup(userID: String, groupID: String) async throws -> DirectoryReceipt {
        clock.advance(by: 70)
        return try await inner.removeFromGroup(userID: userID, groupID: groupID)
    }
}

/// Revokes wait at a gate; then `refusal` says which users' revokes Okta refuses, and how; the others are done.
final class GatedRevokes: ForwardingDirectory, @unchecked Sendable {
    // The gate and the closure are Sendable and fixed; the wrapped directory is immutable.
    let gate: AsyncGate
    let refusal: @Sendable (String) -> DirectoryError?

    init(_ inner: any IdentityDirectory, gate: AsyncGate, refusal: @escaping @Sendable (String) -> DirectoryError? = { _ in nil }) {
        self.gate = gate
        self.refusal = refusal
        super.init(inner)
    }

    /// Revokes of `users` refused as Okta's 503.
    convenience init(_ inner: any IdentityDirectory, gate: AsyncGate, failing users: Set<String>) {
        self.init(inner, gate: gate) { users.contains($0) ? DirectoryError(kind: .unavailable, httpStatus: 503, summary: "Service Unavailable") : nil }
    }

    override func removeFromGroup(userID: String, groupID: String) async throws -> DirectoryReceipt {
        await gate.wait()
        if let refused = refusal(userID) { throw refused }
        return try await inner.removeFromGroup(userID: userID, groupID: groupID)
    }
}

/// Okta never answers a revoke (and does not act on it); its state can be read.
final class SilentRevokes: ForwardingDirectory, @unchecked Sendable {
    override func removeFromGroup(userID: String, groupID: String) async throws -> DirectoryReceipt {
        throw DirectoryError(kind: .outcomeUnknown, summary: "no answer from acme.okta.com after 4 tries (The request timed out.)")
    }
}

/// Okta answers every revoke "not found" (the group deleted), and the users in `goneUsers` are gone.
final class NotFoundRevokes: ForwardingDirectory, @unchecked Sendable {
    // Fixed at creation; the wrapped directory is immutable.
    let goneUsers: Set<String>

    init(_ inner: any IdentityDirectory, goneUsers: Set<String>) {
        self.goneUsers = goneUsers
        super.init(inner)
    }

    override func removeFromGroup(userID: String, groupID: String) async throws -> DirectoryReceipt {
        throw DirectoryError(kind: .notFound, httpStatus: 404, summary: "Not found: Resource not found: \(groupID) (UserGroup)", subject: "group \(groupID)")
    }

    override func groups(ofUser userID: String) async throws -> [DirectoryGroup] {
        if goneUsers.contains(userID) { throw Self.gone(userID) }
        return try await inner.groups(ofUser: userID)
    }

    override func user(_ lookup: UserLookup) async throws -> DirectoryUser {
        if case .id(let id) = lookup, goneUsers.contains(id) { throw Self.gone(id) }
        return try await inner.user(lookup)
    }

    static func gone(_ userID: String) -> DirectoryError {
        DirectoryError(kind: .notFound, httpStatus: 404, summary: "Not found: Resource not found: \(userID) (User)", subject: "user \(userID)")
    }
}

/// Okta answers a user's groups "not found", yet has the user: a read that lies.
final class GroupsOfUserNotFound: ForwardingDirectory, @unchecked Sendable {
    override func removeFromGroup(userID: String, groupID: String) async throws -> DirectoryReceipt {
        throw DirectoryError(kind: .notFound, httpStatus: 404, summary: "Not found", subject: "group \(groupID)")
    }

    override func groups(ofUser userID: String) async throws -> [DirectoryGroup] {
        throw NotFoundRevokes.gone(userID)
    }
}
