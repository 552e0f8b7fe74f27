import Foundation
@testable import HelpdeskCore
import HelpdeskTestSupport
import OktaClient
import Synchronization
import Testing

/// A directory whose next `user(.id)` read fails once with a garbled answer (kind .invalid), as a proxy's error page would.
final class GlitchOnceDirectory: ForwardingDirectory, @unchecked Sendable {
    private let armed = Mutex(false)
    func arm() { armed.withLock { $0 = true } }
    override func user(_ lookup: UserLookup) async throws -> DirectoryUser {
        if case .id = lookup, armed.withLock({ let was = $0; $0 = false; return was }) {
            throw DirectoryError(kind: .invalid, summary: "Okta's answer could not be read (User)")
        }
        return try await inner.user(lookup)
    }
    override func groups(ofUser userID: String) async throws -> [DirectoryGroup] {
        if armed.withLock({ let was = $0; $0 = false; return was }) {
            throw DirectoryError(kind: .invalid, summary: "Okta's answer could not be read ([Group])")
        }
        return try await inner.groups(ofUser: userID)
    }
}

/// What a third attack review of playbooks found, held: undo and temporary grants across requests,
/// one unreadable answer during reconcile, ambiguous local times, managers by another spelling.
@Suite struct PlanUndoGrantTests {
    let alex = DemoTeamFixture.alex, morgan = DemoTeamFixture.morgan, jordan = DemoTeamFixture.jordan, sam = DemoTeamFixture.sam

    func engine(_ fixture: EngineFixture, _ playbooks: [Playbook], engine: ActionEngine? = nil) -> PlaybookEngine {
        PlaybookEngine(reconciler: Reconciler(engine: engine ?? fixture.engine), playbooks: playbooks)
    }


    static let leaveEngineering = Playbook(name: "leave-eng", title: "Leave Engineering", steps: [PlaybookStep(.removeFromGroup(name: "Engineering"))])

