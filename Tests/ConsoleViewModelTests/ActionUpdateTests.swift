import ConsoleViewModel
import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import Testing

@Suite struct ActionUpdateTests {
    var state = ConsoleFixtures.queueState()
    let jane = RequestID(1)

    func type(_ text: String) -> [Effect] {
        var state = self.state
        return type(text, into: &state)
    }

    func type(_ text: String, into state: inout AppState) -> [Effect] {
        text.flatMap { Console.update(&state, .key(.char($0))) }
    }

    @Test mutating func resetMFAConfirmsExactlyWhatWillHappenAndSendsOnce() {
        #expect(Console.update(&state, .key(.char("m"))) == [.findApprovers(jane, .resetMFA)], "who may approve is asked of the service")
        guard case .confirm(let asking) = state.modal else { Issue.record("expected the confirm dialog"); return }
        #expect(asking.lines == ["Reset all MFA factors for jane.doe@example.com (Okta Verify push (iPhone 12), SMS (+1 ••• ••• 4411), Okta Verify code); "
                                 + "they enroll again at next sign-in."])
        #expect(asking.approvers == .checking)
        #expect(asking.submitLabel == "ask for approval")
        _ = Console.update(&state, .approversFound(jane, .resetMFA, .success(["sam", "morgan"])))
        guard case .confirm(let confirm) = state.modal else { Issue.record("expected the confirm dialog"); return }
        #expect(confirm.approvers == .known(["sam", "morgan"]))
        #expect(ActionPlan.approvalLine(confirm.approvers) == "Needs approval by sam or morgan; it runs in Okta when approved.")
        #expect(Console.update(&state, .key(.enter)) == [], "a reason is required")
        guard case .confirm(let refused) = state.modal else { Issue.record("the dialog stays"); return }
        #expect(refused.error?.contains("reason is required") == true)
        _ = type("lost phone, ID checked", into: &state)
        let key = InFlight(requestID: jane, action: .resetMFA)
        #expect(Console.update(&state, .key(.enter)) == [.ask(key, .resetMFA, reason: "lost phone, ID checked", account: "00ujane")])
        #expect(state.inFlight == [key])
        #expect(state.modal == nil)
        #expect(Console.update(&state, .key(.char("m"))) == [], "the same action cannot be sent again while in flight")
        #expect(state.status?.text.contains("already in flight") == true)
        let done = Console.update(&state, .actionFinished(key, ActionReport(line: StatusLine("REQ-1: Reset MFA waits for approval APR-1 by sam, morgan.", .success))))
        #expect(state.inFlight.isEmpty)
        #expect(done.contains(.loadDetail(jane)))
        #expect(done.contains(.loadCard(Fixtures.email("jane.doe@example.com"), refresh: true)))
    }

    @Test mutating func escCancelsAtEveryStep() {
        for key: Character in ["m", "g", "G", "p", "P", "s", "u", "w", "x"] {
            var copy = state
            _ = Console.update(&copy, .key(.char(key)))
            #expect(copy.modal != nil, "\(key)")
            _ = Console.update(&copy, .key(.escape))
            #expect(copy.modal == nil, "\(key)")
            #expect(copy.inFlight.isEmpty)
        }
    }

    @Test mutating func unavailableActionsSayWhyAndOpenNothing() {
        #expect(Console.update(&state, .key(.char("U"))) == [])
        #expect(state.modal == nil)
        var expected = StatusLine("REQ-1: Unsuspend is not available: the account is not suspended (it is ACTIVE).", .error, about: jane)
        expected.shownAt = state.now
        #expect(state.status == expected)
        state.card = .loading(Fixtures.email("jane.doe@example.com"))
        _ = Console.update(&state, .key(.char("m")))
        #expect(state.modal == nil)
        #expect(state.status?.text.contains("still loading") == true)
    }

    @Test mutating func addToGroupSearchesOktaThenAsksHowLong() {
        #expect(Console.update(&state, .key(.char("g"))) == [.searchTargets(.group, query: "")])
        #expect(Console.update(&state, .key(.char("e"))) == [.searchTargets(.group, query: "e")])
        _ = Console.update(&state, .pickerResults(.group, query: "e", items: [PickerItem(id: "00geng", label: "Engineering", detail: "OKTA_GROUP"),
                                                                     PickerItem(id: "00gad", label: "AD: Everyone", detail: "APP_GROUP", disabledReason: "managed in AD")]))
        _ = Console.update(&state, .pickerResults(.group, query: "old query", items: []))
        guard case .picker(let picker) = state.modal else { Issue.record("expected the picker"); return }
        #expect(picker.items.count == 2, "answers to an older query are dropped")
        _ = Console.update(&state, .key(.down))
        #expect(Console.update(&state, .key(.enter)) == [])
        #expect(state.status?.text.contains("cannot be chosen: managed in AD") == true)
        _ = Console.update(&state, .key(.up))
        _ = Console.update(&state, .key(.enter))
        guard case .duration(let duration) = state.modal else { Issue.record("expected the duration choice"); return }
        #expect(DurationState.choices[duration.selected] == "1 day", "lasting access is chosen, never the first choice")
        _ = Console.update(&state, .key(.down))
        _ = Console.update(&state, .key(.down))
        _ = Console.update(&state, .key(.enter))
        guard case .confirm(let confirm) = state.modal else { Issue.record("expected the confirm dialog"); return }
        #expect(confirm.plan == .ask(.addToGroup(GroupRef(id: "00geng", name: "Engineering"), expiry: AccessDuration(1, .weeks))))
        #expect(confirm.lines.first == "Add jane.doe@example.com to the group Engineering for 1 week. Access ends 2026-11-25 11:06 unless renewed.")
    }

    @Test mutating func lastingAccessIsAskedForOnlyByChoosingIt() {
        func confirmed(_ keys: [Key]) -> OktaAction? {
            var state = self.state
            _ = Console.update(&state, .key(.char("g")))
            _ = Console.update(&state, .pickerResults(.group, query: "", items: [PickerItem(id: "00geng", label: "Engineering", detail: "OKTA_GROUP")]))
            _ = Console.update(&state, .key(.enter))
            for key in keys { _ = Console.update(&state, .key(key)) }
            _ = Console.update(&state, .key(.enter))
            guard case .confirm(let confirm) = state.modal, case .ask(let action) = confirm.plan else { return nil }
            return action
        }
        let engineering = GroupRef(id: "00geng", name: "Engineering")
        #expect(confirmed([]) == .addToGroup(engineering, expiry: AccessDuration(1, .days)))
        #expect(confirmed([.end, .home]) == .addToGroup(engineering, expiry: AccessDuration(1, .days)))
        #expect(confirmed([.end, .up]) == .addToGroup(engineering, expiry: nil))
        #expect(confirmed([.end]) == nil, "End is custom…, which asks for the duration")
    }

    @Test mutating func aPickersHomeAndEndGoToItsFirstAndLastChoice() {
        _ = Console.update(&state, .key(.char("p")))
        _ = Console.update(&state, .pickerResults(.app, query: "", items: [PickerItem(id: "0oazoom", label: "Zoom"), PickerItem(id: "0oasf", label: "Salesforce"), PickerItem(id: "0oagh", label: "GitHub")]))
        _ = Console.update(&state, .key(.end))
        guard case .picker(let last) = state.modal else { Issue.record("expected the picker"); return }
        #expect(last.selected == 2)
        _ = Console.update(&state, .key(.home))
        guard case .picker(let first) = state.modal else { Issue.record("expected the picker"); return }
        #expect(first.selected == 0)
    }

    @Test mutating func aCustomDurationIsCheckedAsTyped() {
        _ = Console.update(&state, .key(.char("p")))
        _ = Console.update(&state, .pickerResults(.app, query: "", items: [PickerItem(id: "0oazoom", label: "Zoom"), PickerItem(id: "0oasf", label: "Salesforce")]))
        guard case .picker(let picker) = state.modal else { Issue.record("expected the picker"); return }
        #expect(picker.items.map(\.disabledReason) == [nil, "already assigned"], "what the requester has cannot be asked for again")
        _ = Console.update(&state, .key(.enter))
        for _ in 0..<7 { _ = Console.update(&state, .key(.down)) }
        _ = Console.update(&state, .key(.enter))
        _ = type("forever", into: &state)
        _ = Console.update(&state, .key(.enter))
        guard case .duration(let wrong) = state.modal else { Issue.record("expected the duration"); return }
        #expect(wrong.error?.contains("is not a duration") == true)
        _ = Console.update(&state, .key(.ctrl("u")))
        _ = type("90m", into: &state)
        _ = Console.update(&state, .key(.enter))
        guard case .confirm(let confirm) = state.modal else { Issue.record("expected the confirm dialog"); return }
        #expect(confirm.plan == .ask(.assignApp(AppRef(id: "0oazoom", label: "Zoom"), expiry: AccessDuration(90, .minutes))))
    }

    @Test mutating func removePickersListOnlyTheRequestersOwnAndFilterLocally() {
        #expect(Console.update(&state, .key(.char("G"))) == [])
        guard case .picker(let picker) = state.modal else { Issue.record("expected the picker"); return }
        #expect(picker.items.map(\.label) == ["Everyone", "Sales", "VPN Users", "AD: Domain Users"])
        #expect(picker.items.map { $0.disabledReason != nil } == [true, false, false, true])
        #expect(Console.update(&state, .key(.char("v"))) == [], "local lists do not call Okta")
        _ = Console.update(&state, .key(.char("p")))
        guard case .picker(let filtered) = state.modal else { return }
        #expect(filtered.visibleItems.map(\.label) == ["VPN Users"])
        _ = Console.update(&state, .key(.enter))
        guard case .confirm(let confirm) = state.modal else { Issue.record("expected the confirm dialog"); return }
        #expect(confirm.lines == ["Remove jane.doe@example.com from the group VPN Users."])
        #expect(confirm.approvers == .notNeeded)
        #expect(confirm.submitLabel == "run in Okta")
    }

    @Test mutating func approvalsAreApprovedAndDeniedFromTheApprovalsTab() {
        let approval = Approval(id: ApprovalID(3), requestID: jane, action: .resetMFA, reason: "lost phone", requestedBy: "alex",
                                requestedAt: ConsoleFixtures.now, expiresAt: ConsoleFixtures.now.addingTimeInterval(86_400),
                                approvers: [EligibleApprover(login: "sam", basis: .manager)], targetUserID: "00ujane", state: .pending)
        state.user = ConsoleFixtures.manager
        state.tab = .approvals
        state.detail.approvals = [approval]
        _ = Console.update(&state, .key(.char("a")))
        guard case .confirm(let confirm) = state.modal else { Issue.record("expected the confirm dialog"); return }
        #expect(confirm.lines[1] == "Asked by alex: “lost phone”.")
        let key = InFlight(requestID: jane, action: .resetMFA)
        #expect(Console.update(&state, .key(.enter)) == [.approve(key, approval, comment: nil)])

        state.inFlight = []
        _ = Console.update(&state, .key(.char("d")))
        #expect(Console.update(&state, .key(.enter)) == [], "a reason is required to deny")
        _ = type("call her first", into: &state)
        #expect(Console.update(&state, .key(.enter)) == [.deny(approval, reason: "call her first")])

        state.user = ConsoleFixtures.agent
        _ = Console.update(&state, .key(.char("a")))
        #expect(state.modal == nil)
        #expect(state.status?.text.contains("you may not decide it") == true)

        // Asking again for exactly what waits is refused before a reason is typed.
        state.tab = .queue
        _ = Console.update(&state, .key(.char("m")))
        #expect(state.modal == nil)
        #expect(state.status?.text == "REQ-1: APR-3 already asks for exactly this and is waiting for sam.")

        // The agent who asked cannot approve it, but withdraws it with d.
        _ = Console.update(&state, .key(.char("d")))
        guard case .prompt(let prompt) = state.modal else { Issue.record("expected the reason prompt"); return }
        #expect(prompt.title == "Withdraw APR-3 (Reset all MFA factors), which you asked for: why?")
        _ = type("wrong person", into: &state)
        #expect(Console.update(&state, .key(.enter)) == [.deny(approval, reason: "wrong person")])
    }

    @Test mutating func agentWorkKeys() {
        #expect(Console.update(&state, .key(.char("t"))) == [.assign(jane, to: "alex", version: 1)])
        _ = Console.update(&state, .key(.char("c")))
        _ = type("called back", into: &state)
        #expect(Console.update(&state, .key(.enter)) == [.note(jane, "called back")])
        _ = Console.update(&state, .key(.char("r")))
        #expect(Console.update(&state, .key(.enter)) == [.resolve(jane, note: nil, version: 1)])
        state.user = ConsoleFixtures.manager
        for key: Character in ["m", "t", "r", "n", "A", "o", "g"] {
            #expect(Console.update(&state, .key(.char(key))) == [], "an operator without the agent role has no \(key) key")
            #expect(state.modal == nil)
        }
    }

    @Test mutating func aNewRequestChecksTheEmailAgainstOkta() {
        _ = Console.update(&state, .key(.char("n")))
        _ = type("not-an-email", into: &state)
        #expect(Console.update(&state, .key(.enter)) == [])
        guard case .newRequest(let wrong) = state.modal else { Issue.record("expected the form"); return }
        #expect(wrong.error?.contains("is not an email address") == true)
        _ = Console.update(&state, .key(.ctrl("u")))
        _ = type("jane.doe@example.com", into: &state)
        #expect(Console.update(&state, .key(.enter)) == [.checkRequester("jane.doe@example.com")])
        _ = Console.update(&state, .requesterChecked(email: "jane.doe@example.com", .found("Jane Doe (ACTIVE)")))
        _ = Console.update(&state, .key(.enter))
        _ = type("VPN broken", into: &state)
        _ = Console.update(&state, .key(.tab))
        #expect(Console.update(&state, .key(.enter)) == [.createRequest(requester: "jane.doe@example.com", subject: "VPN broken", priority: .high)])
        let created = Console.update(&state, .requestCreated(RequestID(41)))
        guard case .loadQueue(let load) = created.first else { Issue.record("expected a reload"); return }
        #expect(load.keep == RequestID(41))
    }

    @Test mutating func aOneTimeLinkIsShownOnceInADialog() {
        let key = InFlight(requestID: jane, action: .resetPassword)
        state.inFlight = [key]
        _ = Console.update(&state, .actionFinished(key, ActionReport(line: StatusLine("Okta: reset", .success), oneTimeLink: "https://x/reset/abc")))
        #expect(state.modal == .oneTimeLink("https://x/reset/abc"))
        _ = Console.update(&state, .key(.escape))
        #expect(state.modal == nil)
    }
}
