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
        let store = try SQLiteRequestStore(path: folder.file("helpdesk.db"))
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
}