    /// January: Jane had Engineering for a day (ended, revoked). February: she joins Engineering for
    /// good (approved). March: a plan removes it by mistake; its undo does not give it back, citing
    /// January's ended grant.
    @Test func undoDoesNotRestoreLastingMembershipBecauseOfAnOldEndedGrant() async throws {
        let fixture = try EngineFixture()
        let jane = try await fixture.userID("jane.doe")
        let engineering = try await fixture.group("Engineering")
        let r1 = try fixture.request("jane.doe@example.com", "A day in Engineering")
        let temporary = try fixture.awaiting(try await fixture.engine.ask(.addToGroup(engineering, expiry: AccessDuration(1, .days)), on: r1.id, reason: "a day", by: alex))
        _ = try await fixture.engine.approve(temporary.id, by: morgan)
        fixture.clock.advance(by: 2 * 86_400)
        let swept = try await AccessSweeper(engine: fixture.engine).sweep()
        #expect(swept.revoked.count == 1)
        #expect(try await !fixture.tenant.groups(ofUser: jane).contains { $0.id == engineering.id })

        fixture.clock.advance(by: 30 * 86_400)
        let r2 = try fixture.request("jane.doe@example.com", "Joins Engineering for good")
        let lasting = try fixture.awaiting(try await fixture.engine.ask(.addToGroup(engineering, expiry: nil), on: r2.id, reason: "joined", by: alex))
        _ = try await fixture.engine.approve(lasting.id, by: morgan)
        #expect(try await fixture.tenant.groups(ofUser: jane).contains { $0.id == engineering.id })

        fixture.clock.advance(by: 30 * 86_400)
        let r3 = try fixture.request("jane.doe@example.com", "Move")
        let playbooks = engine(fixture, [Self.leaveEngineering])
        let plan = try await playbooks.start(PlanAsk(requestID: r3.id, source: .playbook("leave-eng"), reason: "wrong person"), expecting: nil, by: alex)
        #expect(plan.state == .finished)
        let preview = try await playbooks.preview(PlanAsk(requestID: r3.id, source: .undo(plan.id), reason: "mistake"), by: alex)
        #expect(preview.steps.contains { if case .addToGroup(let g, _) = $0.action { return g.id == engineering.id }; return false },
                "the undo does not give back Jane's lasting, approved Engineering membership: steps \(preview.steps.map(\.action.summary)), notes \(preview.notes)")
    }

    /// A plan's unknown step (suspend, applied in fact) is reconciled; the one read fails with a garbled
    /// answer (.invalid). The plan stops instead of reading again.
    @Test func aGarbledReadStopsALivePlan() async throws {
        let fixture = try EngineFixture()
        let glitch = GlitchOnceDirectory(fixture.directory)
        let runnerEngine = ActionEngine(store: fixture.store, directory: glitch, clock: fixture.clock, policy: .default, team: DemoTeamFixture.team, runner: "h:1")
        let suspendThenVPN = Playbook(name: "susp", title: "Suspend", steps: [PlaybookStep(.action(.suspend)), PlaybookStep(.removeFromGroup(name: "VPN Users"))])
        let playbooks = engine(fixture, [suspendThenVPN], engine: runnerEngine)
        let request = try fixture.request("jane.doe@example.com", "Compromised")
        await fixture.tenant.failNext(.suspend, with: DirectoryError(kind: .outcomeUnknown, summary: "The request timed out."), afterApplying: true)
        let plan = try await playbooks.start(PlanAsk(requestID: request.id, source: .playbook("susp"), reason: "x"), expecting: nil, by: alex)
        #expect(plan.state == .running)
        fixture.clock.advance(by: 600)
        glitch.arm()
        _ = try await playbooks.runner.runDue(by: "helpdesk").plans
        let after = try fixture.store.read { try $0.plan(plan.id) }
        #expect(after?.state != .stopped, "one garbled read (kind .invalid) during reconcile stopped the plan: \(after?.note ?? "-")")
        fixture.clock.advance(by: 60)
        _ = try await playbooks.runner.runDue(by: "helpdesk").plans
        #expect(try fixture.store.read { try $0.plan(plan.id) }?.state == .finished, "read again, the suspend is found applied and the plan goes on")
    }

    /// DST fall-back: 02:30 happens twice in Paris on 2026-10-25; it is refused, with the way to say it.
    @Test func anAmbiguousLocalTimeIsRefused() throws {
        let now = Timestamp.parse("2026-10-01T10:00:00Z")!
        let paris = TimeZone(identifier: "Europe/Paris")!
        #expect { try PlanTime.parse("2026-10-25 02:30", now: now, zone: .fixed(paris)) } throws: {
            "\($0)".contains("happens twice in this time zone") && "\($0)".contains("2026-10-25T00:30:00.000Z for the first") && "\($0)".contains("2026-10-25T01:30:00.000Z for the second")
        }
        #expect(try PlanTime.parse("2026-10-25 04:30", now: now, zone: .fixed(paris)) == Timestamp.parse("2026-10-25T03:30:00Z"))
        #expect(try PlanTime.parse("2026-10-25T02:30:00+01:00", now: now, zone: .fixed(paris)) == Timestamp.parse("2026-10-25T01:30:00Z"))
    }

    /// A span in seconds, or with `M` alone, is refused with its reason, not as "not a time".
    @Test func aSpanInSecondsOrWithAnAmbiguousMIsRefusedWithItsReason() throws {
        let now = Timestamp.parse("2026-10-01T10:00:00Z")!
        #expect(try PlanTime.parse("90m", now: now, zone: .utc) == now.addingTimeInterval(5_400))
        #expect { try PlanTime.parse("30s", now: now, zone: .utc) } throws: { "\($0)" == "\"30s\" is in seconds; give minutes or more (90m, 36h, 10d, 2w, 3mo)" }
        #expect { try PlanTime.parse("1M", now: now, zone: .utc) } throws: { "\($0)".contains("could be minutes or months") }
    }

    /// Jane gets Engineering for a day on REQ-1. A plan on another request removes it the same day.
    /// The day ends (the sweep revokes, nothing to remove). The plan is undone afterwards: the undo
    /// looks for an ended grant among its own request's grants only, gives Engineering back for
    /// good, and nothing ever ends it.
    @Test func undoOnAnotherRequestOutlivesAnEndedGrant() async throws {
        let fixture = try EngineFixture()
        let jane = try await fixture.userID("jane.doe")
        let engineering = try await fixture.group("Engineering")
        let r1 = try fixture.request("jane.doe@example.com", "A day in Engineering")
        let temporary = try fixture.awaiting(try await fixture.engine.ask(.addToGroup(engineering, expiry: AccessDuration(1, .days)), on: r1.id, reason: "a day", by: alex))
        _ = try await fixture.engine.approve(temporary.id, by: morgan)
        let r3 = try fixture.request("jane.doe@example.com", "Move")
        let playbooks = engine(fixture, [Self.leaveEngineering])
        let plan = try await playbooks.start(PlanAsk(requestID: r3.id, source: .playbook("leave-eng"), reason: "cleanup"), expecting: nil, by: alex)
        #expect(plan.state == .finished)
        fixture.clock.advance(by: 2 * 86_400)
        let swept = try await AccessSweeper(engine: fixture.engine).sweep()
        _ = swept
        await #expect { try await playbooks.start(PlanAsk(requestID: r3.id, source: .undo(plan.id), reason: "mistake"), expecting: nil, by: alex) } throws: {
            "\($0)".contains("not given back, the temporary access (GRANT-1) ended")
        }
        fixture.clock.advance(by: 400 * 86_400)
        _ = try await AccessSweeper(engine: fixture.engine).sweep()
        let still = try await fixture.tenant.groups(ofUser: jane).contains { $0.id == engineering.id }
        #expect(!still, "a day's grant (ended and revoked) is given back for good by the undo of a plan on another request; a year later Jane is still in Engineering")
    }
    /// As above, all on one request: a day's grant (ended), then a lasting, approved add, then a plan
    /// that removes it. The undo cites the ended day and does not give the lasting membership back.
    @Test func undoOnOneRequestLosesLastingMembershipAfterAnEndedGrant() async throws {
        let fixture = try EngineFixture()
        let engineering = try await fixture.group("Engineering")
        let r1 = try fixture.request("jane.doe@example.com", "Engineering")
        let temporary = try fixture.awaiting(try await fixture.engine.ask(.addToGroup(engineering, expiry: AccessDuration(1, .days)), on: r1.id, reason: "a day", by: alex))
        _ = try await fixture.engine.approve(temporary.id, by: morgan)
        fixture.clock.advance(by: 2 * 86_400)
        _ = try await AccessSweeper(engine: fixture.engine).sweep()
        let lasting = try fixture.awaiting(try await fixture.engine.ask(.addToGroup(engineering, expiry: nil), on: r1.id, reason: "joined for good", by: alex))
        _ = try await fixture.engine.approve(lasting.id, by: morgan)
        let playbooks = engine(fixture, [Self.leaveEngineering])
        let plan = try await playbooks.start(PlanAsk(requestID: r1.id, source: .playbook("leave-eng"), reason: "wrong"), expecting: nil, by: alex)
        #expect(plan.state == .finished)
        let preview = try await playbooks.preview(PlanAsk(requestID: r1.id, source: .undo(plan.id), reason: "mistake"), by: alex)
        #expect(preview.steps.contains { if case .addToGroup(let g, _) = $0.action { return g.id == engineering.id }; return false },
                "the undo does not give back the lasting, approved membership: steps \(preview.steps.map(\.action.summary)), notes \(preview.notes)")
    }
    @Test(arguments: [" Jordan.Reyes@Example.COM ", "alex.kim@example.com", "ALEX.KIM@example.com"])
    func managerVariantsAreRefused(manager: String) async throws {
        let fixture = try EngineFixture()
        let playbooks = engine(fixture, [NewHireTests.onboarding])
        let request = try fixture.request("ana.ruiz@example.com", "New hire")
        let ask = PlanAsk(requestID: request.id, source: .playbook("onboarding"), reason: "new hire", fields: ["firstName": "Ana", "lastName": "Ruiz", "manager": manager])
        let preview = try? await playbooks.preview(ask, by: alex)
        #expect(preview == nil || preview?.steps.first?.action.summary.contains("manager none") == true, "\(manager) accepted as manager: \(preview?.steps.first?.action.summary ?? "")")
    }
}
