import Foundation
import HelpdeskCore

extension Console {
    static func handleKey(_ state: inout AppState, _ key: Key) -> [Effect] {
        if state.isTooSmall {
            return key == .char("q") || key == .ctrl("c") ? requestQuit(&state) : []
        }
        if state.modal != nil { return handleModalKey(&state, key) }
        if state.isTypingFilter { return handleFilterKey(&state, key) }
        if state.focus == .detail, let effects = handleDetailKey(&state, key) { return effects }
        guard let command = KeyMap.command(for: key) else { return [] }
        return perform(&state, command)
    }

    static func perform(_ state: inout AppState, _ command: Command) -> [Effect] {
        switch command {
        case .moveUp: return move(&state, by: -1)
        case .moveDown: return move(&state, by: 1)
        case .pageUp: return move(&state, by: -state.visibleQueueRows)
        case .pageDown: return move(&state, by: state.visibleQueueRows)
        case .top: return [loadQueue(&state, after: nil, direction: .forward, limit: windowSize, keep: nil, fallbackIndex: 0)]
        case .bottom: return [loadQueue(&state, after: nil, direction: .backward, limit: windowSize, keep: nil, fallbackIndex: Int.max)]
        case .nextTab: return show(&state, Tab(rawValue: (state.tab.rawValue + 1) % Tab.allCases.count)!)
        case .previousTab: return show(&state, Tab(rawValue: (state.tab.rawValue + Tab.allCases.count - 1) % Tab.allCases.count)!)
        case .showTab(let tab): return show(&state, tab)
        case .focusDetail:
            guard state.selectedRequest != nil else { return [] }
            state.focus = .detail
            return []
        case .filter:
            state.isTypingFilter = true
            return []
        case .newRequest: return startNewRequest(&state)
        case .note: return startNote(&state)
        case .take: return take(&state)
        case .resolve: return startResolve(&state)
        case .refresh:
            var effects = refresh(&state)
            if let request = state.selectedRequest {
                state.card = .loading(request.requester)
                effects.append(.loadCard(request.requester, refresh: true))
            }
            state.status = StatusLine("Refreshed.")
            return effects
        case .help:
            state.modal = .help(scroll: 0)
            return []
        case .quit: return requestQuit(&state)
        case .act(let action): return startAction(&state, action)
        case .approve: return startApprove(&state)
        case .deny: return startDeny(&state)
        case .switchPersona: return switchPersona(&state)
        }
    }

    /// Moves the selection; past the loaded window it loads the next part of the queue.
    static func move(_ state: inout AppState, by delta: Int) -> [Effect] {
        guard !state.queue.rows.isEmpty else { return [] }
        let target = state.queue.selected + delta
        if target >= state.queue.rows.count, state.queue.moreBelow {
            let start = max(0, state.queue.selected - state.visibleQueueRows)
            let overshoot = target - state.queue.selected
            return [loadQueue(&state, after: state.queue.rows[start].cursorJustBefore, direction: .forward, limit: windowSize,
                              keep: state.selectedRequest?.id, fallbackIndex: state.queue.selected - start + overshoot).withMove(overshoot)]
        }
        if target < 0, state.queue.moreAbove {
            return [loadQueue(&state, after: QueueCursor(state.queue.rows[0]), direction: .backward, limit: windowSize / 2,
                              keep: state.selectedRequest?.id, fallbackIndex: 0).withMove(target - state.queue.selected)]
        }
        state.queue.selected = max(0, min(target, state.queue.rows.count - 1))
        state.queue.clamp(visible: state.visibleQueueRows)
        return selectionChanged(&state)
    }

    static func show(_ state: inout AppState, _ tab: Tab) -> [Effect] {
        guard tab != state.tab else { return [] }
        state.tab = tab
        state.queue = QueueWindow()
        state.focus = .queue
        return [loadQueue(&state, after: nil, direction: .forward, limit: windowSize, keep: nil, fallbackIndex: 0)]
    }

    static func handleFilterKey(_ state: inout AppState, _ key: Key) -> [Effect] {
        switch key {
        case .enter:
            state.isTypingFilter = false
            return []
        case .escape:
            state.isTypingFilter = false
            guard !state.filter.text.isEmpty else { return [] }
            state.filter = TextField(limit: 100)
            return [loadQueue(&state, after: nil, direction: .forward, limit: windowSize, keep: state.selectedRequest?.id, fallbackIndex: 0)]
        case .up, .down:
            state.isTypingFilter = false
            return perform(&state, key == .up ? .moveUp : .moveDown)
        default:
            let before = state.filter.text
            guard state.filter.handle(key), state.filter.text != before else { return [] }
            return [loadQueue(&state, after: nil, direction: .forward, limit: windowSize, keep: nil, fallbackIndex: 0)]
        }
    }

    /// Keys that mean something else while the detail has focus; nil falls through to the key map.
    static func handleDetailKey(_ state: inout AppState, _ key: Key) -> [Effect]? {
        switch key {
        case .up, .char("k"):
            state.detail.scrollBack = min(state.detail.scrollBack + 1, state.detail.maxScrollBack)
            return []
        case .down, .char("j"):
            state.detail.scrollBack = max(0, state.detail.scrollBack - 1)
            return []
        case .pageUp:
            state.detail.scrollBack = min(state.detail.scrollBack + 5, state.detail.maxScrollBack)
            return []
        case .pageDown:
            state.detail.scrollBack = max(0, state.detail.scrollBack - 5)
            return []
        case .escape, .enter:
            state.focus = .queue
            return []
        default:
            return nil
        }
    }

    static func requestQuit(_ state: inout AppState) -> [Effect] {
        if state.inFlight.isEmpty { return [.quit] }
        state.modal = .quitConfirm
        return []
    }

    static func switchPersona(_ state: inout AppState) -> [Effect] {
        guard state.isDemo, state.personas.count > 1 else { return [] }
        let index = state.personas.firstIndex(of: state.user) ?? 0
        state.user = state.personas[(index + 1) % state.personas.count]
        state.status = StatusLine("Demo: you are now \(state.user.login) (\(rolesText(state.user))).")
        state.queue = QueueWindow()
        return [.actAs(login: state.user.login), loadQueue(&state, after: nil, direction: .forward, limit: windowSize, keep: nil, fallbackIndex: 0)]
    }

    /// "agent", "approver, agent", or "manager" for an operator without roles.
    public static func rolesText(_ user: Operator) -> String {
        user.roles.isEmpty ? "manager" : user.roleList
    }
}

extension Effect {
    /// Moves the selection by `delta` from the kept request once the window loads.
    func withMove(_ delta: Int) -> Effect {
        guard case .loadQueue(let load) = self else { return self }
        return .loadQueue(QueueLoad(generation: load.generation, tab: load.tab, filter: load.filter, after: load.after, direction: load.direction,
                                    limit: load.limit, login: load.login, keep: load.keep, fallbackIndex: load.fallbackIndex, moveBy: delta))
    }
}
