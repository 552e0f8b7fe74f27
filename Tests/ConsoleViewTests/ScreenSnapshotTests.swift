import ConsoleViewModel
@testable import ConsoleView
import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import Testing

/// Every main screen at 80x24 and 120x40, as text snapshots in Snapshots/.
@Suite struct ScreenSnapshotTests {
    static let sizes = [(80, 24), (120, 40)]

    func snapshot(_ name: String, _ configure: (inout AppState) -> Void) {
        for (columns, rows) in Self.sizes {
            var state = ConsoleFixtures.queueState(columns: columns, rows: rows)
            configure(&state)
            let screen = ConsoleRenderer.render(state)
            assertSnapshot(screen.text, named: "\(name)-\(columns)x\(rows)")
        }
    }

    @Test func queue() { snapshot("queue") { _ in } }

    @Test func detailWithTimeline() {
        snapshot("detail") { state in
            _ = Console.update(&state, .key(.enter))
        }
    }

    @Test func picker() {
        snapshot("picker") { state in
            _ = Console.update(&state, .key(.char("g")))
            _ = Console.update(&state, .key(.char("e")))
            _ = Console.update(&state, .pickerResults(query: "e", items: [
                PickerItem(id: "00geng", label: "Engineering", detail: "OKTA_GROUP"),
                PickerItem(id: "00geveryone", label: "Everyone", detail: "BUILT_IN", disabledReason: GroupType.builtIn.whyNotChangeable),
            ]))
        }
    }

    @Test func confirm() {
        snapshot("confirm") { state in
            _ = Console.update(&state, .key(.char("m")))
            for character in "lost phone" { _ = Console.update(&state, .key(.char(character))) }
        }
    }

    @Test func approvalsTab() {
        snapshot("approvals") { state in
            state.user = ConsoleFixtures.manager
            state.tab = .approvals
            state.queue.rows = [state.queue.rows[2]]
            state.queue.selected = 0
            state.detail.approvals = [Approval(
                id: ApprovalID(3), requestID: RequestID(1), action: .resetMFA, reason: "lost phone in a taxi; called back on desk phone",
                requestedBy: "alex", requestedAt: ConsoleFixtures.now, expiresAt: ConsoleFixtures.now.addingTimeInterval(86_400),
                approvers: [EligibleApprover(login: "sam", basis: .manager)], targetUserID: "00ujane", state: .pending)]
        }
    }

    @Test func help() {
        snapshot("help") { state in _ = Console.update(&state, .key(.char("?"))) }
    }

    @Test func tooSmall() {
        var state = ConsoleFixtures.queueState()
        _ = Console.update(&state, .resize(columns: 60, rows: 18))
        assertSnapshot(ConsoleRenderer.render(state).text, named: "too-small-60x18")
    }

    @Test func aSubjectWithEscapeSequencesShowsPlaceholders() {
        snapshot("hostile-subject") { state in
            state.queue.rows[2] = ConsoleFixtures.request(1, "\u{1b}]0;owned\u{07}\u{1b}[2J\u{1b}[31mRED\u{9b}1m reset \u{202e}gpj.exe", priority: .high, minutesAgo: 18)
        }
        var state = ConsoleFixtures.queueState()
        state.queue.rows[2] = ConsoleFixtures.request(1, "\u{1b}[2J\u{1b}[31mRED", priority: .high)
        let cells = ConsoleRenderer.render(state).cells
        #expect(!cells.contains { $0.text.unicodeScalars.contains { $0.properties.generalCategory == .control } })
    }

    @Test func cjkAndEmojiNamesStayAligned() {
        snapshot("wide-text") { state in
            state.queue.selected = 3
            state.card = .loaded(Fixtures.email("misaki.sato@example.com"), RequesterCard(
                user: DirectoryUser(id: "00umisaki", login: "misaki.sato@example.com", email: "misaki.sato@example.com", firstName: "美咲", lastName: "佐藤",
                                    status: .active, title: "セールスエンジニア", department: "Sales 🇯🇵"),
                manager: ConsoleFixtures.sam, groups: [DirectoryGroup(id: "00gtokyo", name: "Tokyo Office 東京", type: .okta)], apps: [], factors: [], signIns: []))
        }
        for (columns, rows) in Self.sizes {
            let screen = ConsoleRenderer.render(ConsoleFixtures.queueState(columns: columns, rows: rows))
            let header = screen.line(1)
            let statusColumn = TextWidth.of(String(header[..<header.range(of: "STATUS")!.lowerBound]))
            for row in 2...7 {
                let line = screen.line(row)
                let cells = (0..<columns).map { screen[$0, row] }
                #expect(TextWidth.of(line) == columns, "row \(row) fills exactly \(columns) columns")
                #expect(["new", "open", "awaiting", "resolved"].contains { cells[statusColumn].text == String($0.first!) }, "row \(row): the status column lines up")
            }
        }
    }

    @Test func longRequestNumbersWidenTheIDColumnInsteadOfBeingCut() {
        var state = ConsoleFixtures.queueState(columns: 80, rows: 24)
        state.queue.rows = [ConsoleFixtures.request(1_000_000, "A million in"), ConsoleFixtures.request(999_999, "Just before")]
        state.queue.selected = 0
        let screen = ConsoleRenderer.render(state)
        #expect(screen.line(2).contains("REQ-1000000 normal"))
        #expect(screen.line(3).contains("REQ-999999  normal"))
        #expect(screen.line(1).contains("ID          PRIO"))
    }

    @Test func selectionAndDimmedActionsAreStyled() {
        let state = ConsoleFixtures.queueState()
        let screen = ConsoleRenderer.render(state)
        let selectedRow = 2 + state.queue.selected - state.queue.scroll
        #expect(screen[5, selectedRow].style.reverse)
        #expect(!screen[5, selectedRow + 1].style.reverse)
        let layout = ConsoleLayout(columns: 80, rows: 24)
        let unsuspendRow = layout.detailTop + 1 + KeyMap.panelActions.firstIndex { $0.action == .unsuspend }!
        let panelX = 80 - layout.panelWidth + 1
        #expect(screen[panelX + 2, unsuspendRow].style.dim, "Unsuspend is dimmed for an ACTIVE account")
        #expect(screen.line(unsuspendRow).contains("not suspended"))
        let mfaRow = layout.detailTop + 1
        #expect(screen.line(mfaRow).contains("approval"))
        #expect(!screen[panelX + 2, mfaRow].style.dim)
    }
}
