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

    /// `show`'s temporary access: a revoke that failed says how often and when it is tried next,
    /// and one that gave up says the access may still be there.
    @Test func grantsSayTheirStateAndTheirFailedRevokes() {
        let vpn = OktaAction.addToGroup(GroupRef(id: "00g1", name: "VPN Users"), expiry: AccessDuration(1, .days))
        func grant(_ number: Int64, _ state: AccessGrant.State, attempts: Int = 0, next: Date? = nil) -> AccessGrant {
            AccessGrant(id: GrantID(number), requestID: RequestID(1), grantRunID: ActionRunID(number), action: vpn, targetUserID: "00u1",
                        revokeAt: Self.now, state: state, attempts: attempts, nextAttemptAt: next)
        }
        let at = RequestDetailText.clock(Self.now), later = RequestDetailText.clock(Self.now.addingTimeInterval(300))
        let text = RequestDetailText.grants([
            grant(1, .scheduled), grant(2, .scheduled, attempts: 2, next: Self.now.addingTimeInterval(300)), grant(3, .revoking),
            grant(4, .revoked), grant(5, .kept), grant(6, .failed, attempts: 8),
        ])
        #expect(text == """

            Temporary access
              GRANT-1  Add to group VPN Users for 1 day — ends \(at)
              GRANT-2  Add to group VPN Users for 1 day — ended \(at); 2 failed revokes, tried again \(later)
              GRANT-3  Add to group VPN Users for 1 day — ended \(at); being revoked (an unanswered revoke is settled by reconcile)
              GRANT-4  Add to group VPN Users for 1 day — revoked
              GRANT-5  Add to group VPN Users for 1 day — kept: a later request gave the same access lastingly
              GRANT-6  Add to group VPN Users for 1 day — NOT revoked after 8 failed revokes; the access may still be there (see the alert on the timeline)

            """)
        #expect(RequestDetailText.grants([]).isEmpty)
    }

    @Test func aShortListKeepsItsUsualWidths() {
        let text = RequestTable.render([Self.request(1, requester: "a@example.com", assignee: "alex", subject: "Printer")], now: Self.now)
        #expect(text == """
        ID       PRIORITY STATUS   AGE  ASSIGNEE  REQUESTER                     SUBJECT
        REQ-1    normal   open     now  alex      a@example.com                 Printer

        """)
    }
}
