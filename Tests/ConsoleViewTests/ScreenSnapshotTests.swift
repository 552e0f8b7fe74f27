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

    /// Keys, as a person types them.
    static func press(_ state: inout AppState, _ keys: Key...) {
        for key in keys { _ = Console.update(&state, .key(key)) }
    }

    static func type(_ state: inout AppState, _ text: String) {
        for character in text { _ = Console.update(&state, .key(.char(character))) }
    }

    static let pendingReset = Approval(
        id: ApprovalID(3), requestID: RequestID(1), action: .resetMFA, reason: "lost phone in a taxi; called back on desk phone",
        requestedBy: "alex", requestedAt: ConsoleFixtures.now, expiresAt: ConsoleFixtures.now.addingTimeInterval(86_400),
        approvers: [EligibleApprover(login: "sam", basis: .manager)], targetUserID: "00ujane", state: .pending)

    static let playbooks = [
        Playbook(name: "offboarding", title: "Offboarding (leaver)", approval: .required, steps: [PlaybookStep(.action(.suspend)), PlaybookStep(.removeEveryGroup)]),
        Playbook(name: "sales-starter", title: "Sales starter access", expiry: AccessDuration(3, .months), steps: [PlaybookStep(.addToGroup(name: "Sales"))]),
    ]

    static let offboardingSteps = [
        PlanStep(.revokeSessions(oauthTokens: true)), PlanStep(.suspend),
        PlanStep(.removeFromGroup(GroupRef(id: "00gsales", name: "Sales"))), PlanStep(.removeFromGroup(GroupRef(id: "00gvpn", name: "VPN Users"))),
        PlanStep(.removeApp(AppRef(id: "0oasf", label: "Salesforce"))),
    ]

    static let offboardingPreview = PlanPreview(
        requestID: RequestID(1), title: "Offboarding (leaver)", playbook: "offboarding", targetUserID: "00ujane", targetLogin: "jane.doe@example.com",
        steps: offboardingSteps, notes: ["Everyone stays: it is built in and managed by Okta"], needsApproval: true, approvers: ["morgan", "sam"], runAt: nil)

    static let onboarding = Playbook(name: "onboarding", title: "Onboarding (new hire)", steps: [PlaybookStep(.createUser), PlaybookStep(.action(.activate(sendEmail: true)))])

    static func plan(_ state: Plan.State, title: String = "Offboarding (leaver)", runAt: Date? = nil) -> Plan {
        Plan(id: PlanID(2), requestID: RequestID(1), playbook: "offboarding", title: title, steps: offboardingSteps, targetUserID: "00ujane",
             reason: "leaver on Friday", requestedBy: "alex", requestedAt: ConsoleFixtures.now, runAt: runAt, undoes: nil, state: state)
    }

    static let finishedPlan = plan(.finished)
    static let scheduledPlan = plan(.scheduled, runAt: ConsoleFixtures.now.addingTimeInterval(3 * 86_400))

    static let undoPreview = PlanPreview(
        requestID: RequestID(1), title: "Undo Offboarding (leaver)", playbook: "undo", targetUserID: "00ujane", targetLogin: "jane.doe@example.com",
        steps: [PlanStep(.assignApp(AppRef(id: "0oasf", label: "Salesforce"), expiry: nil)), PlanStep(.addToGroup(GroupRef(id: "00gvpn", name: "VPN Users"), expiry: nil)),
                PlanStep(.addToGroup(GroupRef(id: "00gsales", name: "Sales"), expiry: nil)), PlanStep(.unsuspend)],
        notes: ["Revoke all sessions and OAuth tokens: cannot be undone"], needsApproval: true, approvers: ["morgan", "sam"], runAt: nil)

    static let pendingPlan = Approval(
        id: ApprovalID(4), requestID: RequestID(1),
        subject: .plan(PlanTerms(planID: PlanID(2), playbook: "offboarding", title: "Offboarding (leaver)", steps: offboardingSteps, targetUserID: "00ujane",
                                 runAt: ConsoleFixtures.now.addingTimeInterval(3 * 86_400))),
        reason: "leaver on Friday, HR ticket 4411", requestedBy: "alex", requestedAt: ConsoleFixtures.now,
        expiresAt: ConsoleFixtures.now.addingTimeInterval(86_400), approvers: [EligibleApprover(login: "sam", basis: .manager)], targetUserID: "00ujane", state: .pending)

    /// Sam on his approvals tab, with Alex's reset of Jane's factors waiting for him.
    static func deciding(_ state: inout AppState) {
        state.user = ConsoleFixtures.manager
        state.tab = .approvals
        state.detail.approvals = [pendingReset]
    }

    /// Every screen and dialog, by name.
    static let screens: [(name: String, configure: @Sendable (inout AppState) -> Void)] = [
        ("queue", { _ in }),
        ("detail", { state in
            state.detail.timeline.append(TimelineEvent(id: 9, requestID: RequestID(1), actor: "alex", at: ConsoleFixtures.now, payload: .note(text:
                "Jane confirmed by video call; badge photo matches. Her new phone arrives tomorrow, so she will enroll Okta Verify again then — "
                + "until then she signs in with SMS to her desk phone. Reach her at jane.doe.personal-backup@example.com if the desk phone is busy.")))
            press(&state, .enter)
        }),
        ("picker", { state in
            press(&state, .char("g"), .char("e"))
            _ = Console.update(&state, .pickerResults(.group, query: "e", items: [
                PickerItem(id: "00geng", label: "Engineering", detail: "OKTA_GROUP"),
                PickerItem(id: "00gvpn", label: "VPN Users", detail: "OKTA_GROUP"),
                PickerItem(id: "00geveryone", label: "Everyone", detail: "BUILT_IN", disabledReason: GroupType.builtIn.whyNotChangeable),
            ]))
        }),
        ("picker-searching", { state in press(&state, .char("p")) }),
        ("picker-remove-group", { state in press(&state, .char("G")) }),
        ("picker-factor", { state in press(&state, .char("f")) }),
        ("picker-agent", { state in press(&state, .char("A")) }),
        ("duration", { state in
            press(&state, .char("g"))
            _ = Console.update(&state, .pickerResults(.group, query: "", items: [PickerItem(id: "00geng", label: "Engineering", detail: "OKTA_GROUP")]))
            press(&state, .enter, .down, .down)
        }),
        ("duration-custom", { state in
            press(&state, .char("g"))
            _ = Console.update(&state, .pickerResults(.group, query: "", items: [PickerItem(id: "00geng", label: "Engineering", detail: "OKTA_GROUP")]))
            press(&state, .enter)
            for _ in 0..<7 { press(&state, .down) }
            press(&state, .enter)
            type(&state, "forever")
            press(&state, .enter)
        }),
        ("confirm", { state in
            press(&state, .char("m"))
            type(&state, "lost phone")
        }),
        ("confirm-approvers", { state in
            press(&state, .char("m"))
            _ = Console.update(&state, .approversFound(RequestID(1), .resetMFA, .success(["sam", "morgan"])))
            type(&state, "lost phone")
        }),
        ("confirm-nobody", { state in
            press(&state, .char("w"))
            _ = Console.update(&state, .approversFound(RequestID(1), .resetPassword, .success([])))
        }),
        ("confirm-immediate", { state in press(&state, .char("s")) }),
        ("confirm-deactivate", { state in
            press(&state, .char("D"))
            _ = Console.update(&state, .approversFound(RequestID(1), .deactivate, .success(["sam"])))
            type(&state, "leaver, HR ticket 4411")
            press(&state, .enter)
            type(&state, "jane")
        }),
        ("playbook-picker", { state in
            press(&state, .char("b"))
            _ = Console.update(&state, .playbooksLoaded(RequestID(1), .success(playbooks)))
        }),
        ("playbook-preview", { state in
            press(&state, .char("b"))
            _ = Console.update(&state, .playbooksLoaded(RequestID(1), .success(playbooks)))
            press(&state, .enter)
            press(&state, .enter)
            _ = Console.update(&state, .planPreviewed(PlanAsk(requestID: RequestID(1), source: .playbook("offboarding")), .success(offboardingPreview)))
            type(&state, "leaver on Friday, HR ticket 4411")
        }),
        ("playbook-time", { state in
            press(&state, .char("b"))
            _ = Console.update(&state, .playbooksLoaded(RequestID(1), .success(playbooks)))
            press(&state, .enter)
            type(&state, "friday")
            press(&state, .enter)
        }),
        ("playbook-new-hire", { state in
            state.card = .failed(Fixtures.email("jane.doe@example.com"), "Okta has no user with this email")
            press(&state, .char("b"))
            _ = Console.update(&state, .playbooksLoaded(RequestID(1), .success([onboarding])))
            press(&state, .enter)
            type(&state, "Ana")
            press(&state, .enter)
        }),
        ("playbook-undo", { state in
            state.detail.plans = [finishedPlan]
            press(&state, .char("Z"))
            _ = Console.update(&state, .planPreviewed(PlanAsk(requestID: RequestID(1), source: .undo(PlanID(2))), .success(undoPreview)))
        }),
        ("plan-cancel", { state in
            state.detail.plans = [scheduledPlan]
            press(&state, .char("X"))
            type(&state, "staying after all")
        }),
        ("queue-plans", { state in
            state.queue.plans[RequestID(1)] = PlanProgress(planID: PlanID(2), requestID: RequestID(1), title: "Offboarding (leaver)", state: .running,
                                                          done: 3, total: 9, runAt: nil)
            if let other = state.queue.rows.first(where: { $0.id != RequestID(1) }) {
                state.queue.plans[other.id] = PlanProgress(planID: PlanID(3), requestID: other.id, title: "Sales starter", state: .scheduled, done: 0, total: 2,
                                                           runAt: ConsoleFixtures.now.addingTimeInterval(86_400))
            }
        }),
        ("approve-plan", { state in
            deciding(&state)
            state.detail.approvals = [pendingPlan]
            press(&state, .char("a"))
        }),
        ("approve", { state in
            deciding(&state)
            press(&state, .char("a"))
        }),
        ("note", { state in
            press(&state, .char("c"))
            type(&state, "Called back")
        }),
        ("resolve", { state in press(&state, .char("r")) }),
        ("deny", { state in
            deciding(&state)
            press(&state, .char("d"))
        }),
        ("new-request", { state in
            press(&state, .char("n"))
            type(&state, "jane.doe@example.com")
            press(&state, .enter)
        }),
        ("new-request-subject", { state in
            press(&state, .char("n"))
            type(&state, "new.hire@example.com")
            press(&state, .enter)
            _ = Console.update(&state, .requesterChecked(email: "new.hire@example.com", .notFound))
            press(&state, .enter)
            type(&state, "Starts Monday")
        }),
        ("help", { state in press(&state, .char("?")) }),
        ("help-end", { state in
            press(&state, .char("?"))
            for _ in 0..<200 { press(&state, .down) }
        }),
        ("quit-question", { state in
            state.inFlight = [InFlight(requestID: RequestID(1), action: .resetMFA)]
            press(&state, .char("q"))
        }),
        ("take-question", { state in
            state.queue.selected = 0
            press(&state, .char("t"))
        }),
        ("one-time-link", { state in
            state.modal = .oneTimeLink("https://example.okta.com/signin/reset-password/XE6wE17zmphl3KqAPFxO")
        }),
        ("approvals", { state in
            state.user = ConsoleFixtures.manager
            state.tab = .approvals
            state.queue.rows = [state.queue.rows[2]]
            state.queue.selected = 0
            state.detail.approvals = [pendingReset]
        }),
        ("approver-only-queue", { state in
            state.user = ConsoleFixtures.manager
        }),
        ("card-loading", { state in
            state.card = .loading(Fixtures.email("jane.doe@example.com"))
        }),
        ("card-failed", { state in
            state.card = .failed(Fixtures.email("jane.doe@example.com"), "Okta did not answer within 20 s; R retries")
        }),
        ("card-refused-at-length", { state in
            state.card = .failed(Fixtures.email("jane.doe@example.com"),
                                 "sam has no agent or approver role, so reads the Okta account only of someone whose approval is asked of sam (or was, in the last 7 days); an admin can add a role in the configuration")
        }),
        ("status-at-length", { state in
            state.status = StatusLine("REQ-8: Okta: added to AWS Production (RUN-3); access ends 2027-01-02 09:00 unless renewed, when helpdesk sweep revokes it; "
                                      + "the requester's other groups are unchanged and the approval APR-2 is recorded on the timeline", .success)
        }),
        ("long-name", { state in
            let user = DirectoryUser(id: "00ulong", login: "maria-fernanda.de-los-santos-villanueva@example.com", email: "maria-fernanda.de-los-santos-villanueva@example.com",
                                     firstName: "María Fernanda", lastName: "de los Santos Villanueva", status: .lockedOut, title: "Regional Director", department: "Sales")
            state.card = .loaded(Fixtures.email("jane.doe@example.com"), RequesterCard(user: user, manager: nil, groups: [], apps: [], factors: [], signIns: []))
        }),
        ("filter-typing", { state in
            press(&state, .char("/"))
            type(&state, "vpn")
        }),
        ("mine", { state in
            state.tab = .mine
            state.queue.rows = [ConsoleFixtures.requests[4]]
            state.queue.selected = 0
        }),
        ("resolved", { state in
            state.tab = .resolved
            state.queue.rows = [ConsoleFixtures.request(7, "Printer driver", status: .resolved, assignee: "alex", minutesAgo: 3000)]
            state.queue.selected = 0
            state.card = .none
            state.detail = DetailState()
        }),
        ("empty-queue", { state in
            state.queue = QueueWindow()
            state.card = .none
            state.detail = DetailState()
            state.counts = QueueCounts()
        }),
        ("tab-loading", { state in
            // A console whose first page has landed switches tabs: the counts stay.
            state.queueGeneration = 1
            state.queueAnswered = 1
            _ = Console.update(&state, .key(.char("4")))
        }),
        ("starting", { state in
            // Before the store's first answer: no counts, and the queue is loading, not empty.
            state.queue = .awaitingFirstPage
            state.queueGeneration = 1
            state.countsKnown = false
            state.card = .none
            state.detail = DetailState()
        }),
        ("first-page-failed", { state in
            state.queue = .awaitingFirstPage
            state.countsKnown = false
            state.card = .none
            state.detail = DetailState()
            _ = Console.update(&state, .queueFailed(generation: 0, StatusLine("Could not read the queue: the helpdesk service closed the connection.", .error)))
        }),
        ("closing", { state in
            _ = Console.update(&state, .closing)
        }),
        ("no-match", { state in
            state.filter = TextField("zzz", limit: 100)
            state.queue = QueueWindow()
            state.card = .none
            state.detail = DetailState()
        }),
        ("service-unavailable", { state in
            _ = Console.update(&state, .serviceProblem("the helpdesk service closed the connection"))
        }),
    ]

    @Test(arguments: screens.map(\.name))
    func screen(_ name: String) {
        snapshot(name, Self.screens.first { $0.name == name }!.configure)
    }

    @Test func tooSmall() {
        var state = ConsoleFixtures.queueState()
        _ = Console.update(&state, .resize(columns: 60, rows: 18))
        assertSnapshot(ConsoleRenderer.render(state).text, named: "too-small-60x18")
        for (columns, rows) in [(40, 10), (20, 5)] {
            _ = Console.update(&state, .resize(columns: columns, rows: rows))
            assertSnapshot(ConsoleRenderer.render(state).text, named: "too-small-\(columns)x\(rows)")
        }
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
        let state = ConsoleFixtures.queueState(columns: 120, rows: 40)
        let screen = ConsoleRenderer.render(state)
        let selectedRow = 2 + state.queue.selected - state.queue.scroll
        #expect(screen[5, selectedRow].style.reverse)
        #expect(!screen[5, selectedRow + 1].style.reverse)
        let layout = ConsoleLayout(columns: 120, rows: 40)
        let panelX = 120 - layout.panelWidth + 1
        let rows = (layout.detailTop + 1)..<40
        guard let unsuspendRow = rows.first(where: { screen.line($0).contains("U Unsuspend") }),
              let mfaRow = rows.first(where: { screen.line($0).contains("m Reset MFA") }) else {
            Issue.record("every action is in the panel at 120x40")
            return
        }
        #expect(screen[panelX + 2, unsuspendRow].style.dim, "Unsuspend is dimmed for an ACTIVE account")
        #expect(screen.line(unsuspendRow).contains("not suspended"))
        #expect(screen.line(mfaRow).contains("approval"))
        #expect(!screen[panelX + 2, mfaRow].style.dim)
    }

    @Test func atEightyColumnsTheActionsThatApplyComeFirst() {
        let screen = ConsoleRenderer.render(ConsoleFixtures.queueState())
        let text = screen.text
        #expect(text.contains("D Deactivate…"))
        #expect(!text.contains("U Unsuspend"), "an action that does not apply gives its row to one that does")
    }
}

