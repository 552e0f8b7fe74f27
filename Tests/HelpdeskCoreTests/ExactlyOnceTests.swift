import Foundation
@testable import HelpdeskCore
import HelpdeskTestSupport
import OktaClient
import SQLiteStore
import Synchronization
import Testing

/// The action path under faults: a dropped answer settled by reconcile, a stopped runner that
/// resumes after reconcile, Okta's state unreadable for a while, a store that refuses the first
/// write after Okta answered, and a revoke that keeps failing.
@Suite struct ExactlyOnceTests {
    let alex = DemoTeamFixture.alex, sam = DemoTeamFixture.sam

    /// The engine over real HTTP to an Okta stand-in, a store file, the real clock.
    struct OverHTTP {
        let folder = TemporaryDirectory("helpdesk-http-engine")
        let standIn: OktaStandIn
        let store: any RequestStore
        let engine: ActionEngine

        init(callWindow: TimeInterval = 60, directory wrap: (any IdentityDirectory) -> any IdentityDirectory = { $0 }) throws {
            standIn = try OktaStandIn()
            let settings = OktaSettings(org: try OrgURL(standIn.orgURL), token: try APIToken(standIn.token))
            store = try TestStore.open(in: folder)
            engine = ActionEngine(store: store, directory: wrap(OktaDirectory(client: OktaHTTPClient(settings: settings))), clock: SystemClock(),
                                  policy: .default, team: DemoTeamFixture.team, runner: "test:1", callWindow: callWindow)
        }

        func request(_ email: String) throws -> Request {
            try store.create(Fixtures.newRequest("check", requester: email), by: "intake", at: Date())
        }

        func kinds(_ id: RequestID) throws -> [EventKind] { try store.read { try $0.timeline(of: id) }.map(\.kind) }
    }

    @Test func aResetWhoseAnswerWasLostIsUnknownThenReconciledAsApplied() async throws {
        let world = try OverHTTP()
        defer { world.standIn.stop() }
        let request = try world.request("jane.doe@example.com")
        let approval = try #require({ if case .awaitingApproval(let a) = $0 { a } else { nil } }(try await world.engine.ask(.resetMFA, on: request.id, reason: "lost phone", by: alex)))
        world.standIn.inject(.init("POST", "/lifecycle/reset_factors", .dropAfterDoing))
        let outcome = try await world.engine.approve(approval.id, by: sam)
        #expect(outcome.run.state == .unknown)
        #expect(world.standIn.count("POST", "/lifecycle/reset_factors") == 1)

        let results = try await Reconciler(engine: world.engine).reconcile(request.id, by: "alex")
        #expect(results.map(\.finding) == [.applied])
        #expect(world.standIn.count("POST", "/lifecycle/reset_factors") == 1, "reconcile only reads")
        #expect(try world.kinds(request.id).suffix(3) == [.actionStarted, .actionFailed, .actionReconciled])
    }

