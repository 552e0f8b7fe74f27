import Foundation
@testable import HelpdeskCore
import HelpdeskTestSupport
import OktaClient
import Testing

/// Four-eyes by Okta identity: nobody approves an action on their own Okta account or one they
/// asked for, whatever login, +tag or letter case the configuration or the request uses.
@Suite struct FourEyesTests {
    static let mei = DirectoryUser(id: "00umei", login: "mchen@example.com", email: "m.chen@example.com", firstName: "Mei", lastName: "Chen", status: .active)
    let alex = DemoTeamFixture.alex, morgan = DemoTeamFixture.morgan

    func fixture(_ extra: [Operator], policy: ApprovalPolicy = .default) async throws -> EngineFixture {
        let fixture = try EngineFixture(policy: policy, team: Team(DemoTeamFixture.team.operators.values.sorted { $0.login < $1.login } + extra))
        await fixture.tenant.add(Self.mei, factors: [DirectoryFactor(id: "opf9", type: "push", provider: "OKTA", status: "ACTIVE")])
        return fixture
    }

    static func approver(_ login: String, _ email: String) -> Operator {
        Operator(login: login, email: Fixtures.email(email), roles: [.approver])
    }

    /// A pending approval written straight to the store, as one asked under another configuration
    /// (or by an older build) would be.
    static func recorded(_ action: OktaAction, on request: Request, asker: String, askerID: String? = nil, approver: EligibleApprover,
                         target: String, in fixture: EngineFixture) throws -> Approval {
        let now = fixture.clock.now()
        return try fixture.store.write { writer in
            try writer.insertApproval(NewApproval(requestID: request.id, action: action, reason: "x", requestedBy: asker, requestedAt: now,
                                                  expiresAt: now.addingTimeInterval(3600), approvers: [approver], targetUserID: target, requestedByOktaID: askerID))
        }
    }

