import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import helpdesk
import OktaClient
import SQLiteStore
import Testing

/// `show` of a request with more timeline than a detail carries: its newest entries, and a line
/// (or, with --json, a count) saying how many earlier ones `export --request` prints.
@Suite struct ShowCommandTests {
    var cli = CLIHarness()

    init() throws {
        try cli.writeConfiguration(CLIHarness.demoConfiguration)
    }

    @Test func aTimelineLongerThanADetailCarriesIsShownFromItsNewest() async throws {
        _ = await cli.run(["new", "--requester", "jane.doe@example.com", "--subject", "Lost my phone"])
        let store = try SQLiteRequestStore(path: cli.dbPath)
        try store.write { writer in
            for index in 0..<RequestDetail.timelineLimit { try writer.append(EventDraft(actor: "alex", at: Date(), payload: .note(text: "note \(index)")), to: RequestID(1)) }
        }
        let shown = await cli.run(["show", "REQ-1"])
        #expect(shown.status == 0, "\(shown.err)")
        #expect(shown.out.contains("Timeline\n  (1 earlier entry is not shown; helpdesk export --request REQ-1 prints every one)\n"), "\(shown.out.prefix(600))")
        #expect(shown.out.contains("note 0") && shown.out.contains("note \(RequestDetail.timelineLimit - 1)"))
        let json = try await cli.run(["show", "REQ-1", "--json"]).object()
        #expect(json["earlierEvents"] as? Int == 1)
        #expect((json["timeline"] as? [[String: Any]])?.count == RequestDetail.timelineLimit)
        let everything = await cli.run(["export", "--request", "REQ-1"])
        #expect(everything.out.split(separator: "\n").count == RequestDetail.timelineLimit + 1, "export prints the created event too")
    }

    @Test func decidedApprovalsPastTheLimitAreCountedNotShown() async throws {
        _ = await cli.run(["new", "--requester", "jane.doe@example.com", "--subject", "Lost my phone"])
        let store = try SQLiteRequestStore(path: cli.dbPath)
        let now = Date()
        try store.write { writer in
            for index in 0...RequestDetail.decidedApprovalLimit {
                let approval = try writer.insertApproval(NewApproval(requestID: RequestID(1), action: .resetMFA, reason: "ask \(index)", requestedBy: "alex", requestedAt: now,
                                                                     expiresAt: now.addingTimeInterval(3600), approvers: [EligibleApprover(login: "morgan", basis: .policy)]))
                _ = try writer.decideApproval(approval.id, state: .denied, by: "morgan", at: now, reason: "no")
            }
        }
        let shown = await cli.run(["show", "REQ-1"])
        #expect(shown.out.contains("Approvals\n  (1 earlier decided approval is not shown; each is on the timeline, which export --request REQ-1 prints)\n"), "\(shown.out.prefix(400))")
        #expect(!shown.out.contains("APR-1 ") && shown.out.contains("APR-2 "))
        let json = try await cli.run(["show", "REQ-1", "--json"]).object()
        #expect(json["earlierApprovals"] as? Int == 1 && (json["approvals"] as? [[String: Any]])?.count == RequestDetail.decidedApprovalLimit)
    }

    @Test mutating func aRunWhoseAnswerIsAmongTheEarlierEntriesSaysWhereItIs() async throws {
        cli.directory = SimulatedTenant()
        _ = await cli.run(["new", "--requester", "omar.haddad@example.com", "--subject", "Locked out"])
        #expect(await cli.run(["act", "1", "unlock", "--reason", "locked out after password change"]).status == 0)
        #expect(await cli.run(["show", "1"]).out.contains("· Okta request "))
        let store = try SQLiteRequestStore(path: cli.dbPath)
        try store.write { writer in
            for index in 0..<RequestDetail.timelineLimit { try writer.append(EventDraft(actor: "alex", at: Date(), payload: .note(text: "note \(index)")), to: RequestID(1)) }
        }
        let shown = await cli.run(["show", "1"])
        #expect(shown.out.contains("RUN-1  succeeded  Unlock the account — started by alex"), "\(shown.out.suffix(300))")
        #expect(shown.out.contains("· Okta's answer is among the earlier entries (export --request REQ-1)"))
    }

    @Test func endedItemsPastTheLimitAreLeftOutOpenOnesNever() {
        let items = Array(0..<10)
        let kept = RequestDetail.recent(items, isOpen: { $0 == 1 || $0 == 8 }, limit: 3)
        #expect(kept.items == [1, 6, 7, 8, 9] && kept.earlier == 5, "the open ones wherever they are, and the newest three ended")
        #expect(RequestDetail.recent(items, isOpen: { _ in false }, limit: 20) == (items, 0))
        #expect(RequestDetail.recent(items, isOpen: { _ in true }, limit: 0) == (items, 0))
        #expect(RequestDetail.recent(items, isOpen: { _ in false }, limit: 0).items.isEmpty)
    }
}
