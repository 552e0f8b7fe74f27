import Foundation
import HelpdeskCore

extension Console {
    static func handleKey(_ state: inout AppState, _ key: Key) -> [Effect] {
        // Every key waits behind a waiting one (`heldKeys`).
        if !state.heldKeys.isEmpty || waitsForRows(state, key) {
            if state.heldKeys.isEmpty { state.heldSince = state.now }
            state.heldKeys.append(key)
            return []
        }
        return handleKeyNow(&state, key)
    }

    /// While the selection moves to rows on their way, a key waits for them unless it is a move
    /// (which adds to the move on its way) or typed into the filter (which searches again).
    /// (The key's command is looked up only while such a move is on its way.)
    static func waitsForRows(_ state: AppState, _ key: Key) -> Bool {
        state.queueMoveOnItsWay && state.keyContext != .filter
            && KeyMap.command(for: key, in: state.keyContext, user: state.user, isDemo: state.isDemo)?.movesSelection != true
    }

    static func handleKeyNow(_ state: inout AppState, _ key: Key) -> [Effect] {
        let context = state.keyContext
        let command = KeyMap.command(for: key, in: context, user: state.user, isDemo: state.isDemo)
        switch context {
        case .tooSmall: return command == .quit ? requestQuit(&state) : []
        case .queue:
            guard let command else { return [] }
            return perform(&state, command)
        case .timeline:
            // Reading the timeline, the queue's other keys (a note, an action, help, quit) still work.
            if let command { return scrollTimeline(&state, command) }
            guard let queueCommand = KeyMap.command(for: key, in: .queue, user: state.user, isDemo: state.isDemo) else { return [] }
            state.focus = .queue
            state.detail.scrollBack = 0
            return perform(&state, queueCommand)
        case .filter: return handleFilterKey(&state, key, command)
        default: return handleModalKey(&state, key, command)
        }
    }

    static func perform(_ state: inout AppState, _ command: Command) -> [Effect] {
        if command.movesSelection { forgetMessageAboutARequest(&state) }
        switch command {
        case .moveUp: return move(&state, by: -1)
        case .moveDown: return move(&state, by: 1)
        case .pageUp: return move(&state, by: -state.visibleQueueRows)
        case .pageDown: return move(&state, by: state.visibleQueueRows)
        case .top: return jump(&state, loadQueue(&state, after: nil, direction: .forward, limit: windowSize, keep: nil, fallbackIndex: 0))
        // Half a window, as when the selection runs past a window's top: the end's page is on screen sooner.
        case .bottom: return jump(&state, loadQueue(&state, after: nil, direction: .backward, limit: windowSize / 2, keep: nil, fallbackIndex: Int.max))
        case .nextTab: return show(&state, Tab(rawValue: (state.tab.rawValue + 1) % Tab.allCases.count)!)
        case .previousTab: return show(&state, Tab(rawValue: (state.tab.rawValue + Tab.allCases.count - 1) % Tab.allCases.count)!)
        case .showTab(let tab): return show(&state, tab)
        case .focusDetail:
            guard state.selectedRequest != nil else { return [] }
            state.focus = .detail
            state.detail.scrollBack = 0
            return []
        case .filter:
            state.isTypingFilter = true
            return []
        case .newRequest: return startNewRequest(&state)
        case .note: return startNote(&state)
        case .take: return take(&state)
        case .assign: return startAssign(&state)
        case .resolve: return startResolve(&state)
        case .reopen: return reopen(&state)
        case .refresh:
            var effects = refresh(&state)
            if let request = state.selectedRequest {
                state.card = .loading(request.requester)
                state.forgetCardReads()
                effects.append(.loadCard(request.requester, refresh: true))
            }
            state.say("Refreshed.")
            return effects
        case .help:
            state.modal = .help(scroll: 0)
            return []
        case .quit: return requestQuit(&state)
        case .act(let action): return startAction(&state, action)
        case .approve: return startApprove(&state)
        case .deny: return startDeny(&state)
        case .playbooks: return PlanFlow.start(&state)
        case .cancelPlan: return PlanFlow.startCancel(&state)
        case .undoPlan: return PlanFlow.startUndo(&state)
        case .switchPersona: return switchPersona(&state)
        default: return []
        }
    }

    /// A message about one request goes when the operator moves to another (keys, a filter).
    static func forgetMessageAboutARequest(_ state: inout AppState) {
        if state.status?.about != nil { state.status = nil }
    }

