import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import OktaClient
import SQLiteStore

/// A real store (SQLite, or PostgreSQL with HELPDESK_TEST_STORE=postgresql), the simulated tenant behind a call counter, a manual clock and the demo team.
struct EngineFixture {
    let folder = TemporaryDirectory("helpdesk-engine")
    let clock = ManualClock()
    let tenant: SimulatedTenant
    let directory: CountingDirectory
    let store: any RequestStore
    let engine: ActionEngine
    let work: RequestWork

    init(policy: ApprovalPolicy = .default, team: Team = DemoTeamFixture.team) throws {
        tenant = SimulatedTenant(clock: clock)
        directory = CountingDirectory(tenant)
        store = try TestStore.open(in: folder)
        engine = ActionEngine(store: store, directory: directory, clock: clock, policy: policy, team: team)
        work = RequestWork(store: store, clock: clock, team: team)
    }

    /// Another connection to the same file, with its own engine: a second process.
    func secondEngine() throws -> ActionEngine {
        ActionEngine(store: try TestStore.open(in: folder), directory: directory, clock: clock, policy: engine.policy, team: engine.team)
    }

    func request(_ requester: String = "jane.doe@example.com", _ subject: String = "Lost my phone") throws -> Request {
        try store.create(Fixtures.newRequest(subject, requester: requester), by: "intake", at: clock.now())
    }

    func kinds(_ id: RequestID) throws -> [EventKind] {
        try store.read { try $0.timeline(of: id) }.map(\.kind)
    }

    func userID(_ login: String) async throws -> String {
        try await tenant.user(.login("\(login)@example.com")).id
    }

    func group(_ name: String) async throws -> GroupRef {
        guard let group = try await tenant.findGroups(name, limit: 5).first(where: { $0.name == name }) else { throw Refusal("no group \(name)") }
        return group.ref
    }

    func awaiting(_ outcome: AskOutcome) throws -> Approval {
        guard case .awaitingApproval(let approval) = outcome else { throw Refusal("expected an approval, got \(outcome)") }
        return approval
    }

    func ran(_ outcome: AskOutcome) throws -> ActionOutcome {
        guard case .ran(let result) = outcome else { throw Refusal("expected a run, got \(outcome)") }
        return result
    }

    /// The approval a plan waits for.
    func approval(of plan: Plan) throws -> Approval {
        guard let approval = try store.read({ try $0.approvals(of: plan.requestID) }).first(where: { $0.subject.plan?.planID == plan.id }) else {
            throw Refusal("no approval for \(plan.id)")
        }
        return approval
    }
}
