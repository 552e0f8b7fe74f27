import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import helpdesk
import Testing

/// `helpdesk list`'s text: what a script cuts a column from is never cut itself.
@Suite struct RequestTableTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func request(_ number: Int64, requester: String, assignee: String?, subject: String) -> Request {
        Request(id: RequestID(number), requester: Fixtures.email(requester), subject: subject, body: "", category: "general",
                priority: .normal, status: .open, assignee: assignee, createdAt: now, updatedAt: now, version: 1)
    }

    @Test func identifiersAreWholeHoweverLongAndTheColumnsStayAligned() {
        let requests = [
            Self.request(7, requester: "jane.doe@example.com", assignee: nil, subject: "Lost my phone"),
            Self.request(1_234_567, requester: "a.very.long.name.from.a.partner.company@subsidiary.example.com",
                         assignee: "first.last@contractors", subject: String(repeating: "word ", count: 30)),
        ]
        let lines = RequestTable.render(requests, now: Self.now).split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        let columns = lines.map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(columns[1].prefix(1) == ["REQ-7"])
        #expect(columns[2].prefix(1) == ["REQ-1234567"])
        #expect(columns[2].contains("first.last@contractors"))
        #expect(columns[2].contains("a.very.long.name.from.a.partner.company@subsidiary.example.com"))
        // Every row's subject starts where the header's does.
        let start = lines[0].range(of: "SUBJECT")!.lowerBound.utf16Offset(in: lines[0])
        #expect(lines[1].utf16.dropFirst(start).starts(with: "Lost my phone".utf16))
        #expect(lines[2].utf16.dropFirst(start).starts(with: "word word".utf16))
        // The subject, free text, is still cut.
        #expect(lines[2].hasSuffix("…"))
    }

    @Test func aShortListKeepsItsUsualWidths() {
        let text = RequestTable.render([Self.request(1, requester: "a@example.com", assignee: "alex", subject: "Printer")], now: Self.now)
        #expect(text == """
        ID       PRIORITY STATUS   AGE  ASSIGNEE  REQUESTER                     SUBJECT
        REQ-1    normal   open     now  alex      a@example.com                 Printer

        """)
    }
}