    /// The focused timeline: scrolling stops at its first and last line.
    static func scrollTimeline(_ state: inout AppState, _ command: Command) -> [Effect] {
        let page = max(1, DetailLayout(state).timelineRows - 1)
        let limit = TimelineLayout.maxScrollBack(state)
        let back = state.detail.scrollBack
        switch command {
        case .scrollUp: state.detail.scrollBack = min(back + 1, limit)
        case .scrollDown: state.detail.scrollBack = max(0, back - 1)
        case .scrollPageUp: state.detail.scrollBack = min(back + page, limit)
        case .scrollPageDown: state.detail.scrollBack = max(0, back - page)
        case .scrollOldest: state.detail.scrollBack = limit
        case .scrollNewest: state.detail.scrollBack = 0
        case .backToQueue:
            state.focus = .queue
            state.detail.scrollBack = 0
        default: break
        }
        return []
    }

    /// The held keys, in order, up to the first that would wait if pressed now (one of them may
    /// start another move; the rest then wait for it, timed from now).
    static func releaseHeldKeys(_ state: inout AppState) -> [Effect] {
        var effects: [Effect] = []
        // The line that said they wait goes once they act.
        if state.status?.text == keysWaitLine, !(state.heldKeys.first.map { waitsForRows(state, $0) } ?? false) { state.status = nil }
        while let key = state.heldKeys.first, !waitsForRows(state, key) {
            state.heldKeys.removeFirst()
            effects += handleKeyNow(&state, key)
        }
        state.heldSince = state.heldKeys.isEmpty ? nil : state.now
        return effects
    }

    /// How long keys wait for rows on their way before they act on the rows on screen.
    static let heldKeysWait: TimeInterval = 1
    /// How long they wait before the status line says so (a usual wait is a few milliseconds).
    static let heldKeysNotice: TimeInterval = 0.25
    static let keysWaitLine = "Waiting for the queue; keys pressed meanwhile act on its rows."

    /// On the tick: held keys whose move was replaced by a read no key asked for (a created
    /// request's) act now; rows that did not come in time are given up and the keys act on the
    /// rows on screen.
    static func releaseOrGiveUp(_ state: inout AppState) -> [Effect] {
        guard !state.heldKeys.isEmpty else { return [] }
        guard state.queueMoveOnItsWay else { return releaseHeldKeys(&state) }
        guard let since = state.heldSince else { return [] }
        let waited = state.now.timeIntervalSince(since)
        guard waited >= heldKeysWait else {
            if waited >= heldKeysNotice, state.status?.text != keysWaitLine { state.say(keysWaitLine) }
            return []
        }
        // A search's or a tab's rows still land (those on screen are another filter's or tab's).
        let stillLands = state.pendingJump.map { $0.replacesRows && $0.generation == state.queueGeneration } ?? false
        state.pendingMove = nil
        state.pendingJump = nil
        let dropped = stillLands ? [] : dropQueueLoads(&state)
        let effects = dropped + releaseHeldKeys(&state) + rereadIfChangedMeanwhile(&state)
        state.say("The queue did not answer in time; keys acted on the rows shown.", .error)
        return effects
    }

    /// Home or End: the selection goes where `load`'s window puts it; moves pressed before it
    /// lands are made from there.
    static func jump(_ state: inout AppState, _ load: Effect) -> [Effect] {
        // Made while a search's or a tab's rows are on their way, it replaces rows too.
        let replacesRows = state.pendingJump.map { $0.replacesRows && $0.generation > state.queueAnswered } ?? false
        state.pendingMove = nil
        state.pendingJump = PendingMove(generation: state.queueGeneration, delta: 0, replacesRows: replacesRows)
        return [load.withMove(0)]
    }

    /// A search or another tab: as a jump, but its read starts after the key's frame (which shows
    /// the filter or the tab), and it lands even when the keys stop waiting for it.
    static func replaceRows(_ state: inout AppState, _ load: Effect) -> [Effect] {
        state.pendingMove = nil
        state.pendingJump = PendingMove(generation: state.queueGeneration, delta: 0, replacesRows: true)
        return [load]
    }

    /// Moves the selection; past the loaded window it loads the next part of the queue.
    static func move(_ state: inout AppState, by delta: Int) -> [Effect] {
        if let jump = state.pendingJump, jump.generation == state.queueGeneration, state.isLoadingQueue {
            state.pendingJump = PendingMove(generation: jump.generation, delta: jump.delta + delta, replacesRows: jump.replacesRows)
            return []
        }
        guard !state.queue.rows.isEmpty else { return [] }
        // A move past the window that is still loading has not moved the selection yet: this one
        // adds to it, so fast paging loses no page.
        let pending = state.pendingMove.flatMap { $0.generation == state.queueGeneration ? $0.delta : nil } ?? 0
        state.pendingMove = nil
        let target = state.queue.selected + pending + delta
        if target >= state.queue.rows.count, state.queue.moreBelow {
            let start = max(0, state.queue.selected - state.visibleQueueRows)
            let overshoot = target - state.queue.selected
            let load = loadQueue(&state, after: state.queue.rows[start].cursorJustBefore, direction: .forward, limit: windowSize,
                                 keep: state.selectedRequest?.id, fallbackIndex: state.queue.selected - start + overshoot).withMove(overshoot)
            state.pendingMove = PendingMove(generation: state.queueGeneration, delta: overshoot)
            return [load]
        }
        if target < 0, state.queue.moreAbove {
            let load = loadQueue(&state, after: QueueCursor(state.queue.rows[0]), direction: .backward, limit: windowSize / 2,
                                 keep: state.selectedRequest?.id, fallbackIndex: 0).withMove(target - state.queue.selected)
            state.pendingMove = PendingMove(generation: state.queueGeneration, delta: target - state.queue.selected)
            return [load]
        }
        // Back inside the window: a load still on its way is no longer wanted (a change that came
        // meanwhile is read now).
        let dropped = pending != 0 ? dropQueueLoads(&state) : []
        state.queue.selected = max(0, min(target, state.queue.rows.count - 1))
        state.queue.clamp(visible: state.visibleQueueRows)
        return dropped + selectionChanged(&state) + rereadIfChangedMeanwhile(&state)
    }

