import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import OktaClient
import SQLiteStore
import Synchronization
import Testing

/// Okta is asked only what correctness needs.
@Suite struct OktaCallTests {
    /// The tenant, counting group reads.
    final class GroupReads: ForwardingDirectory, @unchecked Sendable {
        let reads = Mutex(0)
        override func group(id: String) async throws -> DirectoryGroup {
            reads.withLock { $0 += 1 }
            return try await super.group(id: id)
        }
        override func findGroups(_ prefix: String, limit: Int) async throws -> [DirectoryGroup] {
            reads.withLock { $0 += 1 }
            return try await super.findGroups(prefix, limit: limit)
        }
    }

    @Test func askingForAGroupReadsTheGroupOnce() async throws {
        let folder = TemporaryDirectory("helpdesk-okta-calls")
        let clock = ManualClock()
        let tenant = SimulatedTenant(clock: clock)
        let directory = GroupReads(tenant)
        let store = try TestStore.open(in: folder)
        let engine = ActionEngine(store: store, directory: directory, clock: clock, policy: .default, team: DemoTeamFixture.team)
        let backend = HelpdeskBackend(engine: engine) { login in
            guard let member = DemoTeamFixture.team.member(login) else { throw Refusal("\(login) is not an operator") }
            return member
        }
        let request = try store.create(Fixtures.newRequest("On call", requester: "ethan.brooks@example.com"), by: "intake", at: clock.now())
        let service = try backend.service(for: "alex")
        var spec = ActionSpec(.addToGroup)
        spec.group = .name("AWS Production")
        spec.duration = AccessDuration(1, .weeks)
        _ = try await service.act(ActionAsk(requestID: request.id, spec: spec, reason: "on call"))
        #expect(directory.reads.withLock { $0 } == 1, "the group found by name is the one checked, not read again")
    }

    /// A service over the loopback Okta stand-in, for counting what one ask sends.
    struct OverHTTP {
        let standIn: OktaStandIn
        let store: any RequestStore
        let service: any HelpdeskService
        let folder = TemporaryDirectory("helpdesk-okta-http")

        init() throws {
            standIn = try OktaStandIn()
            let clock = SystemClock()
            let directory = OktaDirectory(client: OktaHTTPClient(settings: OktaSettings(org: try OrgURL(standIn.orgURL), token: try APIToken(standIn.token))))
            store = try TestStore.open(in: folder)
            // Adding to a group runs at once here, so the ask's whole conversation with Okta is seen.
            let policy = ApprovalPolicy(overrides: [.addToGroup: .init(approvalRequired: false)])
            let engine = ActionEngine(store: store, directory: directory, clock: clock, policy: policy, team: DemoTeamFixture.team)
            let backend = HelpdeskBackend(engine: engine) { login in
                guard let member = DemoTeamFixture.team.member(login) else { throw Refusal("\(login) is not an operator") }
                return member
            }
            service = try backend.service(for: "alex")
        }
    }

