import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import Testing

@Suite struct RequestWorkTests {
    let fixture: EngineFixture
    let alex = DemoTeamFixture.alex, sam = DemoTeamFixture.sam

    init() throws { fixture = try EngineFixture() }

    @Test func assignNoteResolveReopenEachLandOnTheTimeline() throws {
        let request = try fixture.request()
        let taken = try fixture.work.assign(request.id, to: "alex", by: alex)
        #expect(taken.assignee == "alex")
        try fixture.work.note(request.id, "called back", by: alex)
        try fixture.work.setStatus(request.id, to: .open, by: alex)
        let resolved = try fixture.work.resolve(request.id, note: "new phone enrolled", by: alex)
        #expect(resolved.status == .resolved)
        let reopened = try fixture.work.reopen(request.id, by: alex)
        #expect(reopened.status == .open)
        #expect(try fixture.kinds(request.id) == [.created, .assigned, .note, .statusChanged, .statusChanged, .statusChanged])
        let timeline = try fixture.store.read { try $0.timeline(of: request.id) }
        #expect(timeline[4].payload == .statusChanged(from: .open, to: .resolved, note: "new phone enrolled"))
        #expect(timeline.dropFirst().allSatisfy { $0.actor == "alex" })
    }

    @Test func staleWorkAndBadInputAreRefused() throws {
        let request = try fixture.request()
        try fixture.work.assign(request.id, to: "alex", by: alex)
        #expect(throws: StoreError.conflict(request.id, expected: 1, actual: 2)) {
            try fixture.work.assign(request.id, to: "jordan", by: alex, expectedVersion: 1)
        }
        #expect { try fixture.work.assign(request.id, to: "mallory", by: alex) } throws: { "\($0)".contains("not an operator") }
        #expect { try fixture.work.note(request.id, "   ", by: alex) } throws: { "\($0)".contains("empty") }
        #expect { try fixture.work.setStatus(request.id, to: .awaitingApproval, by: alex) } throws: { "\($0)".contains("ask for the action") }
        #expect { try fixture.work.reopen(request.id, by: alex) } throws: { "\($0)".contains("not resolved") }
        #expect { try fixture.work.assign(request.id, to: "sam", by: sam) } throws: { "\($0)".contains("no agent role") }
        #expect(try fixture.kinds(request.id) == [.created, .assigned])
    }

    @Test func aRequestWithAPendingApprovalIsNotResolved() async throws {
        let request = try fixture.request()
        let approval = try fixture.awaiting(try await fixture.engine.ask(.resetMFA, on: request.id, reason: "x", by: alex))
        #expect { try fixture.work.resolve(request.id, note: nil, by: alex) } throws: { "\($0)".contains("\(approval.id)") }
    }
}
