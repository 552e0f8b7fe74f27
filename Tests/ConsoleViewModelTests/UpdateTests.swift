import ConsoleViewModel
import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import Testing

@Suite struct NavigationUpdateTests {
    var state = ConsoleFixtures.queueState()

    func filter(_ tab: Tab, _ text: String = "") -> QueueFilter { tab.filter(for: "alex", text: text) }

    @Test mutating func startLoadsTheQueueAndListensForChanges() {
        var fresh = AppState(user: ConsoleFixtures.agent, orgName: "x", policy: .default, now: ConsoleFixtures.now)
        let effects = Console.start(&fresh)
        #expect(effects == [.loadQueue(QueueLoad(generation: 1, tab: .queue, filter: filter(.queue), after: nil, direction: .forward,
                                                 limit: Console.windowSize, login: "alex", keep: nil, fallbackIndex: 0)), .subscribe])
        #expect(Console.update(&fresh, .key(.char("j"))) == [], "a move before the first rows waits for them")
        var first = QueueWindow()
        first.rows = ConsoleFixtures.requests
        _ = Console.update(&fresh, .queueLoaded(QueueSnapshot(generation: 1, window: first, counts: QueueCounts(queue: 6), keep: nil, fallbackIndex: 0)))
        #expect(fresh.queue.selected == 1)
    }

    @Test mutating func movingLoadsTheNewRequestsDetailAndCard() {
        let effects = Console.update(&state, .key(.down))
        #expect(state.queue.selected == 3)
        #expect(effects == [.loadDetail(RequestID(9)), .loadCard(Fixtures.email("misaki.sato@example.com"), refresh: false)])
        #expect(state.card == .loading(Fixtures.email("misaki.sato@example.com")))
        #expect(Console.update(&state, .key(.char("k"))) == [.loadDetail(RequestID(1)), .loadCard(Fixtures.email("jane.doe@example.com"), refresh: false)])
        #expect(Console.update(&state, .key(.up)).first == .loadDetail(RequestID(11)))
    }

    @Test mutating func pastTheWindowTheNextPartOfTheQueueLoads() {
        state.queue.selected = ConsoleFixtures.requests.count - 1
        let effects = Console.update(&state, .key(.down))
        let start = max(0, state.queue.selected - state.visibleQueueRows)
        #expect(effects == [.loadQueue(QueueLoad(generation: 1, tab: .queue, filter: filter(.queue), after: ConsoleFixtures.requests[start].cursorJustBefore,
                                                 direction: .forward, limit: Console.windowSize, login: "alex", keep: RequestID(14),
                                                 fallbackIndex: state.queue.selected - start + 1, moveBy: 1, awaitedByItsKey: true))])
        // (As if that window had landed elsewhere: the selection at the top of a deeper window.)
        state.pendingMove = nil
        state.queue.selected = 0
        state.queue.moreAbove = true
        let up = Console.update(&state, .key(.up))
        #expect(up == [.loadQueue(QueueLoad(generation: 2, tab: .queue, filter: filter(.queue), after: QueueCursor(ConsoleFixtures.requests[0]),
                                            direction: .backward, limit: Console.windowSize / 2, login: "alex", keep: RequestID(4), fallbackIndex: 0, moveBy: -1,
                                            awaitedByItsKey: true))])
    }

    @Test mutating func pagesPressedWhileAWindowLoadsAddUp() {
        state.queue.selected = ConsoleFixtures.requests.count - 1
        let rows = state.visibleQueueRows
        _ = Console.update(&state, .key(.pageDown))
        let second = Console.update(&state, .key(.pageDown))
        guard case .loadQueue(let load)? = second.first else { Issue.record("expected a load"); return }
        #expect(load.moveBy == 2 * rows, "the second page adds to the first, which has not landed yet")
        #expect(load.generation == 2)
        _ = Console.update(&state, .key(.pageUp))
        let back = Console.update(&state, .key(.pageUp))
        #expect(state.pendingMove == nil, "back inside the window: the selection moves here and the load is dropped")
        #expect(state.queueGeneration == 4)
        #expect(back.first == .dropQueueLoads(before: 4), "and the read still on its way stops: \(back)")
        #expect(state.queue.selected == ConsoleFixtures.requests.count - 1)
    }

    /// Home and End show nothing until their rows come, so their reads are awaited by their keys
    /// (the loop starts them before it draws); a tab or a typed filter draws at once.
    @Test mutating func homeEndAndPagesMoveAsExpected() {
        #expect(Console.update(&state, .key(.home)) == [.loadQueue(QueueLoad(generation: 1, tab: .queue, filter: filter(.queue), after: nil, direction: .forward,
                                                                             limit: Console.windowSize, login: "alex", keep: nil, fallbackIndex: 0,
                                                                             awaitedByItsKey: true))])
        // Half a window from the end, as when the selection runs past a window's top: nothing is below it.
        #expect(Console.update(&state, .key(.end)) == [.loadQueue(QueueLoad(generation: 2, tab: .queue, filter: filter(.queue), after: nil, direction: .backward,
                                                                            limit: Console.windowSize / 2, login: "alex", keep: nil, fallbackIndex: Int.max,
                                                                            awaitedByItsKey: true))])
        var end = QueueWindow()
        end.rows = ConsoleFixtures.requests
        _ = Console.update(&state, .queueLoaded(QueueSnapshot(generation: 2, window: end, counts: QueueCounts(queue: 6), keep: nil, fallbackIndex: Int.max)))
        _ = Console.update(&state, .key(.pageDown))
        #expect(state.queue.selected == ConsoleFixtures.requests.count - 1)
        _ = Console.update(&state, .key(.pageUp))
        #expect(state.queue.selected == max(0, ConsoleFixtures.requests.count - 1 - state.visibleQueueRows))
    }

    /// Moves pressed while Home's or End's window is on its way are made from where that window
    /// puts the selection, not from the old window (where the jump's answer would undo them).
    @Test mutating func movesPressedWhileHomeOrEndLoadsAreMadeFromWhereItLands() {
        state = ConsoleFixtures.queueState(selected: 4)
        _ = Console.update(&state, .key(.home))
        #expect(Console.update(&state, .key(.down)) == [], "nothing moves before the top of the queue is there")
        #expect(Console.update(&state, .key(.char("j"))) == [])
        #expect(state.queue.selected == 4)
        var top = QueueWindow()
        top.rows = ConsoleFixtures.requests
        top.moreBelow = true
        let landed = Console.update(&state, .queueLoaded(QueueSnapshot(generation: 1, window: top, counts: QueueCounts(queue: 6), keep: nil, fallbackIndex: 0)))
        #expect(state.queue.selected == 2, "Home, then two rows down")
        #expect(landed.first == .loadDetail(ConsoleFixtures.requests[2].id))

        _ = Console.update(&state, .key(.end))
        _ = Console.update(&state, .key(.up))
        var bottom = top
        bottom.moreBelow = false
        bottom.moreAbove = true
        _ = Console.update(&state, .queueLoaded(QueueSnapshot(generation: 2, window: bottom, counts: QueueCounts(queue: 6), keep: nil, fallbackIndex: Int.max)))
        #expect(state.queue.selected == ConsoleFixtures.requests.count - 2, "End, then one row up")

        // Past the window Home brings, the move goes on to load the next part of the queue.
        _ = Console.update(&state, .key(.home))
        _ = Console.update(&state, .key(.pageDown))
        _ = Console.update(&state, .key(.pageDown))
        let further = Console.update(&state, .queueLoaded(QueueSnapshot(generation: 3, window: top, counts: QueueCounts(queue: 6), keep: nil, fallbackIndex: 0)))
        guard case .loadQueue(let load)? = further.first else { Issue.record("expected the next window: \(further)"); return }
        #expect(load.moveBy == 2 * state.visibleQueueRows && load.keep == ConsoleFixtures.requests[0].id)

        // A jump another load replaced (a tab) takes no moves along.
        _ = Console.update(&state, .key(.end))
        _ = Console.update(&state, .key(.char("j")))
        _ = Console.update(&state, .key(.tab))
        _ = Console.update(&state, .queueLoaded(QueueSnapshot(generation: state.queueGeneration, window: top, counts: QueueCounts(queue: 6), keep: nil, fallbackIndex: 0)))
        #expect(state.queue.selected == 0, "the tab's first row, not one below it")
    }

    /// A change that arrives while a queue load is on its way does not replace that load with a
    /// reload of the rows on screen (Home, End or a page past the window would be lost): the
    /// queue is read again once the load lands (or fails).
    @Test mutating func aChangeWhileAQueueLoadIsOnItsWayIsReadAfterItLands() {
        _ = Console.update(&state, .key(.home))
        let changed = Console.update(&state, .storeChanged([RequestID(7)]))
        #expect(!changed.contains { if case .loadQueue = $0 { true } else { false } }, "Home's load stands: \(changed)")
        var top = QueueWindow()
        top.rows = ConsoleFixtures.requests
        top.moreBelow = true
        let landed = Console.update(&state, .queueLoaded(QueueSnapshot(generation: 1, window: top, counts: QueueCounts(queue: 6), keep: nil, fallbackIndex: 0)))
        #expect(state.queue.selected == 0, "Home landed")
        guard case .loadQueue(let again)? = landed.last else { Issue.record("expected the queue read again: \(landed)"); return }
        #expect(again.keep == ConsoleFixtures.requests[0].id && again.generation == 2 && !again.awaitedByItsKey)
        // Nothing on its way: a change is read at once; a failed load still reads the change after it.
        let answered = Console.update(&state, .queueLoaded(QueueSnapshot(generation: 2, window: top, counts: QueueCounts(queue: 6), keep: again.keep, fallbackIndex: 0)))
        #expect(!answered.contains { if case .loadQueue = $0 { true } else { false } })
        #expect(Console.update(&state, .storeChanged([RequestID(7)])).first.map { if case .loadQueue = $0 { true } else { false } } == true)
        let failed = Console.update(&state, .queueFailed(generation: 3, StatusLine("Could not read the queue: the store is busy", .error)))
        #expect(failed.isEmpty, "no change came while it was on its way")
        _ = Console.update(&state, .key(.end))
        _ = Console.update(&state, .storeChanged(nil))
        let endFailed = Console.update(&state, .queueFailed(generation: state.queueGeneration, StatusLine("Could not read the queue: the store is busy", .error)))
        #expect(endFailed.first.map { if case .loadQueue = $0 { true } else { false } } == true, "the change is read after the failure: \(endFailed)")
    }

    /// A page abandoned by a move back inside the window leaves no change unread; a failed page
    /// or jump leaves no move behind; moves saved for more than a window go on past it; a re-read
    /// keeps the request selected when it lands, not the one selected when it was asked for.
    @Test mutating func loadsThatEndOtherwiseLeaveNoChangeOrMoveBehind() {
        func isLoad(_ effects: [Effect]) -> Bool { effects.contains { if case .loadQueue = $0 { true } else { false } } }
        let last = ConsoleFixtures.requests.count - 1
        state.queue.selected = last
        _ = Console.update(&state, .key(.pageDown))
        _ = Console.update(&state, .storeChanged([RequestID(7)]))
        #expect(isLoad(Console.update(&state, .key(.pageUp))), "back inside the window: the change is read now")

        state.queueAnswered = state.queueGeneration
        state.queue.selected = last
        _ = Console.update(&state, .key(.pageDown))
        _ = Console.update(&state, .queueFailed(generation: state.queueGeneration, StatusLine("Could not read the queue: the store is busy", .error)))
        _ = Console.update(&state, .key(.up))
        #expect(state.queue.selected == last - 1, "the failed page's move is not added to the next one")
        _ = Console.update(&state, .key(.home))
        _ = Console.update(&state, .queueFailed(generation: state.queueGeneration, StatusLine("Could not read the queue: the store is busy", .error)))
        _ = Console.update(&state, .key(.up))
        #expect(state.queue.selected == last - 2, "after a failed Home, a move is made at once")

        _ = Console.update(&state, .key(.home))
        for _ in 0..<3 { _ = Console.update(&state, .key(.pageDown)) }
        var top = QueueWindow()
        top.rows = ConsoleFixtures.requests
        top.moreBelow = true
        guard case .loadQueue(let next)? = Console.update(&state, .queueLoaded(QueueSnapshot(generation: state.queueGeneration, window: top, counts: QueueCounts(queue: 6),
                                                                                              keep: nil, fallbackIndex: 0))).first else {
            Issue.record("expected the next window"); return
        }
        // That window holds only six rows more: the rest of the move goes on past it.
        let further = Console.update(&state, .queueLoaded(QueueSnapshot(generation: next.generation, window: top, counts: QueueCounts(queue: 6), keep: next.keep,
                                                                        fallbackIndex: next.fallbackIndex, moveBy: next.moveBy)))
        guard case .loadQueue(let beyond)? = further.first else { Issue.record("expected the move to go on: \(further)"); return }
        #expect(beyond.moveBy == 3 * state.visibleQueueRows - last, "\(beyond.moveBy)")
        #expect(further.contains(.loadDetail(ConsoleFixtures.requests[last].id)), "the detail follows the selection while the move waits: \(further)")
        _ = Console.update(&state, .queueFailed(generation: beyond.generation, StatusLine("Could not read the queue: the store is busy", .error)))
        #expect(state.detail.requestID == state.selectedRequest?.id)

        // A page that replaced a re-read on its way, then given up, still reads the change.
        state.queue = top
        state.queue.selected = last
        _ = Console.update(&state, .storeChanged(nil))
        _ = Console.update(&state, .key(.pageDown))
        #expect(isLoad(Console.update(&state, .key(.pageUp))), "the re-read the page replaced is asked again")
        state.queueAnswered = state.queueGeneration
        state.queueChangedMeanwhile = false

        state.queueAnswered = state.queueGeneration
        state.pendingMove = nil
        state.queue = top
        state.queue.selected = 2
        let asked = Console.update(&state, .storeChanged(nil))
        guard case .loadQueue(let reread)? = asked.first else { Issue.record("expected a re-read"); return }
        _ = Console.update(&state, .key(.down))
        _ = Console.update(&state, .queueLoaded(QueueSnapshot(generation: reread.generation, window: top, counts: QueueCounts(queue: 6), keep: reread.keep,
                                                              fallbackIndex: reread.fallbackIndex)))
        #expect(state.queue.selected == 3, "the move made while the re-read was on its way stays")
        // The request moved to is gone from the re-read's rows: the selection keeps its place.
        let again = Console.update(&state, .storeChanged(nil))
        guard case .loadQueue(let second)? = again.first else { Issue.record("expected a re-read"); return }
        _ = Console.update(&state, .key(.down))
        var without = top
        without.rows.remove(at: 4)
        _ = Console.update(&state, .queueLoaded(QueueSnapshot(generation: second.generation, window: without, counts: QueueCounts(queue: 5), keep: second.keep,
                                                              fallbackIndex: second.fallbackIndex)))
        #expect(state.queue.selected == 4, "not back on the request selected when the re-read was asked for")
    }

    /// Keys other than moves pressed while Home's, End's or a page's rows are on their way wait
    /// for them, in order, and act on the request the move lands on; if the rows do not come
    /// within a second, the keys act on the rows on screen and the console says so.
    @Test mutating func keysPressedWhileTheQueueMovesActWhereItLands() {
        var top = QueueWindow()
        top.rows = ConsoleFixtures.requests
        top.moreBelow = true
        let last = ConsoleFixtures.requests.count - 1
        _ = Console.update(&state, .key(.end))
        #expect(Console.update(&state, .key(.char("t"))) == [], "take waits for End's rows")
        #expect(Console.update(&state, .key(.char("k"))) == [], "and a move after it waits behind it")
        #expect(Console.update(&state, .tick(state.now.addingTimeInterval(0.1))).isEmpty && state.status == nil, "a short wait says nothing")
        _ = Console.update(&state, .tick(state.now.addingTimeInterval(0.25)))
        #expect(state.status?.text.contains("Waiting for the queue") == true, "a longer one says the keys wait: \(String(describing: state.status))")
        var end = top
        end.moreBelow = false
        let landed = Console.update(&state, .queueLoaded(QueueSnapshot(generation: state.queueGeneration, window: end, counts: QueueCounts(queue: 6), keep: nil,
                                                                       fallbackIndex: Int.max)))
        let taken = ConsoleFixtures.requests[last]
        #expect(landed.contains(.assign(taken.id, to: "alex", version: taken.version)), "take acted on the last request: \(landed)")
        #expect(state.queue.selected == last - 1, "then the move")
        #expect(state.heldKeys.isEmpty)
        #expect(state.status == nil, "the keys acted: nothing waits any more")

        _ = Console.update(&state, .key(.home))
        _ = Console.update(&state, .key(.enter))
        _ = Console.update(&state, .queueLoaded(QueueSnapshot(generation: state.queueGeneration, window: top, counts: QueueCounts(queue: 6), keep: nil, fallbackIndex: 0)))
        #expect(state.queue.selected == 0 && state.focus == .detail, "Enter opened the first request's timeline")
        _ = Console.update(&state, .key(.escape))

        // Rows that do not come: after a second the keys act on the rows on screen.
        state.queue.selected = 2
        _ = Console.update(&state, .key(.end))
        _ = Console.update(&state, .key(.char("t")))
        #expect(Console.update(&state, .tick(state.now.addingTimeInterval(0.5))).isEmpty)
        let given = state.queueGeneration
        let late = Console.update(&state, .tick(state.now.addingTimeInterval(1.0)))
        let shown = ConsoleFixtures.requests[2]
        #expect(late.contains(.assign(shown.id, to: "alex", version: shown.version)), "take acted on the request on screen: \(late)")
        #expect(late.first == .dropQueueLoads(before: given + 1), "End's read, given up, stops: \(late)")
        #expect(!state.isLoadingQueue && state.heldKeys.isEmpty)
        #expect(state.status?.text.contains("did not answer") == true, "\(String(describing: state.status))")

        // Keys left waiting behind a move that a landing started again wait a second from then.
        state.queue = top
        state.queue.selected = 0
        state.status = nil
        _ = Console.update(&state, .key(.home))
        for _ in 0..<3 { _ = Console.update(&state, .key(.pageDown)) }
        _ = Console.update(&state, .key(.char("t")))
        _ = Console.update(&state, .tick(state.now.addingTimeInterval(0.9)))
        _ = Console.update(&state, .queueLoaded(QueueSnapshot(generation: state.queueGeneration, window: top, counts: QueueCounts(queue: 6), keep: nil, fallbackIndex: 0)))
        #expect(state.queueMoveOnItsWay && state.heldKeys.count == 1, "the pages go on past the window; take waits for them")
        _ = Console.update(&state, .tick(state.now.addingTimeInterval(0.5)))
        #expect(state.heldKeys.count == 1 && state.status?.kind != .error, "not given up half a second after the move went on")

        // A read no key asked for (a created request's) replaces the move: the waiting keys act
        // on the next tick, and keys pressed meanwhile wait behind them.
        state.queueAnswered = state.queueGeneration
        state.pendingMove = nil
        state.heldKeys = []
        state.heldSince = nil
        state.tab = .mine
        state.queue = top
        state.queue.selected = 2
        _ = Console.update(&state, .key(.end))
        _ = Console.update(&state, .key(.char("t")))
        _ = Console.update(&state, .requestCreated(RequestID(41)))
        #expect(Console.update(&state, .key(.char("j"))) == [], "j waits behind take")
        let released = Console.update(&state, .tick(state.now.addingTimeInterval(0.25)))
        #expect(released.contains(.assign(shown.id, to: "alex", version: shown.version)), "take, then j: \(released)")
        #expect(state.queue.selected == 3 && state.heldKeys.isEmpty)
    }

    /// A typed filter's search and another tab bring other rows: a move pressed before they land
    /// is made in them, other keys wait for them, and letters typed meanwhile are typed.
    @Test mutating func keysPressedWhileASearchOrATabLoadsActOnItsRows() {
        var found = QueueWindow()
        found.rows = ConsoleFixtures.requests
        func land() -> [Effect] {
            Console.update(&state, .queueLoaded(QueueSnapshot(generation: state.queueGeneration, window: found, counts: QueueCounts(queue: 6), keep: nil, fallbackIndex: 0)))
        }
        _ = Console.update(&state, .key(.char("/")))
        _ = Console.update(&state, .key(.char("v")))
        #expect(Console.update(&state, .key(.down)) == [], "nothing moves before the filter's rows are there")
        #expect(!state.isTypingFilter && state.queue.selected == 2)
        let landed = land()
        #expect(state.queue.selected == 1, "the second match")
        #expect(landed.first == .loadDetail(ConsoleFixtures.requests[1].id))

        _ = Console.update(&state, .key(.char("/")))
        _ = Console.update(&state, .key(.char("p")))
        #expect(Console.update(&state, .key(.char("n"))).count == 1, "a letter typed while the search is on its way searches again")
        #expect(state.filter.text == "vpn" && state.heldKeys.isEmpty)
        _ = Console.update(&state, .key(.enter))
        #expect(Console.update(&state, .key(.char("t"))) == [], "take waits for the search's rows")
        found.rows = Array(ConsoleFixtures.requests.dropFirst())
        let first = found.rows[0]
        let taken = land()
        #expect(taken.contains(.assign(first.id, to: "alex", version: first.version)), "take acted on the first match: \(taken)")

        _ = Console.update(&state, .key(.char("2")))
        #expect(Console.update(&state, .key(.char("j"))) == [])
        _ = land()
        #expect(state.tab == .mine && state.queue.selected == 1, "the tab's second row")

        // A filter typed while End's rows come: once they land, every letter is typed at once.
        _ = Console.update(&state, .key(.end))
        for key in [Key.char("/"), .char("a"), .char("b")] { _ = Console.update(&state, .key(key)) }
        _ = land()
        #expect(state.filter.text == "vpnab" && state.heldKeys.isEmpty, "\(state.filter.text) \(state.heldKeys)")
        _ = land()
        // Esc keeps the request selected; a move pressed before the unfiltered rows land goes on from it.
        let kept = state.selectedRequest!.id
        _ = Console.update(&state, .key(.escape))
        #expect(Console.update(&state, .key(.down)) == [])
        found.rows = ConsoleFixtures.requests
        _ = Console.update(&state, .queueLoaded(QueueSnapshot(generation: state.queueGeneration, window: found, counts: QueueCounts(queue: 6), keep: kept, fallbackIndex: 0)))
        #expect(state.queue.selected == found.rows.firstIndex { $0.id == kept }! + 1)

        // Given up after a second, a search still lands: the rows on screen were another filter's.
        _ = Console.update(&state, .key(.char("/")))
        _ = Console.update(&state, .key(.char("x")))
        _ = Console.update(&state, .key(.enter))
        _ = Console.update(&state, .key(.char("t")))
        _ = Console.update(&state, .tick(state.now.addingTimeInterval(1.0)))
        #expect(state.heldKeys.isEmpty && state.isLoadingQueue, "the keys acted; the search is still on its way")
        found.rows = [ConsoleFixtures.requests[3]]
        _ = land()
        #expect(state.queue.rows.map(\.id) == [ConsoleFixtures.requests[3].id], "the filter's rows")
    }

    /// Given up after a second, a search's, a tab's or the first rows still land, whatever was
    /// pressed meanwhile (a move, End).
    @Test mutating func rowsOfAnotherFilterOrTabGivenUpStillLand() {
        var found = QueueWindow()
        found.rows = [ConsoleFixtures.requests[3]]
        func giveUpThenLand(_ keys: [Key]) {
            let before = state.queueGeneration
            for key in keys { _ = Console.update(&state, .key(key)) }
            _ = Console.update(&state, .tick(state.now.addingTimeInterval(1.0)))
            #expect(state.isLoadingQueue && state.queueGeneration > before, "\(keys): still on its way after the keys acted")
            _ = Console.update(&state, .queueLoaded(QueueSnapshot(generation: state.queueGeneration, window: found, counts: QueueCounts(queue: 1), keep: nil, fallbackIndex: 0)))
            #expect(state.queue.rows.map(\.id) == found.rows.map(\.id), "\(keys): its rows")
            _ = Console.update(&state, .key(.escape))
            state.status = nil
        }
        giveUpThenLand([.char("2"), .char("j"), .char("t")])
        giveUpThenLand([.char("1"), .char("/"), .char("v"), .down, .char("t")])
        giveUpThenLand([.char("3"), .end, .char("t")])

        var fresh = AppState(user: ConsoleFixtures.agent, orgName: "x", policy: .default, now: ConsoleFixtures.now)
        _ = Console.start(&fresh)
        _ = Console.update(&fresh, .key(.char("j")))
        _ = Console.update(&fresh, .key(.char("t")))
        _ = Console.update(&fresh, .tick(fresh.now.addingTimeInterval(1.0)))
        let firstRowsComing = fresh.isLoadingQueue
        #expect(firstRowsComing, "the first rows are still on their way")

        // An older load's failure does not start the second again.
        _ = Console.update(&state, .key(.char("4")))
        _ = Console.update(&state, .queueLoaded(QueueSnapshot(generation: state.queueGeneration, window: found, counts: QueueCounts(queue: 1), keep: nil, fallbackIndex: 0)))
        _ = Console.update(&state, .key(.end))
        let end = state.queueGeneration
        _ = Console.update(&state, .key(.home))
        _ = Console.update(&state, .key(.char("t")))
        _ = Console.update(&state, .tick(state.now.addingTimeInterval(0.6)))
        _ = Console.update(&state, .queueFailed(generation: end, StatusLine("Could not read the queue: the store is busy", .error)))
        _ = Console.update(&state, .tick(state.now.addingTimeInterval(0.4)))
        #expect(state.heldKeys.isEmpty, "given up a second after take was pressed")
    }

    @Test mutating func tabsSwitchWithTabShiftTabAndDigits() {
        #expect(Console.update(&state, .key(.tab)) == [.loadQueue(QueueLoad(generation: 1, tab: .mine, filter: filter(.mine), after: nil, direction: .forward,
                                                                             limit: Console.windowSize, login: "alex", keep: nil, fallbackIndex: 0))])
        #expect(state.tab == .mine)
        _ = Console.update(&state, .key(.backTab))
        _ = Console.update(&state, .key(.backTab))
        #expect(state.tab == .resolved)
        _ = Console.update(&state, .key(.char("3")))
        #expect(state.tab == .approvals)
        #expect(Console.update(&state, .key(.char("3"))) == [], "the same tab again does nothing")
        #expect(filter(.approvals) == QueueFilter(awaitingApprovalBy: "alex"))
        #expect(filter(.mine) == QueueFilter(statuses: RequestStatus.active, assignee: "alex"))
    }

    @Test mutating func enterFocusesTheDetailWhereArrowsScrollTheTimeline() {
        state.detail.timeline += (0..<30).map { index in
            TimelineEvent(id: 100 + Int64(index), requestID: RequestID(1), actor: "alex", at: ConsoleFixtures.now, payload: .note(text: "note \(index)"))
        }
        #expect(Console.update(&state, .key(.enter)) == [])
        #expect(state.focus == .detail)
        _ = Console.update(&state, .key(.up))
        #expect(state.detail.scrollBack == 1)
        #expect(state.queue.selected == 2, "the queue selection does not move")
        _ = Console.update(&state, .key(.down))
        #expect(state.detail.scrollBack == 0)
        _ = Console.update(&state, .key(.escape))
        #expect(state.focus == .queue)
    }

    @Test mutating func slashFiltersAsYouTypeAndEscClears() {
        _ = Console.update(&state, .key(.char("/")))
        #expect(state.isTypingFilter)
        let typed = Console.update(&state, .key(.char("v")))
        #expect(typed == [.loadQueue(QueueLoad(generation: 1, tab: .queue, filter: filter(.queue, "v"), after: nil, direction: .forward,
                                               limit: Console.windowSize, login: "alex", keep: nil, fallbackIndex: 0))])
        #expect(Console.update(&state, .key(.char("p"))).count == 1)
        #expect(Console.update(&state, .key(.char("m"))) != [], "keys are text while typing, not actions")
        #expect(state.modal == nil)
        _ = Console.update(&state, .key(.enter))
        #expect(!state.isTypingFilter)
        #expect(state.filter.text == "vpm")
        var found = QueueWindow()
        found.rows = ConsoleFixtures.requests
        _ = Console.update(&state, .queueLoaded(QueueSnapshot(generation: state.queueGeneration, window: found, counts: QueueCounts(queue: 6), keep: nil, fallbackIndex: 0)))
        _ = Console.update(&state, .key(.char("/")))
        let cleared = Console.update(&state, .key(.escape))
        #expect(state.filter.text.isEmpty)
        #expect(cleared.count == 1)
    }

    @Test mutating func aFilterBeingSearchedShowsUntilItsNewestLoadLandsOrFails() {
        _ = Console.update(&state, .key(.char("/")))
        #expect(!state.isLoadingQueue)
        _ = Console.update(&state, .key(.char("v")))
        _ = Console.update(&state, .key(.char("p")))
        #expect(state.isLoadingQueue)
        var window = QueueWindow()
        window.rows = ConsoleFixtures.requests
        _ = Console.update(&state, .queueLoaded(QueueSnapshot(generation: 1, window: window, counts: QueueCounts(queue: 3), keep: nil, fallbackIndex: 0)))
        #expect(state.isLoadingQueue, "an older search landed; the newest is still on its way")
        _ = Console.update(&state, .queueLoaded(QueueSnapshot(generation: 2, window: window, counts: QueueCounts(queue: 3), keep: nil, fallbackIndex: 0)))
        #expect(!state.isLoadingQueue)
        _ = Console.update(&state, .key(.char("n")))
        #expect(state.isLoadingQueue)
        _ = Console.update(&state, .queueFailed(generation: 3, StatusLine("Could not read the queue: the store is busy", .error)))
        #expect(!state.isLoadingQueue, "a failed search is not shown as still searching")
        #expect(state.status?.text == "Could not read the queue: the store is busy")
    }

    @Test mutating func aChangeToAnotherRequestDoesNotReadTheOpenOneAgain() {
        #expect(Console.update(&state, .storeChanged([RequestID(7)])).map(\.isDetailLoad) == [false])
        state.queueAnswered = state.queueGeneration  // (as if that read had landed)
        #expect(Console.update(&state, .storeChanged(nil)).map(\.isDetailLoad) == [false, true], "not known which: the open one may have changed")
    }

    @Test mutating func liveChangesReloadAndKeepTheSelectionOnTheSameRequest() {
        let effects = Console.update(&state, .storeChanged([RequestID(1), RequestID(7)]))
        #expect(effects == [.loadQueue(QueueLoad(generation: 1, tab: .queue, filter: filter(.queue), after: nil,
                                                 direction: .forward, limit: Console.windowSize, login: "alex", keep: RequestID(1), fallbackIndex: 2)),
                            .loadDetail(RequestID(1))], "a window at the top reloads from the top")
        state.queue.moreAbove = true
        state.queueAnswered = state.queueGeneration  // (as if that read had landed)
        guard case .loadQueue(let deeper) = Console.update(&state, .storeChanged(nil)).first else { Issue.record("expected a load"); return }
        #expect(deeper.after == ConsoleFixtures.requests[0].cursorJustBefore, "a window deeper down reloads from its first row")
        var window = QueueWindow()
        window.rows = [ConsoleFixtures.request(50, "New and urgent", priority: .urgent, minutesAgo: 500)] + ConsoleFixtures.requests
        let reloaded = Console.update(&state, .queueLoaded(QueueSnapshot(generation: 2, window: window, counts: QueueCounts(queue: 34), keep: RequestID(1), fallbackIndex: 2)))
        #expect(state.selectedRequest?.id == RequestID(1))
        #expect(state.queue.selected == 3)
        #expect(reloaded == [], "same request: no detail or card reload")
        #expect(state.counts.queue == 34)
        let stale = Console.update(&state, .queueLoaded(QueueSnapshot(generation: 0, window: QueueWindow(), counts: QueueCounts(queue: 1), keep: nil, fallbackIndex: 0)))
        #expect(stale == [])
        #expect(state.queue.rows.count == 7, "an older answer does not replace a newer one")
    }

    @Test mutating func ticksMoveTheClockAndAskForNothing() {
        state.now = Date(timeIntervalSince1970: 1_795_000_010)
        #expect(Console.update(&state, .tick(Date(timeIntervalSince1970: 1_795_000_010.25))) == [])
        #expect(Console.update(&state, .tick(Date(timeIntervalSince1970: 1_795_000_020.5))) == [])
        #expect(state.spinnerFrame == 2)
        #expect(state.now == Date(timeIntervalSince1970: 1_795_000_020.5))
    }

    @Test mutating func aLostServiceIsSaidAndItsReturnReloads() {
        #expect(Console.update(&state, .serviceProblem("the helpdesk service closed the connection")) == [])
        #expect(state.serviceProblem == "the helpdesk service closed the connection", "the status bar shows it for as long as it lasts")
        let effects = Console.update(&state, .serviceProblem(nil))
        #expect(state.serviceProblem == nil)
        #expect(state.status?.text == "Connected to the helpdesk service again.")
        #expect(effects.contains { if case .loadQueue = $0 { true } else { false } })
        #expect(Console.update(&state, .serviceProblem(nil)) == [], "only a return after a loss reloads")
    }

    @Test mutating func aTooSmallTerminalIgnoresEverythingButQuit() {
        _ = Console.update(&state, .resize(columns: 70, rows: 20))
        #expect(state.isTooSmall)
        #expect(Console.update(&state, .key(.down)) == [])
        #expect(Console.update(&state, .key(.char("m"))) == [])
        #expect(Console.update(&state, .key(.char("q"))) == [.quit])
        _ = Console.update(&state, .resize(columns: 120, rows: 40))
        #expect(!state.isTooSmall)
    }

    @Test mutating func quitAsksFirstWhileAnActionIsInFlight() {
        #expect(Console.update(&state, .key(.char("q"))) == [.quit])
        state.inFlight = [InFlight(requestID: RequestID(1), action: .resetMFA)]
        #expect(Console.update(&state, .key(.char("q"))) == [])
        #expect(state.modal?.isQuitQuestion == true)
        #expect(Console.update(&state, .key(.char("n"))) == [])
        #expect(state.modal == nil)
        _ = Console.update(&state, .key(.ctrl("c")))
        #expect(Console.update(&state, .key(.char("y"))) == [.quit])
    }

    @Test mutating func f2SwitchesPersonaOnlyInTheDemo() {
        let effects = Console.update(&state, .key(.function(2)))
        #expect(state.user == ConsoleFixtures.manager)
        #expect(effects.first == .actAs(login: "sam"), "the runner acts as the new persona from now on")
        #expect(effects.count == 2)
        #expect(state.status?.text.contains("you are now sam (manager)") == true)
        var live = AppState(user: ConsoleFixtures.agent, orgName: "x", policy: .default, now: ConsoleFixtures.now)
        #expect(Console.update(&live, .key(.function(2))) == [])
        #expect(live.user == ConsoleFixtures.agent)
    }

    @Test mutating func helpOpensAndClosesAndRefreshReloadsTheCard() {
        _ = Console.update(&state, .key(.char("?")))
        #expect(state.modal == .help(scroll: 0))
        _ = Console.update(&state, .key(.down))
        #expect(state.modal == .help(scroll: 1))
        _ = Console.update(&state, .key(.escape))
        #expect(state.modal == nil)
        let effects = Console.update(&state, .key(.char("R")))
        #expect(effects.last == .loadCard(Fixtures.email("jane.doe@example.com"), refresh: true))
        #expect(effects.contains(.loadDetail(RequestID(1))))
    }
}

extension Effect {
    var isDetailLoad: Bool { if case .loadDetail = self { true } else { false } }
}
