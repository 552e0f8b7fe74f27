import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import helpdesk
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
}
