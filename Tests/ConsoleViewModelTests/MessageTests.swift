import ConsoleViewModel
import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import Testing

/// One test per kind of message: the whole state after it, and every effect it asks for.
@Suite struct MessageTests {
    var state = ConsoleFixtures.queueState()
    let jane = RequestID(1)
    let janeEmail = Fixtures.email("jane.doe@example.com")

    func said(_ text: String, _ kind: StatusLine.Kind = .info, about: RequestID? = nil, at: Date? = nil) -> StatusLine {
        var line = StatusLine(text, kind, about: about)
        line.shownAt = at ?? state.now
        return line
    }

    @Test mutating func aKeyMovesTheSelectionAndLoadsWhatTheNewRequestNeeds() {
        var expected = state
        expected.queue.selected = 3
        expected.detail = DetailState()
        expected.detail.requestID = RequestID(9)
        expected.card = .loading(Fixtures.email("misaki.sato@example.com"))
        (expected.cardReadAt, expected.cardReadBegan) = (nil, nil)
        let effects = Console.update(&state, .key(.down))
        #expect(state == expected)
        #expect(effects == [.loadDetail(RequestID(9)), .loadCard(Fixtures.email("misaki.sato@example.com"), refresh: false)])
    }

    @Test mutating func aResizeKeepsTheSelectionOnScreen() {
        var expected = state
        expected.columns = 100
        expected.rows = 30
        let effects = Console.update(&state, .resize(columns: 100, rows: 30))
        #expect(state == expected)
        #expect(effects == [])
    }

    @Test mutating func aTickMovesTheClockClearsOldMessagesAndRereadsAnOldCard() {
        state.say("Noted on REQ-1.", .success, about: jane)
        var expected = state
        let soon = state.now.addingTimeInterval(4)
        expected.now = soon
        expected.spinnerFrame = 1
        #expect(Console.update(&state, .tick(soon)) == [])
        #expect(state == expected, "a message stays a few seconds")

        let later = state.now.addingTimeInterval(2)
        expected.now = later
        expected.spinnerFrame = 2
        expected.status = nil
        #expect(Console.update(&state, .tick(later)) == [])
        #expect(state == expected, "then it goes")

        let aMinute = ConsoleFixtures.now.addingTimeInterval(Console.cardMaxAge)
        expected.now = aMinute
        expected.spinnerFrame = 3
        expected.cardRefreshing = true
        #expect(Console.update(&state, .tick(aMinute)) == [.loadCard(janeEmail, refresh: true)], "a card a minute old is read again")
        #expect(state == expected)
        expected.now = aMinute.addingTimeInterval(1)
        expected.spinnerFrame = 4
        #expect(Console.update(&state, .tick(aMinute.addingTimeInterval(1))) == [], "once, not on every tick")
        #expect(state == expected)
    }

    @Test mutating func errorsStayLongerThanOtherMessages() {
        state.say("Okta refused.", .error)
        _ = Console.update(&state, .tick(state.now.addingTimeInterval(9)))
        #expect(state.status?.text == "Okta refused.")
        _ = Console.update(&state, .tick(state.now.addingTimeInterval(1)))
        #expect(state.status == nil)
    }