    @Test func aMembershipWhoseAnswersWereAllLostIsUnknownThenReconciledWithItsRevoke() async throws {
        let world = try OverHTTP()
        defer { world.standIn.stop() }
        let request = try world.request("ethan.brooks@example.com")
        let group = try #require(try await world.standIn.tenant.findGroups("AWS Production", limit: 1).first)
        let approval = try #require({ if case .awaitingApproval(let a) = $0 { a } else { nil } }(
            try await world.engine.ask(.addToGroup(group.ref, expiry: AccessDuration(2, .hours)), on: request.id, reason: "on call", by: alex)))
        world.standIn.inject(.init("PUT", "/users/" + (try await world.standIn.tenant.user(.email(Fixtures.email("ethan.brooks@example.com"))).id), .dropAfterDoing, times: 20))
        let outcome = try await world.engine.approve(approval.id, by: DemoTeamFixture.morgan)
        #expect(outcome.run.state == .unknown, "Okta may have added him: not 'failed'")
        #expect(outcome.grant == nil)
        let results = try await Reconciler(engine: world.engine).reconcile(request.id, by: "alex")
        #expect(results.map(\.finding) == [.applied])
        let grants = try world.store.read { try $0.grants(of: request.id) }
        #expect(grants.count == 1, "the temporary access has its revoke, so it does not become permanent")
    }

    @Test func aStoppedRunnerResumedAfterReconcileSendsNothing() async throws {
        let gate = AsyncGate()
        let world = try OverHTTP(callWindow: 0.5) { GatedDirectory($0, gate: gate) }
        defer { world.standIn.stop() }
        let request = try world.request("jane.doe@example.com")
        // The runner is stopped (Ctrl-Z) after writing the run ahead and before sending the suspend.
        let asking = Task { try await world.engine.ask(.suspend, on: request.id, reason: "odd sign-in", by: alex) }
        #expect(try await eventually { try world.store.read { try $0.runs(of: request.id) }.first?.state == .started })
        #expect(await eventually { gate.waiting == 1 }, "the runner is stopped at its call")
        try await Task.sleep(nanoseconds: 800_000_000)

        let reconciler = Reconciler(engine: world.engine, margin: 0.1, recordingGrace: 0.1, runnerIsAlive: { _ in true })
        let settled = try await reconciler.reconcile(request.id, by: "jordan")
        #expect(settled.map(\.finding) == [.notApplied])
        #expect(settled.map(\.settled) == [true])

        // The runner resumes: its run is no longer its own, and its time has run out.
        gate.open()
        let outcome = try await asking.value
        guard case .ran(let ran) = outcome else { throw Refusal("expected a run") }
        #expect(!ran.succeeded)
        #expect(world.standIn.count("POST", "/lifecycle/suspend") == 0, "nothing was sent late")
        #expect(try await world.standIn.tenant.user(.email(Fixtures.email("jane.doe@example.com"))).status == .active)
        #expect(try world.store.read { try $0.runs(of: request.id) }.map(\.state) == [.reconciled])
    }

    @Test func reconcileWaitsOutAnOktaThatCannotBeReadAndTheGrantIsRevokedOnce() async throws {
        let fixture = try EngineFixture()
        let flaky = FlakyReads(fixture.directory)
        let engine = ActionEngine(store: fixture.store, directory: flaky, clock: fixture.clock, policy: .default, team: DemoTeamFixture.team)
        let request = try fixture.request()
        let engineering = try await fixture.group("Engineering")
        let approval = try fixture.awaiting(try await engine.ask(.addToGroup(engineering, expiry: AccessDuration(1, .hours)), on: request.id, reason: "on call", by: alex))
        let granted = try await engine.approve(approval.id, by: sam)
        let grant = try #require(granted.grant)
        fixture.clock.advance(by: 3_601)
        // A sweep claimed the revoke and its process died before calling Okta.
        let jane = try await fixture.userID("jane.doe")
        _ = try fixture.store.write { writer in
            _ = try writer.moveGrant(grant.id, from: .scheduled, to: .revoking, by: systemActor, at: fixture.clock.now())
            return try writer.insertRun(NewActionRun(requestID: request.id, action: .removeFromGroup(engineering), targetUserID: jane, approvalID: nil,
                                                     revokesGrant: grant.id, startedBy: systemActor, startedAt: fixture.clock.now(), runner: "gone:1",
                                                     deadline: fixture.clock.now().addingTimeInterval(60)))
        }
        let reconciler = Reconciler(engine: engine, runnerIsAlive: { _ in false })

        flaky.failing = true
        for _ in 0..<3 {
            let tried = try await reconciler.reconcile(by: systemActor)
            #expect(tried.map(\.settled) == [false])
            #expect(tried.first?.summary.contains("Okta's state could not be read") == true)
            #expect(try fixture.store.read { try $0.grant(grant.id) }?.state == .revoking, "the grant stays as it is")
            fixture.clock.advance(by: 30)
        }
        #expect(try await reconciler.reconcile(by: systemActor, dueOnly: true).isEmpty, "backing off: not due again yet")
        #expect(try fixture.kinds(request.id).filter { $0 == .alert }.count == 1, "said once on the timeline, not at every try")

        flaky.failing = false
        fixture.clock.advance(by: 300)
        let healed = try await reconciler.reconcile(by: systemActor)
        #expect(healed.map(\.finding) == [.notApplied])
        let again = try #require(try fixture.store.read { try $0.grant(grant.id) })
        #expect(again.state == .scheduled && again.attempts == 1, "due again, a failed try counted")
        #expect(try await AccessSweeper(engine: engine).sweep().revoked.isEmpty, "after the first try's minute")
        fixture.clock.advance(by: 60)
        let swept = try await AccessSweeper(engine: engine).sweep()
        #expect(swept.revoked == [grant.id])
        #expect(try await AccessSweeper(engine: engine).sweep().revoked.isEmpty)
        #expect(fixture.directory.actionCalls.filter { $0.hasPrefix("remove-from-group") }.count == 1, "revoked once")
    }

    @Test func aRevokeThatFailsAfterReconcileSettledItIsAnAlertNotAFailure() async throws {
        let fixture = try EngineFixture()
        let gate = AsyncGate()
        let refusing = GatedRevokes(fixture.directory, gate: gate) { _ in DirectoryError(kind: .forbidden, httpStatus: 403, summary: "no permission") }
        let engine = ActionEngine(store: fixture.store, directory: refusing, clock: fixture.clock, policy: .default, team: DemoTeamFixture.team)
        let request = try fixture.request()
        let engineering = try await fixture.group("Engineering")
        let approval = try fixture.awaiting(try await engine.ask(.addToGroup(engineering, expiry: AccessDuration(1, .hours)), on: request.id, reason: "on call", by: alex))
        let grant = try #require(try await engine.approve(approval.id, by: sam).grant)
        fixture.clock.advance(by: 3_601)

        // The sweep's revoke is on its way to Okta and stalls there; reconcile, past the run's
        // deadline and margin, finds her still a member and settles it as not applied.
        let sweeping = Task { try await AccessSweeper(engine: engine).sweep() }
        #expect(try await eventually { try fixture.store.read { try $0.grant(grant.id) }?.state == .revoking })
        // Past its check of the call's deadline and stopped at the call: only then does time move on.
        #expect(await eventually { gate.waiting == 1 })
        fixture.clock.advance(by: 400)
        let settled = try await Reconciler(engine: engine).reconcile(by: systemActor)
        #expect(settled.map(\.finding) == [.notApplied])
        #expect(try fixture.store.read { try $0.grant(grant.id) }?.state == .scheduled)

        // Then Okta's refusal arrives: said on the timeline as late, and the grant is left as reconcile set it.
        gate.open()
        let report = try await sweeping.value
        #expect(report.failed.isEmpty && report.unknown.isEmpty && report.revoked.isEmpty, "\(report)")
        let timeline = try fixture.store.read { try $0.timeline(of: request.id) }
        #expect(timeline.last?.kind == .alert)
        #expect(timeline.last?.payload.sentence.contains("came after it had been settled as reconciled") == true)
        #expect(!timeline.suffix(2).contains { $0.kind == .actionFailed })
        let after = try #require(try fixture.store.read { try $0.grant(grant.id) })
        #expect(after.state == .scheduled && after.attempts == 1, "reconcile counted the try it found not done")
    }

    @Test func oktasAnswerIsRecordedWhenTheFirstWriteAfterItFails() async throws {
        let fixture = try EngineFixture()
        let store = FlakyStore(fixture.store)
        let engine = ActionEngine(store: store, directory: FailWritesWhenActing(fixture.directory, store: store), clock: fixture.clock, policy: .default,
                                  team: DemoTeamFixture.team)
        let request = try fixture.request("zoe.martin@example.com", "Locked out")
        let outcome = try fixture.ran(try await engine.ask(.unlock, on: request.id, reason: "locked out", by: alex))
        #expect(outcome.succeeded, "\(outcome.message)")
        #expect(store.failedWrites == 1)
        let events = try fixture.store.read { try $0.timeline(of: request.id) }
        let recorded = try #require(events.last { $0.kind == .actionSucceeded })
        #expect(recorded.payload.oktaRequestID?.hasPrefix("sim-") == true, "Okta's request id is kept")
        #expect(try fixture.store.read { try $0.runs(of: request.id) }.map(\.state) == [.succeeded])
    }

    @Test func aRevokeThatKeepsFailingBacksOffThenFailsWithAnAlert() async throws {
        let fixture = try EngineFixture()
        let request = try fixture.request()
        let engineering = try await fixture.group("Engineering")
        let approval = try fixture.awaiting(try await fixture.engine.ask(.addToGroup(engineering, expiry: AccessDuration(1, .hours)), on: request.id, reason: "x", by: alex))
        let grant = try #require(try await fixture.engine.approve(approval.id, by: sam).grant)
        fixture.clock.advance(by: 3_601)
        let sweeper = AccessSweeper(engine: fixture.engine, maxAttempts: 5)
        var waits: [TimeInterval] = []
        var last = AccessSweeper.Report()
        for _ in 0..<5 {
            await fixture.tenant.failNext(.removeFromGroup, with: DirectoryError(kind: .forbidden, httpStatus: 403, summary: "no permission"))
            last = try await sweeper.sweep()
            #expect(try await sweeper.sweep().failed.isEmpty, "never twice in a row")
            guard let next = try fixture.store.read({ try $0.grant(grant.id) })?.nextAttemptAt else { break }
            waits.append(next.timeIntervalSince(fixture.clock.now()))
            fixture.clock.set(next)
        }
        #expect(waits == [60, 300, 1_800, 3_600])
        #expect(last.gaveUp == [grant.id])
        #expect(try fixture.store.read { try $0.grant(grant.id) }?.state == .failed)
        let timeline = try fixture.store.read { try $0.timeline(of: request.id) }
        #expect(timeline.filter { $0.kind == .actionFailed }.count == 5)
        let alert = try #require(timeline.last { $0.kind == .alert })
        #expect(alert.payload.sentence.contains("could not be revoked after 5 tries"))
        fixture.clock.advance(by: 86_400)
        #expect(try await sweeper.sweep() == AccessSweeper.Report(), "a failed grant is left for a person")
    }
}