    @Test func anApproverWhoseConfiguredEmailIsATaggedAliasCannotApprove() async throws {
        let tagged = Self.approver("mchen", "m.chen+ops@example.com")
        let fixture = try await fixture([tagged])
        let request = try fixture.request("m.chen@example.com", "Lost my phone")
        let approval = try fixture.awaiting(try await fixture.engine.ask(.resetMFA, on: request.id, reason: "lost phone", by: alex))
        #expect(!approval.approvers.contains { $0.login == "mchen" }, "no Okta account has that address, so she is not eligible")
        await #expect {
            try await fixture.engine.approve(approval.id, by: tagged)
        } throws: { "\($0)".contains("was not found by the email m.chen+ops@example.com") }
        #expect(fixture.directory.actionCalls.isEmpty)
    }

    @Test func aRequestFiledUnderSomeonesLoginIsNotTheirAccount() async throws {
        let fixture = try await fixture([])
        let request = try fixture.request("mchen@example.com", "Lost my phone")
        await #expect {
            try await fixture.engine.ask(.resetMFA, on: request.id, reason: "lost phone", by: alex)
        } throws: { "\($0)".contains("Okta has no user with the email mchen@example.com") }
    }

    @Test func letterCaseDoesNotHideTheApproversOwnAccount() async throws {
        let shouting = Self.approver("mchen2", "M.Chen@Example.COM")
        let policy = ApprovalPolicy(overrides: [.resetMFA: .init(approvalRequired: true, approvers: ["mchen2"])])
        let fixture = try await fixture([shouting], policy: policy)
        let request = try fixture.request("m.chen@example.com", "Lost my phone")
        let approval = try fixture.awaiting(try await fixture.engine.ask(.resetMFA, on: request.id, reason: "lost phone", by: alex))
        #expect(!approval.approvers.contains { $0.login == "mchen2" }, "named by the policy, but the request is for her own account")

        // Even an approval that lists her (the configuration changed after it was asked) is refused.
        let listed = try Self.recorded(.resetFactor(FactorRef(id: "opf9", type: "push")), on: request, asker: "alex",
                                       approver: EligibleApprover(login: "mchen2", basis: .policy), target: "00umei", in: fixture)
        await #expect {
            try await fixture.engine.approve(listed.id, by: shouting)
        } throws: { "\($0)".contains("cannot approve actions on their own account") }
        #expect(fixture.directory.actionCalls.isEmpty)
    }

    @Test func theApproversOktaAccountIsComparedNotTheRequestsEmail() async throws {
        let mei = Self.approver("mei", "m.chen@example.com")
        let fixture = try await fixture([mei])
        // The request's address is not hers, but the action it asks for is on her Okta account.
        let request = try fixture.request("jane.doe@example.com", "Access")
        let listed = try Self.recorded(.unsuspend, on: request, asker: "alex",
                                       approver: EligibleApprover(login: "mei", basis: .approverRole), target: "00umei", in: fixture)
        await #expect {
            try await fixture.engine.approve(listed.id, by: mei)
        } throws: { "\($0)".contains("mei is, in Okta, the person \(request.id) is for") }
        #expect(fixture.directory.actionCalls.isEmpty)
    }

    @Test func anotherLoginOfTheAskerCannotApprove() async throws {
        let second = Self.approver("morgan-admin", "morgan.patel@example.com")
        let fixture = try await fixture([second])
        let request = try fixture.request("jane.doe@example.com", "Lost my phone")
        let approval = try fixture.awaiting(try await fixture.engine.ask(.resetMFA, on: request.id, reason: "lost phone", by: morgan))
        #expect(!approval.approvers.contains { $0.login == "morgan-admin" }, "the same person as the asker in Okta")
        #expect(approval.requestedByOktaID == (try await fixture.userID("morgan.patel")))

        let (jane, morganID) = (try await fixture.userID("jane.doe"), try await fixture.userID("morgan.patel"))
        let listed = try Self.recorded(.revokeSessions(oauthTokens: true), on: request, asker: "morgan", askerID: morganID,
                                       approver: EligibleApprover(login: "morgan-admin", basis: .approverRole), target: jane, in: fixture)
        await #expect {
            try await fixture.engine.approve(listed.id, by: second)
        } throws: { "\($0)".contains("is, in Okta, the person who asked for \(listed.id) (as morgan)") }
    }

    @Test func anAskerWithoutAnOktaAccountCannotAskForAnApproval() async throws {
        // The same person under two logins: one configured with an address Okta does not know.
        let unknownAsker = Operator(login: "morgan", email: Fixtures.email("morgan.typo@example.com"), roles: [.agent])
        let second = Self.approver("morgan-admin", "morgan.patel@example.com")
        let team = Team(DemoTeamFixture.team.operators.values.filter { $0.login != "morgan" }.sorted { $0.login < $1.login } + [unknownAsker, second])
        let fixture = try EngineFixture(team: team)
        let request = try fixture.request("jane.doe@example.com", "Lost my phone")
        await #expect {
            try await fixture.engine.ask(.resetMFA, on: request.id, reason: "lost phone", by: unknownAsker)
        } throws: { "\($0)".contains("morgan's Okta account was not found by the email morgan.typo@example.com") }
        #expect(try fixture.store.read { try $0.approvals(of: request.id) }.isEmpty)

        // An approval on record without its asker's Okta id cannot be approved either.
        let jane = try await fixture.userID("jane.doe")
        let listed = try Self.recorded(.revokeSessions(oauthTokens: true), on: request, asker: "morgan",
                                       approver: EligibleApprover(login: "morgan-admin", basis: .approverRole), target: jane, in: fixture)
        await #expect {
            try await fixture.engine.approve(listed.id, by: second)
        } throws: { "\($0)".contains("was asked without the asker's Okta account on record") }
        #expect(fixture.directory.actionCalls.isEmpty)
    }

    @Test func theApproversOktaIdIsRecordedWithTheDecision() async throws {
        let fixture = try await fixture([])
        let request = try fixture.request("jane.doe@example.com", "Lost my phone")
        let approval = try fixture.awaiting(try await fixture.engine.ask(.resetMFA, on: request.id, reason: "lost phone", by: alex))
        _ = try await fixture.engine.approve(approval.id, by: DemoTeamFixture.sam)
        let decided = try #require(try fixture.store.read { try $0.approval(approval.id) })
        #expect(decided.decidedByOktaID == (try await fixture.userID("sam.lee")))
    }

    @Test func aManagerWhoCannotBeReadFailsTheAskInsteadOfVanishingFromTheApprovers() async throws {
        let fixture = try EngineFixture()
        let flaky = FailingManagerLookups(fixture.directory, managerID: try await fixture.userID("sam.lee"))
        let engine = ActionEngine(store: fixture.store, directory: flaky, clock: fixture.clock, policy: .default, team: DemoTeamFixture.team)
        let request = try fixture.request("jane.doe@example.com", "Lost my phone")
        await #expect {
            try await engine.ask(.resetMFA, on: request.id, reason: "lost phone", by: alex)
        } throws: { "\($0)".contains("could not read jane.doe@example.com's manager from Okta") }
        #expect(try fixture.store.read { try $0.approvals(of: request.id) }.isEmpty)
    }
}

/// Okta failing (5xx) to read one user: the requester's manager.
final class FailingManagerLookups: ForwardingDirectory, @unchecked Sendable {
    // Both stored values never change.
    let managerID: String

    init(_ inner: any IdentityDirectory, managerID: String) {
        self.managerID = managerID
        super.init(inner)
    }

    override func user(_ lookup: UserLookup) async throws -> DirectoryUser {
        if lookup == .id(managerID) { throw DirectoryError(kind: .unavailable, httpStatus: 503, summary: "Service Unavailable") }
        return try await inner.user(lookup)
    }
}
