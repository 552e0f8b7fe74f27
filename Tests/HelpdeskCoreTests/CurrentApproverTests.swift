import Foundation
@testable import HelpdeskCore
import HelpdeskTestSupport
import OktaClient
import Testing

/// Who may decide an approval is the configuration's and Okta's answer now, not only when it was
/// asked: a role taken away, a name taken off the policy, a manager who no longer is one — each
/// ends the right to approve or deny at once; any reason that still holds keeps it. And an
/// approval past its time is not decided, even before it is recorded as expired.
@Suite struct CurrentApproverTests {
    let alex = DemoTeamFixture.alex, jordan = DemoTeamFixture.jordan, morgan = DemoTeamFixture.morgan, sam = DemoTeamFixture.sam

    /// The service started again over the same store and tenant with another configuration.
    func restarted(_ fixture: EngineFixture, changing changed: [Operator] = [], policy: ApprovalPolicy? = nil, directory: (any IdentityDirectory)? = nil) -> ActionEngine {
        let logins = Set(changed.map(\.login))
        let team = Team(fixture.engine.team.operators.values.filter { !logins.contains($0.login) } + changed)
        return ActionEngine(store: fixture.store, directory: directory ?? fixture.directory, clock: fixture.clock, policy: policy ?? fixture.engine.policy, team: team)
    }

    func pending(_ fixture: EngineFixture, _ approval: Approval) throws -> Bool {
        try fixture.store.read { try $0.approval(approval.id) }?.state == .pending
    }

    @Test func anApproverWhoseRoleIsTakenAwayNoLongerDecides() async throws {
        let fixture = try EngineFixture()
        let request = try fixture.request()
        let approval = try fixture.awaiting(try await fixture.engine.ask(.resetMFA, on: request.id, reason: "lost phone", by: alex))
        #expect(approval.approvers.contains(where: { $0.login == "morgan" && $0.basis == .approverRole }))
        let demoted = Operator(login: "morgan", email: morgan.email, roles: [.agent])
        let engine = restarted(fixture, changing: [demoted])
        await #expect { _ = try await engine.approve(approval.id, by: demoted) } throws: { "\($0)".contains("may no longer decide \(approval.id)") }
        await #expect { _ = try await engine.deny(approval.id, by: demoted, reason: "no") } throws: { "\($0)".contains("may no longer decide") }
        #expect(fixture.directory.actionCalls.isEmpty)
        #expect(try pending(fixture, approval))

        let removed = ActionEngine(store: fixture.store, directory: fixture.directory, clock: fixture.clock, policy: fixture.engine.policy,
                                   team: Team(fixture.engine.team.operators.values.filter { $0.login != "morgan" }))
        await #expect { _ = try await removed.approve(approval.id, by: morgan) } throws: { "\($0)".contains("no longer an operator") }
        #expect(try await engine.approve(approval.id, by: sam).succeeded, "the manager still is one")
    }

    @Test func aLoginTakenOffThePolicyNoLongerDecides() async throws {
        let named = ApprovalPolicy(overrides: [.resetMFA: .init(approvalRequired: true, approvers: ["jordan"])])
        let fixture = try EngineFixture(policy: named)
        let request = try fixture.request()
        let approval = try fixture.awaiting(try await fixture.engine.ask(.resetMFA, on: request.id, reason: "lost phone", by: alex))
        #expect(approval.approvers.contains(where: { $0.login == "jordan" && $0.basis == .policy }))
        let engine = restarted(fixture, policy: .default)
        await #expect { _ = try await engine.approve(approval.id, by: jordan) } throws: { "\($0)".contains("it was asked of them as named by the policy") }
        #expect(fixture.directory.actionCalls.isEmpty)
        #expect(try await restarted(fixture).approve(approval.id, by: jordan).succeeded, "named still, under the policy it was asked with")
    }

    @Test func aManagerWhoNoLongerIsOneNoLongerDecidesUnlessAnotherReasonHolds() async throws {
        let fixture = try EngineFixture()
        let request = try fixture.request()
        let approval = try fixture.awaiting(try await fixture.engine.ask(.resetMFA, on: request.id, reason: "lost phone", by: alex))
        #expect(approval.approvers.contains(where: { $0.login == "sam" && $0.basis == .manager }))
        let jane = try await fixture.tenant.user(.login("jane.doe@example.com"))
        let factors = try await fixture.tenant.factors(ofUser: jane.id)
        await fixture.tenant.add(DirectoryUser(id: jane.id, login: jane.login, email: jane.email, firstName: jane.firstName, lastName: jane.lastName,
                                               status: jane.status, managerID: try await fixture.userID("morgan.patel")), factors: factors)
        await #expect { _ = try await fixture.engine.approve(approval.id, by: sam) } throws: { "\($0)".contains("as the manager in Okta") }
        await #expect { _ = try await fixture.engine.deny(approval.id, by: sam, reason: "no") } throws: { "\($0)".contains("may no longer decide") }
        #expect(try pending(fixture, approval))

        let promoted = Operator(login: "sam", email: sam.email, roles: [.approver])
        #expect(try await restarted(fixture, changing: [promoted]).approve(approval.id, by: promoted).succeeded, "an approver now")
    }