    @Test mutating func aCommitElsewhereReloadsTheWindowAndTheOpenTimeline() {
        var expected = state
        expected.queueGeneration = 1
        expected.rereadGeneration = 1
        let effects = Console.update(&state, .storeChanged([jane]))
        #expect(state == expected)
        #expect(effects == [.loadQueue(QueueLoad(generation: 1, tab: .queue, filter: Tab.queue.filter(for: "alex", text: ""), after: nil, direction: .forward,
                                                 limit: Console.windowSize, login: "alex", keep: jane, fallbackIndex: 2)), .loadDetail(jane)])
    }

    @Test mutating func aChangeToAnotherRequestOfTheSameRequesterRereadsTheCard() {
        state.queue.rows.append(ConsoleFixtures.request(39, "Expense report: can't open Workday"))
        var expected = state
        expected.queueGeneration = 1
        expected.rereadGeneration = 1
        expected.cardRefreshing = true
        let effects = Console.update(&state, .storeChanged([RequestID(39)]))
        #expect(state == expected)
        #expect(effects == [.loadQueue(QueueLoad(generation: 1, tab: .queue, filter: Tab.queue.filter(for: "alex", text: ""), after: nil, direction: .forward,
                                                 limit: Console.windowSize, login: "alex", keep: jane, fallbackIndex: 2)),
                            .loadCard(janeEmail, refresh: true)], "an action on Jane's other request may have changed her account")
        state.queueAnswered = state.queueGeneration  // (as if that read had landed)
        #expect(Console.update(&state, .storeChanged([RequestID(9)])).count == 1, "another requester's change leaves the card")
    }

    @Test mutating func aLostServiceIsShownUntilItReturns() {
        var expected = state
        expected.serviceProblem = "the helpdesk service closed the connection"
        #expect(Console.update(&state, .serviceProblem("the helpdesk service closed the connection")) == [])
        #expect(state == expected)

        expected.serviceProblem = nil
        expected.status = said("Connected to the helpdesk service again.", .success)
        expected.queueGeneration = 1
        expected.rereadGeneration = 1
        let effects = Console.update(&state, .serviceProblem(nil))
        #expect(state == expected)
        #expect(effects.count == 2, "the window and the open timeline are read again")
    }

    @Test mutating func anAlertIsShownAsAnError() {
        var expected = state
        expected.status = said("the revoke of GRANT-1 failed", .error)
        #expect(Console.update(&state, .alert("the revoke of GRANT-1 failed")) == [])
        #expect(state == expected)
    }

    @Test mutating func aLoadedWindowReplacesTheRowsAndKeepsTheSelection() {
        var window = QueueWindow()
        window.rows = Array(ConsoleFixtures.requests.reversed())
        state.queueGeneration = 4
        var expected = state
        expected.counts = QueueCounts(queue: 6)
        expected.queueAnswered = 4
        expected.queue = window
        expected.queue.selected = 3
        expected.queue.clamp(visible: state.visibleQueueRows)
        let effects = Console.update(&state, .queueLoaded(QueueSnapshot(generation: 4, window: window, counts: QueueCounts(queue: 6), keep: jane, fallbackIndex: 0)))
        #expect(state == expected)
        #expect(effects == [])
    }

    @Test mutating func aTimelineWithANewOktaAnswerRereadsTheCard() {
        let answered = ConsoleFixtures.timeline(for: jane) + [TimelineEvent(
            id: 20, requestID: jane, actor: "sam", at: state.now,
            payload: .actionSucceeded(.init(runID: ActionRunID(1), action: .resetMFA, summary: "reset 3 factors", oktaRequestID: "reqX")))]
        var expected = state
        expected.detail.timeline = answered
        expected.cardRefreshing = true
        expected.cardReadForAnswer = 20
        let effects = Console.update(&state, .detailLoaded(jane, DetailSnapshot(timeline: answered, approvals: [], runs: [])))
        #expect(state == expected)
        #expect(effects == [.loadCard(janeEmail, refresh: true)], "the card follows what Okta did, from any console")

        var quiet = ConsoleFixtures.queueState()
        let noted = ConsoleFixtures.timeline(for: jane) + [TimelineEvent(id: 21, requestID: jane, actor: "alex", at: state.now, payload: .note(text: "hi"))]
        #expect(Console.update(&quiet, .detailLoaded(jane, DetailSnapshot(timeline: noted, approvals: [], runs: []))) == [], "a note does not call Okta")
        #expect(Console.update(&quiet, .detailLoaded(RequestID(9), DetailSnapshot(timeline: answered, approvals: [], runs: []))) == [],
                "an answer for a request no longer open is dropped")
        #expect(quiet.detail.timeline == noted)
    }

    /// The service sends a long timeline's newest entries: a new answer is one newer than any shown,
    /// even when the oldest shown (an answer too) has slid out and the count of answers is the same.
    @Test mutating func aNewOktaAnswerInATimelineCutToItsNewestEntriesRereadsTheCard() {
        let earlier = state.now.addingTimeInterval(-3600)
        func answer(_ id: Int64) -> TimelineEvent {
            TimelineEvent(id: id, requestID: jane, actor: "sam", at: earlier,
                          payload: .actionSucceeded(.init(runID: ActionRunID(id), action: .resetMFA, summary: "reset 3 factors", oktaRequestID: "req\(id)")))
        }
        let note = TimelineEvent(id: 21, requestID: jane, actor: "alex", at: earlier, payload: .note(text: "hi"))
        state.cardReadBegan = nil
        state.detail.timeline = [answer(20), note]
        let effects = Console.update(&state, .detailLoaded(jane, DetailSnapshot(timeline: [note, answer(22)], earlierEvents: 7, approvals: [], runs: [])))
        #expect(effects == [.loadCard(janeEmail, refresh: true)])
        #expect(state.detail.earlierEvents == 7)
        let text = TimelineLayout.lines(state).prefix(2).map { $0.map(\.text).joined() }.joined(separator: " ")
        #expect(text.hasPrefix("7 earlier entries are not shown here; helpdesk export --request \(jane) prints every one"), "\(text)")
        state.detail.earlierEvents = 0
        #expect(TimelineLayout.lines(state).first?.first?.text.hasPrefix("7 earlier") == false)
    }

    func suspended(at time: Date, id: Int64 = 20) -> [TimelineEvent] {
        ConsoleFixtures.timeline(for: jane) + [TimelineEvent(
            id: id, requestID: jane, actor: "sam", at: time,
            payload: .actionSucceeded(.init(runID: ActionRunID(1), action: .suspend, summary: "suspended", oktaRequestID: "reqX")))]
    }

    /// Okta answers while the card is being read (the steps of a plan): the read on its way is
    /// checked when it lands, and read once more if it began before the answer.
    @Test mutating func aCardReadThatBeganBeforeAnAnswerIsReadOnceMore() {
        state.cardRefreshing = true
        #expect(Console.update(&state, .detailLoaded(jane, DetailSnapshot(timeline: suspended(at: state.now), approvals: [], runs: []))) == [],
                "one read of the card at a time")
        #expect(state.cardRefreshing)
        let before = state.now.addingTimeInterval(-1), after = state.now.addingTimeInterval(1)
        #expect(Console.update(&state, .cardLoaded(janeEmail, .success(ConsoleFixtures.janeCard), readAt: before)) == [.loadCard(janeEmail, refresh: true)],
                "the card that landed was read before the answer")
        #expect(state.card == .loaded(janeEmail, ConsoleFixtures.janeCard), "shown meanwhile")
        #expect(state.cardRefreshing)
        #expect(Console.update(&state, .cardLoaded(janeEmail, .success(ConsoleFixtures.janeCard), readAt: after)) == [], "read after the answer: done")
        #expect(!state.cardRefreshing && state.cardReadBegan == after && state.cardReadAt == state.now)
    }

    /// Clocks that disagree (an answer stamped ahead of the console's clock) cost one more read, not a loop.
    @Test mutating func anAnswerFromAheadOfTheConsolesClockIsReadForOnce() {
        let ahead = state.now.addingTimeInterval(300)
        let effects = Console.update(&state, .detailLoaded(jane, DetailSnapshot(timeline: suspended(at: ahead), approvals: [], runs: [])))
        #expect(effects == [.loadCard(janeEmail, refresh: true)])
        #expect(Console.update(&state, .cardLoaded(janeEmail, .success(ConsoleFixtures.janeCard), readAt: state.now)) == [])
        #expect(Console.update(&state, .detailLoaded(jane, DetailSnapshot(timeline: suspended(at: ahead), approvals: [], runs: []))) == [])
    }

    /// An action from this console: its answer is recorded before the read it asks for begins, so
    /// the timeline that shows the answer while that read is on its way makes no second read.
    @Test mutating func anActionFromThisConsoleReadsTheCardOnce() {
        let key = InFlight(requestID: jane, action: .suspend)
        state.inFlight.insert(key)
        #expect(Console.update(&state, .actionFinished(key, ActionReport(line: StatusLine("Okta: suspended", .success)))).contains(.loadCard(janeEmail, refresh: true)))
        let recorded = state.now.addingTimeInterval(-0.01)
        #expect(Console.update(&state, .detailLoaded(jane, DetailSnapshot(timeline: suspended(at: recorded), approvals: [], runs: []))) == [])
        #expect(Console.update(&state, .cardLoaded(janeEmail, .success(ConsoleFixtures.janeCard), readAt: state.now)) == [])
    }

    /// Back on a requester within the runner's minute, the card kept from an earlier read is as old
    /// as that read: an answer the timeline records since makes it read again, whichever lands first.
    @Test mutating func aKeptCardOlderThanAnAnswerIsReadAgain() {
        let keptFrom = state.now.addingTimeInterval(-30), answered = state.now.addingTimeInterval(-5)
        _ = Console.update(&state, .key(.down))
        _ = Console.update(&state, .key(.up))
        #expect(Console.update(&state, .cardLoaded(janeEmail, .success(ConsoleFixtures.janeCard), readAt: keptFrom)) == [])
        #expect(Console.update(&state, .detailLoaded(jane, DetailSnapshot(timeline: suspended(at: answered), approvals: [], runs: []))) == [.loadCard(janeEmail, refresh: true)])

        _ = Console.update(&state, .key(.down))
        _ = Console.update(&state, .key(.up))
        #expect(Console.update(&state, .detailLoaded(jane, DetailSnapshot(timeline: suspended(at: answered), approvals: [], runs: []))) == [],
                "the card's read is on its way")
        #expect(Console.update(&state, .cardLoaded(janeEmail, .success(ConsoleFixtures.janeCard), readAt: keptFrom)) == [.loadCard(janeEmail, refresh: true)])
    }

    /// An answer on another request of the same requester while the card is still loading (after R):
    /// that read may have begun before it, so the card is read again.
    @Test mutating func anAnswerElsewhereWhileTheCardLoadsIsNotLost() {
        state.queue.rows.append(ConsoleFixtures.request(5, "Also Jane's", minutesAgo: 50))
        #expect(Console.update(&state, .key(.char("R"))).contains(.loadCard(janeEmail, refresh: true)))
        let changed = Console.update(&state, .storeChanged([RequestID(5)]))
        let landed = Console.update(&state, .cardLoaded(janeEmail, .success(ConsoleFixtures.janeCard), readAt: state.now))
        #expect(cardReads(changed) == 0 && landed == [.loadCard(janeEmail, refresh: true)], "read once more when R's read lands, not beside it: \(changed) \(landed)")

        state.cardRefreshing = true
        _ = Console.update(&state, .storeChanged([RequestID(5)]))
        _ = Console.update(&state, .key(.down))
        #expect(Console.update(&state, .cardLoaded(Fixtures.email("misaki.sato@example.com"), .success(ConsoleFixtures.janeCard))) == [],
                "a read owed to a card no longer shown is not made")
    }

    func cardReads(_ effects: [Effect]) -> Int { effects.filter { if case .loadCard = $0 { true } else { false } }.count }

    /// An answer seen while a read is on its way is compared with that read when it lands, wherever
    /// the selection went meanwhile: to the requester's other request, or an older timeline landed late.
    @Test mutating func anAnswerSeenDuringAReadIsComparedWithItWhereverTheSelectionGoes() {
        let start = state
        state.queue.rows.insert(ConsoleFixtures.request(5, "Also Jane's", minutesAgo: 20), at: 3)
        let began = state.now
        state.cardRefreshing = true
        var all = Console.update(&state, .detailLoaded(jane, DetailSnapshot(timeline: suspended(at: began.addingTimeInterval(0.2)), approvals: [], runs: [])))
        all += Console.update(&state, .key(.down))
        #expect(state.selectedRequest?.id == RequestID(5))
        all += Console.update(&state, .cardLoaded(janeEmail, .success(ConsoleFixtures.janeCard), readAt: began))
        #expect(cardReads(all) == 1, "read before the answer, on Jane's other request by then: \(all)")

        state = start
        state.cardRefreshing = true
        all = Console.update(&state, .detailLoaded(jane, DetailSnapshot(timeline: suspended(at: began.addingTimeInterval(0.2)), approvals: [], runs: [])))
        all += Console.update(&state, .detailLoaded(jane, DetailSnapshot(timeline: ConsoleFixtures.timeline(for: jane), approvals: [], runs: [])))
        all += Console.update(&state, .cardLoaded(janeEmail, .success(ConsoleFixtures.janeCard), readAt: began))
        #expect(cardReads(all) == 1, "the newer timeline was seen, then an older one landed: \(all)")
    }

    /// A card Okta could not read (an unknown requester, Okta away) is not read again for every
    /// change on the requester's other requests: R does that.
    @Test mutating func aCardOktaCouldNotReadIsNotReadAgainForChangesElsewhere() {
        state.queue.rows.append(ConsoleFixtures.request(5, "Also Jane's", minutesAgo: 50))
        let unknown = ConsoleFailure("Okta has no user with the email jane.doe@example.com")
        _ = Console.update(&state, .cardLoaded(janeEmail, .failure(unknown), readAt: state.now))
        var reads = 0
        for _ in 0..<5 { reads += cardReads(Console.update(&state, .storeChanged([RequestID(5)]))) }
        #expect(reads == 0)
    }

    /// The minute-old read goes by the console's own clock, whatever clock the read was timed on.
    @Test mutating func theMinuteOldReadGoesByTheConsolesClock() {
        let runnerClock = state.now.addingTimeInterval(-120)
        var reads = 0
        for tick in 1...5 {
            reads += cardReads(Console.update(&state, .tick(state.now.addingTimeInterval(0.25))))
            _ = Console.update(&state, .cardLoaded(janeEmail, .success(ConsoleFixtures.janeCard), readAt: runnerClock.addingTimeInterval(Double(tick) * 0.25)))
        }
        #expect(reads == 0)
        reads = cardReads(Console.update(&state, .tick(state.now.addingTimeInterval(61))))
        #expect(reads == 1, "a minute after it landed")
    }

    /// With the service's clock ahead of the console's, moving between two of the requester's
    /// answered requests reads the card once per answer, not once per move.
    @Test mutating func withClocksApartMovingBetweenAnsweredRequestsReadsOncePerAnswer() {
        state.queue.rows.insert(ConsoleFixtures.request(5, "Also Jane's", minutesAgo: 20), at: 3)
        let ahead = state.now.addingTimeInterval(300)
        let other = [TimelineEvent(id: 30, requestID: RequestID(5), actor: "sam", at: ahead,
                                   payload: .actionSucceeded(.init(runID: ActionRunID(2), action: .suspend, summary: "suspended", oktaRequestID: "reqY")))]
        var reads = 0
        for _ in 0..<4 {
            _ = Console.update(&state, .key(.down))
            reads += cardReads(Console.update(&state, .detailLoaded(RequestID(5), DetailSnapshot(timeline: other, approvals: [], runs: []))))
            reads += cardReads(Console.update(&state, .cardLoaded(janeEmail, .success(ConsoleFixtures.janeCard), readAt: state.now)))
            _ = Console.update(&state, .key(.up))
            reads += cardReads(Console.update(&state, .detailLoaded(jane, DetailSnapshot(timeline: suspended(at: ahead), approvals: [], runs: []))))
            reads += cardReads(Console.update(&state, .cardLoaded(janeEmail, .success(ConsoleFixtures.janeCard), readAt: state.now)))
        }
        #expect(reads == 1, "reads: \(reads)")
    }

    @Test mutating func aLoadedCardIsShownAndAFailedOneSaysHowToRetry() {
        state.card = .loading(janeEmail)
        state.cardReadAt = nil
        state.now = state.now.addingTimeInterval(5)
        var expected = state
        expected.card = .loaded(janeEmail, ConsoleFixtures.janeCard)
        (expected.cardReadAt, expected.cardReadBegan) = (state.now, state.now.addingTimeInterval(-2))
        #expect(Console.update(&state, .cardLoaded(janeEmail, .success(ConsoleFixtures.janeCard), readAt: state.now.addingTimeInterval(-2))) == [])
        #expect(state == expected)

        expected.card = .failed(janeEmail, "Okta did not answer within 20 s; R retries")
        (expected.cardReadAt, expected.cardReadBegan) = (nil, nil)
        #expect(Console.update(&state, .cardLoaded(janeEmail, .failure(ConsoleFailure("Okta did not answer within 20 s; R retries")))) == [])
        #expect(state == expected)

        #expect(Console.update(&state, .cardLoaded(Fixtures.email("other@example.com"), .success(ConsoleFixtures.janeCard))) == [])
        #expect(state == expected, "a card for someone no longer shown is dropped")
    }

    @Test mutating func pickerResultsMarkWhatTheUserAlreadyHas() {
        _ = Console.update(&state, .key(.char("g")))
        var expected = state
        guard case .picker(var picker) = expected.modal else { Issue.record("expected the picker"); return }
        picker.items = [PickerItem(id: "00gvpn", label: "VPN Users", detail: "OKTA_GROUP", disabledReason: "already a member"),
                        PickerItem(id: "00geng", label: "Engineering", detail: "OKTA_GROUP")]
        picker.loading = false
        expected.modal = .picker(picker)
        let effects = Console.update(&state, .pickerResults(.group, query: "", items: [PickerItem(id: "00gvpn", label: "VPN Users", detail: "OKTA_GROUP"),
                                                                                PickerItem(id: "00geng", label: "Engineering", detail: "OKTA_GROUP")]))
        #expect(state == expected)
        #expect(effects == [])

        _ = Console.update(&state, .key(.escape))
        _ = Console.update(&state, .key(.char("p")))
        let appPicker = state
        _ = Console.update(&state, .pickerResults(.group, query: "", items: [PickerItem(id: "00gaws", label: "AWS Production")]))
        #expect(state == appPicker, "a late answer for the group picker does not fill the app picker")
    }

    @Test mutating func whoMayApproveFillsTheConfirmDialog() {
        _ = Console.update(&state, .key(.char("m")))
        var expected = state
        guard case .confirm(var confirm) = expected.modal else { Issue.record("expected the confirm dialog"); return }
        confirm.approvers = .known(["sam"])
        expected.modal = .confirm(confirm)
        #expect(Console.update(&state, .approversFound(jane, .resetMFA, .success(["sam"]))) == [])
        #expect(state == expected)
        #expect(Console.update(&state, .approversFound(jane, .unsuspend, .success(["morgan"]))) == [], "an answer for another action is dropped")
        #expect(state == expected)
        confirm.approvers = .unknown("Okta did not answer")
        expected.modal = .confirm(confirm)
        _ = Console.update(&state, .approversFound(jane, .resetMFA, .failure(ConsoleFailure("Okta did not answer"))))
        #expect(state == expected)
    }

    @Test mutating func aFinishedActionSaysWhatHappenedAndRereadsEverything() {
        let key = InFlight(requestID: jane, action: .unlock)
        state.inFlight = [key]
        var expected = state
        expected.inFlight = []
        expected.status = said("REQ-1: Okta: unlocked the account (RUN-1)", .success, about: jane)
        expected.queueGeneration = 1
        expected.rereadGeneration = 1
        expected.cardRefreshing = true
        let effects = Console.update(&state, .actionFinished(key, ActionReport(line: StatusLine("Okta: unlocked the account (RUN-1)", .success))))
        #expect(state == expected)
        #expect(effects == [.loadQueue(QueueLoad(generation: 1, tab: .queue, filter: Tab.queue.filter(for: "alex", text: ""), after: nil, direction: .forward,
                                                 limit: Console.windowSize, login: "alex", keep: jane, fallbackIndex: 2)),
                            .loadDetail(jane), .loadCard(janeEmail, refresh: true)])
    }

    @Test mutating func finishedWorkIsSaidAndReloadsWhenItChangedSomething() {
        var expected = state
        expected.status = said("REQ-1 is assigned to alex.", .success, about: jane)
        expected.queueGeneration = 1
        expected.rereadGeneration = 1
        let effects = Console.update(&state, .workFinished(StatusLine("REQ-1 is assigned to alex.", .success, about: jane), reload: true))
        #expect(state == expected)
        #expect(effects.count == 2)
        expected.status = said("Could not read REQ-9: gone", .error)
        #expect(Console.update(&state, .workFinished(StatusLine("Could not read REQ-9: gone", .error), reload: false)) == [])
        #expect(state == expected)
    }

    @Test mutating func aCheckedRequesterFillsTheNewRequestForm() {
        var form = NewRequestForm()
        form.email = TextField("jane.doe@example.com", limit: 254)
        form.check = .checking
        state.modal = .newRequest(form)
        var expected = state
        form.check = .found("Jane Doe (ACTIVE)")
        expected.modal = .newRequest(form)
        #expect(Console.update(&state, .requesterChecked(email: "jane.doe@example.com", .found("Jane Doe (ACTIVE)"))) == [])
        #expect(state == expected)
        #expect(Console.update(&state, .requesterChecked(email: "someone.else@example.com", .notFound)) == [])
        #expect(state == expected, "an answer for an email no longer typed is dropped")
    }

    @Test mutating func aCreatedRequestIsSelectedOnTheQueueTab() {
        state.tab = .mine
        var expected = state
        expected.tab = .queue
        // A message that already names its request is not named twice (state == expected below).
        expected.status = said("Created REQ-41.", .success, about: RequestID(41))
        expected.queueGeneration = 1
        let effects = Console.update(&state, .requestCreated(RequestID(41)))
        #expect(state == expected)
        #expect(effects == [.loadQueue(QueueLoad(generation: 1, tab: .queue, filter: Tab.queue.filter(for: "alex", text: ""), after: nil, direction: .forward,
                                                 limit: Console.windowSize, login: "alex", keep: RequestID(41), fallbackIndex: 0))])
    }

    @Test mutating func oktaHealthIsShownInTheStatusBar() {
        var expected = state
        expected.oktaHealthy = false
        #expect(Console.update(&state, .oktaHealth(false)) == [])
        #expect(state == expected)
    }

    @Test mutating func aMessageAboutOneRequestGoesWhenTheOperatorMovesAway() {
        state.say("Unlock is not available: not locked out.", .error, about: jane)
        _ = Console.update(&state, .key(.down))
        #expect(state.status == nil)
        state.say("Refreshed.")
        _ = Console.update(&state, .key(.up))
        #expect(state.status?.text == "Refreshed.", "a message about nothing in particular stays its few seconds")
    }

    @Test mutating func f2KeepsTheSelectionSoTheNextKeyActsOnTheSameRequest() {
        let effects = Console.update(&state, .key(.function(2)))
        guard case .loadQueue(let load)? = effects.last else { Issue.record("expected a reload"); return }
        #expect(load.keep == jane)
        #expect(load.fallbackIndex == 2)
    }

    @Test mutating func takingAnotherAgentsRequestAsksFirst() {
        state.queue.selected = 0
        _ = Console.update(&state, .key(.char("t")))
        guard case .question(let question) = state.modal else { Issue.record("expected a question"); return }
        #expect(question.lines.first == "REQ-4 is assigned to morgan.")
        #expect(Console.update(&state, .key(.char("n"))) == [])
        #expect(state.modal == nil)
        _ = Console.update(&state, .key(.char("t")))
        #expect(Console.update(&state, .key(.char("y"))) == [.assign(RequestID(4), to: "alex", version: 1)])
        state.queue.selected = 2
        #expect(Console.update(&state, .key(.char("t"))) == [.assign(jane, to: "alex", version: 1)], "an unassigned request is taken at once")
    }

    /// `A` asks as `t` does before taking a request from another agent, and can leave it with nobody.
    @Test mutating func reassigningAnotherAgentsRequestAsksFirst() {
        state.queue.selected = 0
        _ = Console.update(&state, .key(.char("A")))
        guard case .picker(let agents) = state.modal else { Issue.record("expected the agent picker"); return }
        #expect(agents.items.map(\.label) == ["alex", "morgan", "(unassign)"])
        #expect(Console.update(&state, .key(.enter)) == [], "alex is not given morgan's request without a question")
        guard case .question(let question) = state.modal else { Issue.record("expected a question"); return }
        #expect(question.lines == ["REQ-4 is assigned to morgan.", "Take it from them and assign it to you?"])
        #expect(Console.update(&state, .key(.char("y"))) == [.assign(RequestID(4), to: "alex", version: 1)])
        _ = Console.update(&state, .key(.char("A")))
        _ = Console.update(&state, .key(.end))
        #expect(Console.update(&state, .key(.enter)) == [])
        guard case .question(let unassign) = state.modal else { Issue.record("expected a question"); return }
        #expect(unassign.lines.last == "Take it from them and leave it unassigned?")
        #expect(Console.update(&state, .key(.char("y"))) == [.assign(RequestID(4), to: nil, version: 1)])
    }

    @Test mutating func everyWayThroughARequestHasAKey() {
        _ = Console.update(&state, .key(.char("A")))
        guard case .picker(let agents) = state.modal else { Issue.record("expected the agent picker"); return }
        #expect(agents.items.map(\.id) == ["alex", "morgan"])
        _ = Console.update(&state, .key(.down))
        #expect(Console.update(&state, .key(.enter)) == [.assign(jane, to: "morgan", version: 1)])

        _ = Console.update(&state, .key(.char("f")))
        guard case .picker(let factors) = state.modal else { Issue.record("expected the factor picker"); return }
        #expect(factors.items.map(\.label) == ["Okta Verify push (iPhone 12)", "SMS (+1 ••• ••• 4411)", "Okta Verify code"])
        _ = Console.update(&state, .key(.down))
        #expect(Console.update(&state, .key(.enter)) == [.findApprovers(jane, .resetFactor)])
        guard case .confirm(let confirm) = state.modal else { Issue.record("expected the confirm dialog"); return }
        #expect(confirm.plan == .ask(.resetFactor(FactorRef(id: "mbl1", type: "sms"))))
        state.modal = nil

        var resolved = state
        resolved.queue.rows[2] = ConsoleFixtures.request(1, "Lost my phone — need MFA reset", status: .resolved)
        #expect(Console.update(&resolved, .key(.char("o"))) == [.reopen(jane)])
        #expect(Console.update(&state, .key(.char("o"))) == [], "an open request is not reopened")
        #expect(state.status?.text.contains("only resolved or closed requests") == true)
    }

    @Test mutating func activationKeyResendsForAPendingActivation() {
        let raj = DirectoryUser(id: "00uraj", login: "raj.mehta@example.com", email: "raj.mehta@example.com", firstName: "Raj", lastName: "Mehta", status: .provisioned)
        state.card = .loaded(janeEmail, RequesterCard(user: raj, manager: nil, groups: [], apps: [], factors: [], signIns: []))
        _ = Console.update(&state, .key(.char("v")))
        guard case .confirm(let confirm) = state.modal else { Issue.record("expected the confirm dialog"); return }
        #expect(confirm.plan == .ask(.resendActivation))
        let staged = DirectoryUser(id: "00unina", login: "nina.petrova@example.com", email: "nina.petrova@example.com", firstName: "Nina", lastName: "Petrova", status: .staged)
        state.card = .loaded(janeEmail, RequesterCard(user: staged, manager: nil, groups: [], apps: [], factors: [], signIns: []))
        state.modal = nil
        _ = Console.update(&state, .key(.char("v")))
        guard case .confirm(let activate) = state.modal else { Issue.record("expected the confirm dialog"); return }
        #expect(activate.plan == .ask(.activate(sendEmail: true)))
    }

    @Test mutating func deactivateNeedsTheLoginTypedAfterTheReason() {
        _ = Console.update(&state, .key(.char("D")))
        _ = Console.update(&state, .approversFound(jane, .deactivate, .success(["sam"])))
        for character in "leaver" { _ = Console.update(&state, .key(.char(character))) }
        #expect(Console.update(&state, .key(.enter)) == [], "Enter after the reason asks for the login")
        for character in "jane" { _ = Console.update(&state, .key(.char(character))) }
        #expect(Console.update(&state, .key(.enter)) == [])
        guard case .confirm(let wrong) = state.modal else { Issue.record("the dialog stays"); return }
        #expect(wrong.error?.contains("Type the login jane.doe@example.com exactly") == true)
        for character in ".doe@example.com" { _ = Console.update(&state, .key(.char(character))) }
        let key = InFlight(requestID: jane, action: .deactivate)
        #expect(Console.update(&state, .key(.enter)) == [.ask(key, .deactivate, reason: "leaver", account: "00ujane")])
    }

    @Test mutating func nobodyToApproveIsSaidBeforeAsking() {
        _ = Console.update(&state, .key(.char("w")))
        _ = Console.update(&state, .approversFound(jane, .resetPassword, .success([])))
        for character in "forgot" { _ = Console.update(&state, .key(.char(character))) }
        #expect(Console.update(&state, .key(.enter)) == [])
        guard case .confirm(let confirm) = state.modal else { Issue.record("the dialog stays"); return }
        #expect(confirm.error?.contains("Nobody may approve this") == true)
    }

    @Test mutating func aHugeBodyIsLaidOutOnlyAsFarAsItIsShown() {
        state.queue.rows[2] = ConsoleFixtures.request(1, "x", body: String(repeating: "接", count: 20_000))
        let collapsed = TimelineLayout.lines(state)
        #expect(collapsed.count <= 3 + 4 + 1 + 2 + 1, "three lines per entry, four of the body")
        _ = Console.update(&state, .key(.enter))
        let whole = TimelineLayout.lines(state)
        #expect(whole.count < 220)
        #expect(whole.contains { $0.contains { $0.text.contains("helpdesk show prints the rest") } })
    }

    @Test mutating func aTimelineReadAgainKeepsTheScrollWithinItsLines() {
        let notes = (0..<40).map { TimelineEvent(id: 100 + Int64($0), requestID: jane, actor: "alex", at: state.now, payload: .note(text: "note \($0)")) }
        state.detail.timeline += notes
        _ = Console.update(&state, .key(.enter))
        _ = Console.update(&state, .key(.home))
        #expect(state.detail.scrollBack > 20)
        _ = Console.update(&state, .detailLoaded(jane, DetailSnapshot(timeline: Array(state.detail.timeline.dropLast(30)), approvals: [], runs: [])))
        #expect(state.detail.scrollBack == TimelineLayout.maxScrollBack(state) && state.detail.scrollBack > 0, "held to the first line of what is left")
        _ = Console.update(&state, .key(.end))
        _ = Console.update(&state, .detailLoaded(jane, DetailSnapshot(timeline: Array(state.detail.timeline.dropLast(5)), approvals: [], runs: [])))
        #expect(state.detail.scrollBack == 0, "at the newest it stays there")
    }

    @Test mutating func entriesRecordedWhileReadingOlderOnesDoNotMoveWhatIsOnScreen() {
        let notes = (0..<40).map { TimelineEvent(id: 100 + Int64($0), requestID: jane, actor: "alex", at: state.now, payload: .note(text: "note \($0)")) }
        state.detail.timeline += notes
        _ = Console.update(&state, .key(.enter))
        _ = Console.update(&state, .key(.home))
        _ = Console.update(&state, .key(.down))
        let window = TimelineLayout.lines(state)
        let rows = DetailLayout(state).timelineRows
        let top = window.count - rows - state.detail.scrollBack
        let shown = Array(window[top..<top + rows])
        let late = (0..<5).map { TimelineEvent(id: 200 + Int64($0), requestID: jane, actor: "jordan", at: state.now, payload: .note(text: "late note \($0)")) }
        _ = Console.update(&state, .detailLoaded(jane, DetailSnapshot(timeline: state.detail.timeline + late, approvals: [], runs: [])))
        let after = TimelineLayout.lines(state)
        let newTop = after.count - rows - state.detail.scrollBack
        #expect(Array(after[newTop..<newTop + rows]) == shown, "the same lines stay on screen")
        // Past what one answer carries, the oldest stop coming as the newest arrive: still put.
        _ = Console.update(&state, .key(.end))
        _ = Console.update(&state, .key(.pageUp))
        let middle = TimelineLayout.lines(state)
        let middleTop = middle.count - rows - state.detail.scrollBack
        let reading = Array(middle[middleTop..<middleTop + rows])
        let capped = Array(state.detail.timeline.dropFirst(5)) + (0..<5).map {
            TimelineEvent(id: 250 + Int64($0), requestID: jane, actor: "morgan", at: state.now, payload: .note(text: "later note \($0)"))
        }
        _ = Console.update(&state, .detailLoaded(jane, DetailSnapshot(timeline: capped, earlierEvents: 5, approvals: [], runs: [])))
        let third = TimelineLayout.lines(state)
        let thirdTop = third.count - rows - state.detail.scrollBack
        #expect(Array(third[thirdTop..<thirdTop + rows]) == reading, "the same lines stay on screen when the oldest drop off")
        _ = Console.update(&state, .key(.end))
        _ = Console.update(&state, .detailLoaded(jane, DetailSnapshot(timeline: state.detail.timeline + [TimelineEvent(id: 300, requestID: jane, actor: "jordan", at: state.now, payload: .note(text: "newest"))], approvals: [], runs: [])))
        #expect(state.detail.scrollBack == 0, "at the newest, the newest come into view")
    }

    @Test mutating func theTimelineScrollStopsAtItsFirstLine() {
        state.detail.timeline += (0..<40).map { TimelineEvent(id: 100 + Int64($0), requestID: jane, actor: "alex", at: state.now, payload: .note(text: "note \($0)")) }
        _ = Console.update(&state, .key(.enter))
        _ = Console.update(&state, .key(.home))
        let top = state.detail.scrollBack
        #expect(top == TimelineLayout.maxScrollBack(state))
        _ = Console.update(&state, .key(.up))
        #expect(state.detail.scrollBack == top, "past the top it stays at the top")
        _ = Console.update(&state, .key(.down))
        #expect(state.detail.scrollBack == top - 1, "one key back down moves at once")
        _ = Console.update(&state, .key(.end))
        #expect(state.detail.scrollBack == 0)
        _ = Console.update(&state, .key(.up))
        _ = Console.update(&state, .key(.char("c")))
        guard case .prompt(let note)? = state.modal else { Issue.record("c adds a note while reading the timeline"); return }
        #expect(note.purpose == .note(jane))
        #expect(state.focus == .queue)
    }
}