/// A directory whose suspend waits at the gate before going on: a process stopped just before its call.
final class GatedDirectory: ForwardingDirectory, @unchecked Sendable {
    // The gate is Sendable and the wrapped directory is immutable; nothing else is stored.
    let gate: AsyncGate

    init(_ inner: any IdentityDirectory, gate: AsyncGate) {
        self.gate = gate
        super.init(inner)
    }

    override func suspend(userID: String) async throws -> DirectoryReceipt {
        await gate.wait()
        return try await inner.suspend(userID: userID)
    }
}

/// A directory whose look-ups fail while `failing` is set: an Okta that answers 5xx.
final class FlakyReads: ForwardingDirectory, @unchecked Sendable {
    // `failing` is behind a lock; the wrapped directory is immutable.
    private let flag = Mutex(false)
    var failing: Bool {
        get { flag.withLock { $0 } }
        set { flag.withLock { $0 = newValue } }
    }

    private func check() throws {
        if failing { throw DirectoryError(kind: .unavailable, httpStatus: 503, summary: "Service Unavailable") }
    }

    override func groups(ofUser userID: String) async throws -> [DirectoryGroup] {
        try check()
        return try await inner.groups(ofUser: userID)
    }
}

/// A directory that makes the store refuse its next write as soon as an action reaches Okta.
final class FailWritesWhenActing: ForwardingDirectory, @unchecked Sendable {
    // Both stored values are Sendable and never change.
    let store: FlakyStore

    init(_ inner: any IdentityDirectory, store: FlakyStore) {
        self.store = store
        super.init(inner)
    }

    override func unlock(userID: String) async throws -> DirectoryReceipt {
        let receipt = try await inner.unlock(userID: userID)
        store.failNextWrites(1)
        return receipt
    }
}

/// A store that refuses its next writes as a busy database does.
final class FlakyStore: RequestStore {
    let inner: any RequestStore
    private let toFail = Mutex(0)
    private let failed = Mutex(0)

    init(_ inner: any RequestStore) { self.inner = inner }

    func failNextWrites(_ count: Int) { toFail.withLock { $0 = count } }
    var failedWrites: Int { failed.withLock { $0 } }

    func read<T>(_ body: (any StoreReader) throws -> T) throws -> T { try inner.read(body) }

    func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T {
        let fail = toFail.withLock { count -> Bool in
            guard count > 0 else { return false }
            count -= 1
            return true
        }
        if fail {
            failed.withLock { $0 += 1 }
            throw StoreError.busy(path: inner.location)
        }
        return try inner.write(body)
    }

    func changeToken() throws -> Int64 { try inner.changeToken() }
    var location: String { inner.location }
}