    @Test func aPlansApproverWhoseRoleIsTakenAwayNoLongerApprovesIt() async throws {
        let fixture = try EngineFixture()
        let request = try fixture.request()
        let before = PlaybookEngine(reconciler: Reconciler(engine: fixture.engine, runnerIsAlive: { _ in nil }), playbooks: [PlaybookTests.offboarding])
        let ask = PlanAsk(requestID: request.id, source: .playbook("offboarding"), reason: "leaver on Friday", runAt: nil)
        let plan = try await before.start(ask, expecting: try await before.preview(ask, by: alex).steps, by: alex)
        let approval = try fixture.approval(of: plan)
        let demoted = Operator(login: "morgan", email: morgan.email, roles: [.agent])
        let after = PlaybookEngine(reconciler: Reconciler(engine: restarted(fixture, changing: [demoted]), runnerIsAlive: { _ in nil }), playbooks: [PlaybookTests.offboarding])
        await #expect { _ = try await after.approve(approval.id, by: demoted, expecting: plan.terms, comment: nil) } throws: { "\($0)".contains("may no longer decide") }
        #expect(fixture.directory.actionCalls.isEmpty)
        #expect(try pending(fixture, approval))
    }

    @Test func whenOktaCannotSayWhoTheManagerIsADenialGoesThroughAndAnApprovalWaits() async throws {
        let fixture = try EngineFixture()
        let request = try fixture.request()
        let approval = try fixture.awaiting(try await fixture.engine.ask(.resetMFA, on: request.id, reason: "lost phone", by: alex))
        let target = try #require(approval.targetUserID)
        let engine = restarted(fixture, directory: UnreadableUser(fixture.directory, id: target))
        await #expect { _ = try await engine.approve(approval.id, by: sam) } throws: {
            "\($0)".contains("Okta did not say who manages the person \(request.id) is for, so whether sam may still decide \(approval.id) is not known")
        }
        #expect(try pending(fixture, approval))
        let demoted = Operator(login: "morgan", email: morgan.email, roles: [.agent])
        let demotedEngine = restarted(fixture, changing: [demoted], directory: UnreadableUser(fixture.directory, id: target))
        await #expect { _ = try await demotedEngine.deny(approval.id, by: demoted, reason: "no") } throws: {
            "\($0)".contains("whether morgan may still decide \(approval.id) is not known")
        }
        #expect(try pending(fixture, approval), "asked as an approver, whose role is gone: refused while Okta cannot say more")
        #expect(try await engine.deny(approval.id, by: sam, reason: "not without a call to her").state == .denied, "asked as the manager: the safe way is not held up")
    }

    @Test func anApprovalThatExpiresWhileOktaIsAskedIsNotDecided() async throws {
        let fixture = try EngineFixture()
        let request = try fixture.request()
        let approval = try fixture.awaiting(try await fixture.engine.ask(.resetMFA, on: request.id, reason: "lost phone", by: alex))
        let slow = SlowDirectory(fixture.directory, clock: fixture.clock, by: approval.expiresAt.timeIntervalSince(fixture.clock.now()) + 1)
        let engine = restarted(fixture, directory: slow)
        await #expect { _ = try await engine.approve(approval.id, by: sam) } throws: { "\($0)".contains("expired unanswered") }
        #expect(fixture.directory.actionCalls.isEmpty)
    }
}

/// A directory whose every user look-up takes `seconds` of the manual clock.
private final class SlowDirectory: ForwardingDirectory, @unchecked Sendable {
    // The clock is the test's (its own lock); the time to add never changes.
    private let clock: ManualClock
    private let seconds: TimeInterval

    init(_ inner: any IdentityDirectory, clock: ManualClock, by seconds: TimeInterval) {
        self.clock = clock
        self.seconds = seconds
        super.init(inner)
    }

    override func user(_ lookup: UserLookup) async throws -> DirectoryUser {
        clock.advance(by: seconds)
        return try await inner.user(lookup)
    }
}

/// A directory that cannot read one user (Okta down for that call).
private final class UnreadableUser: ForwardingDirectory, @unchecked Sendable {
    // The id never changes.
    private let id: String

    init(_ inner: any IdentityDirectory, id: String) {
        self.id = id
        super.init(inner)
    }

    override func user(_ lookup: UserLookup) async throws -> DirectoryUser {
        if case .id(let wanted) = lookup, wanted == id { throw DirectoryError(kind: .unavailable, summary: "Okta did not answer in time") }
        return try await inner.user(lookup)
    }
}