/// A message or a card's failure may be megabytes from a service that lies: a frame reads only
/// the start it can show, and says the rest was left out.
@Suite struct LongMessageTests {
    static let huge = String(repeating: "Okta said no; ", count: 300_000) + "\u{1B}[31m"

    @Test func onlyTheStartThatCanShowIsCleanedAndTheCutIsMarked() {
        let start = MessageLines.start(of: Self.huge, lines: 5, width: 120)
        #expect(start.cut)
        #expect(start.text.unicodeScalars.count <= 2 * 5 * 121)
        let marks = "a" + String(repeating: "\u{301}", count: 2_000_000)
        #expect(MessageLines.start(of: marks, lines: 5, width: 120).text.unicodeScalars.count <= 2 * 5 * 121, "one letter under marks is cut too")
    }

    @Test func theBandAndTheCardEndInAnEllipsisAndNothingUnsafeShows() {
        var state = ConsoleFixtures.queueState(columns: 120, rows: 40)
        state.status = StatusLine(Self.huge, .error)
        state.card = .failed(Fixtures.email("jane.doe@example.com"), Self.huge)
        let screen = ConsoleRenderer.render(state).text
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[lines.count - 3].hasSuffix("…"), "\(lines[lines.count - 3])")
        #expect(screen.contains("✗ Okta said no;"))
        #expect(!screen.contains("\u{1B}"))
    }
}