    /// The windows on their way are not wanted, and none replaces them: their answers are
    /// ignored when they land, and the one still being read stops.
    static func dropQueueLoads(_ state: inout AppState) -> [Effect] {
        state.queueGeneration += 1
        state.queueAnswered = state.queueGeneration
        return [.dropQueueLoads(before: state.queueGeneration)]
    }

    static func show(_ state: inout AppState, _ tab: Tab) -> [Effect] {
        guard tab != state.tab else { return [] }
        state.tab = tab
        state.queue = .awaitingFirstPage
        state.focus = .queue
        return replaceRows(&state, loadQueue(&state, after: nil, direction: .forward, limit: windowSize, keep: nil, fallbackIndex: 0))
    }

    static func handleFilterKey(_ state: inout AppState, _ key: Key, _ command: Command?) -> [Effect] {
        switch command {
        case .keepFilter?:
            state.isTypingFilter = false
            return []
        case .clearFilter?:
            state.isTypingFilter = false
            guard !state.filter.text.isEmpty else { return [] }
            state.filter = TextField(limit: 100)
            forgetMessageAboutARequest(&state)
            return replaceRows(&state, loadQueue(&state, after: nil, direction: .forward, limit: windowSize, keep: state.selectedRequest?.id, fallbackIndex: 0))
        case .moveUp?, .moveDown?:
            state.isTypingFilter = false
            return perform(&state, command!)
        default:
            let before = state.filter.text
            guard state.filter.handle(key), state.filter.text != before else { return [] }
            forgetMessageAboutARequest(&state)
            return replaceRows(&state, loadQueue(&state, after: nil, direction: .forward, limit: windowSize, keep: nil, fallbackIndex: 0))
        }
    }

    static func requestQuit(_ state: inout AppState) -> [Effect] {
        if state.inFlight.isEmpty { return [.quit] }
        let running = state.inFlight.map { "\($0.action.title) for \($0.requestID)" }.sorted().joined(separator: ", ")
        state.modal = .question(Question(purpose: .quit, title: "Quit?", lines: [
            "An action is still in flight: \(running).",
            "Quitting now does not stop it; its outcome may then be unknown.",
        ]))
        return []
    }

    static func switchPersona(_ state: inout AppState) -> [Effect] {
        guard state.isDemo, state.personas.count > 1 else { return [] }
        let index = state.personas.firstIndex(of: state.user) ?? 0
        state.user = state.personas[(index + 1) % state.personas.count]
        state.say("Demo: you are now \(state.user.login) (\(rolesText(state.user))).")
        if !state.user.canAct, state.focus == .detail { state.focus = .queue }
        // The selection stays where it was, so the next key acts on the request on screen.
        return [.actAs(login: state.user.login), reloadQueue(&state, keep: state.selectedRequest?.id, fallbackIndex: state.queue.selected)]
    }

    /// "agent", "approver, agent", or "manager" for an operator without roles.
    public static func rolesText(_ user: Operator) -> String {
        user.roles.isEmpty ? "manager" : user.roleList
    }
}

extension Command {
    /// Keys that move the selection to another request.
    var movesSelection: Bool {
        switch self {
        case .moveUp, .moveDown, .pageUp, .pageDown, .top, .bottom, .nextTab, .previousTab, .showTab: true
        default: false
        }
    }
}

extension Effect {
    /// Moves the selection by `delta` from the kept request once the window loads: the key's
    /// move shows when the window does.
    func withMove(_ delta: Int) -> Effect {
        guard case .loadQueue(let load) = self else { return self }
        return .loadQueue(QueueLoad(generation: load.generation, tab: load.tab, filter: load.filter, after: load.after, direction: load.direction,
                                    limit: load.limit, login: load.login, keep: load.keep, fallbackIndex: load.fallbackIndex, moveBy: delta,
                                    awaitedByItsKey: true))
    }
}