    @Test func anAskFindsTheConfirmedAccountOnceAndALastingAddIsThePutAlone() async throws {
        let http = try OverHTTP()
        defer { http.standIn.stop() }
        let jane = try #require(await http.standIn.tenant.users(withEmail: Fixtures.email("jane.doe@example.com")).first)
        let group = try #require(try await http.standIn.tenant.findGroups("Engineering", limit: 1).first)
        let request = try http.store.create(Fixtures.newRequest("Needs Engineering", requester: "jane.doe@example.com"), by: "intake", at: Date())
        var spec = ActionSpec(.addToGroup)
        spec.group = .id(group.id)
        _ = try await http.service.act(ActionAsk(requestID: request.id, spec: spec, reason: "new team", confirmedUserID: jane.id))
        #expect(http.standIn.requests == ["GET /api/v1/users", "GET /api/v1/users/\(jane.id)", "GET /api/v1/groups/\(group.id)", "PUT /api/v1/groups/\(group.id)/users/\(jane.id)"],
                "the user found by email and read by id once, the group once, then the add: \(http.standIn.requests)")
    }

    @Test func aConfirmedAccountTheEmailNoLongerFindsAloneIsRefusedBeforeAnyChange() async throws {
        let http = try OverHTTP()
        defer { http.standIn.stop() }
        let jane = try #require(await http.standIn.tenant.users(withEmail: Fixtures.email("jane.doe@example.com")).first)
        let request = try http.store.create(Fixtures.newRequest("Locked out", requester: "omar.haddad@example.com"), by: "intake", at: Date())
        for confirmed in [jane.id, "00uGONE00000000000000"] {
            await #expect {
                _ = try await http.service.act(ActionAsk(requestID: request.id, spec: ActionSpec(.unlock), reason: "locked out", confirmedUserID: confirmed))
            } throws: { error in
                "\(error)".contains("omar.haddad@example.com now finds another Okta account") && "\(error)".contains(confirmed)
            }
        }
        // Another account takes Jane's email as well: her confirmed id no longer settles who she is.
        await http.standIn.tenant.add(DirectoryUser(id: "00ujaneadmin00000000", login: "jane.admin@example.com", email: "JANE.DOE@example.com",
                                                    firstName: "Jane", lastName: "Admin", status: .lockedOut))
        let janes = try http.store.create(Fixtures.newRequest("Locked out", requester: "jane.doe@example.com"), by: "intake", at: Date())
        for confirmed in [jane.id, "00ujaneadmin00000000"] {
            await #expect {
                _ = try await http.service.act(ActionAsk(requestID: janes.id, spec: ActionSpec(.unlock), reason: "locked out", confirmedUserID: confirmed))
            } throws: { error in
                "\(error)".contains("several Okta users have the email jane.doe@example.com")
            }
        }
        #expect(!http.standIn.requests.contains { !$0.hasPrefix("GET") }, "nothing changed: \(http.standIn.requests)")
    }

    /// The check that a temporary grant's access was not already held happens before the run
    /// exists: stalled (or cut short by a crash), it leaves nothing for reconcile to misread.
    @Test func aStalledCheckBeforeATemporaryAddLeavesNothingForReconcileToTakeForTheGrant() async throws {
        let tenant = SimulatedTenant()
        let group = DirectoryGroup(id: "00gvpn0000000000000a", name: "VPN Users", type: .okta)
        await tenant.add(group: group)
        await tenant.add(DirectoryUser(id: "00ujane", login: "jane", email: "jane@example.com", firstName: "Jane", lastName: "X", status: .active), groups: [group.id])
        let standIn = try OktaStandIn(tenant: tenant)
        defer { standIn.stop() }
        let folder = TemporaryDirectory("helpdesk-stalled-check")
        let clock = ManualClock(Date())
        let directory = OktaDirectory(client: OktaHTTPClient(settings: OktaSettings(org: try OrgURL(standIn.orgURL), token: try APIToken(standIn.token))))
        let store = try TestStore.open(in: folder)
        let engine = ActionEngine(store: store, directory: directory, clock: clock, policy: ApprovalPolicy(overrides: [.addToGroup: .init(approvalRequired: false)]),
                                  team: DemoTeamFixture.team)
        let backend = HelpdeskBackend(engine: engine) { login in
            guard let member = DemoTeamFixture.team.member(login) else { throw Refusal("\(login) is not an operator") }
            return member
        }
        let service = try backend.service(for: "alex")
        let request = try store.create(Fixtures.newRequest("VPN for a day", requester: "jane@example.com"), by: "intake", at: clock.now())
        standIn.inject(.init("GET", "/users/00ujane/groups", .stall(2)))
        let ask = Task {
            try await service.act(ActionAsk(requestID: request.id, spec: ActionSpec(.addToGroup, group: .id(group.id), duration: AccessDuration(1, .hours)), reason: "trip"))
        }
        #expect(await eventually { standIn.requests.contains("GET /api/v1/users/00ujane/groups") }, "the check is on its way")
        clock.advance(by: 90)  // past any run's call window and its grace
        _ = try await Reconciler(engine: engine).reconcile(nil, by: "alex", dueOnly: false)
        let outcome = try await ask.value
        guard case .ran(let ran) = outcome else { Issue.record("expected the run: \(outcome)"); return }
        #expect(ran.grant == nil && ran.message.contains("already a member of VPN Users"), "\(ran.message)")
        #expect(try store.read { try $0.grants(of: request.id) }.isEmpty, "no revoke of a membership Jane had before")
        clock.advance(by: 2 * 3600)
        _ = try await AccessSweeper(engine: engine).sweep()
        #expect(try await tenant.groups(ofUser: "00ujane").map(\.id) == [group.id])
        #expect(!standIn.requests.contains { $0.hasPrefix("PUT") || $0.hasPrefix("DELETE") }, "\(standIn.requests)")
    }
}
