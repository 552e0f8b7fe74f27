import Foundation
import HelpdeskCore

/// The console's single entry point for change: `update(&state, message) -> effects`.
/// It never performs I/O; effects come back as messages.
public enum Console {
    /// Rows held in memory around the selection.
    public static let windowSize = 200
    /// The first effects: the queue (keys pressed before it lands act on its rows), and listening for changes.
    public static func start(_ state: inout AppState) -> [Effect] {
        replaceRows(&state, reloadQueue(&state, keep: nil, fallbackIndex: 0)) + [.subscribe]
    }

    public static func update(_ state: inout AppState, _ message: Message) -> [Effect] {
        switch message {
        case .key(let key): return handleKey(&state, key)
        case .resize(let columns, let rows):
            state.columns = columns
            state.rows = rows
            state.queue.clamp(visible: state.visibleQueueRows)
            return []
        case .tick(let now): return tick(&state, now)
        case .storeChanged(let requests): return refresh(&state, changed: requests)
        case .serviceProblem(let problem):
            // The status bar shows the problem for as long as it lasts.
            let wasDown = state.serviceProblem != nil
            state.serviceProblem = problem
            guard problem == nil, wasDown else { return [] }
            state.say("Connected to the helpdesk service again.", .success)
            return refresh(&state)
        case .alert(let text):
            state.say(text, .error)
            return []
        case .closing:
            state.modal = nil
            state.say("Closing: finishing work in progress…", .info)
            return []
        case .queueLoaded(let snapshot): return queueLoaded(&state, snapshot)
        case .detailLoaded(let id, let snapshot): return detailLoaded(&state, id, snapshot)
        case .cardLoaded(let email, let result, let readAt): return cardLoaded(&state, email, result, readAt: readAt)
        case .pickerResults(let kind, let query, let items): return pickerResults(&state, kind, query, items)
        case .approversFound(let id, let action, let result): return approversFound(&state, id, action, result)
        case .actionFinished(let key, let report): return actionFinished(&state, key, report)
        case .queueFailed(let generation, let line):
            state.queueAnswered = max(state.queueAnswered, generation)
            state.say(line)
            // The move that waited for it is not made, now or with the next one; the keys that
            // waited for it act. (An older load's failure leaves them waiting as they were.)
            guard generation == state.queueGeneration else { return selectionChanged(&state) + rereadIfChangedMeanwhile(&state) }
            state.pendingMove = nil
            state.pendingJump = nil
            return selectionChanged(&state) + releaseHeldKeys(&state) + rereadIfChangedMeanwhile(&state)
        case .workFinished(let line, let reload):
            state.say(line)
            return reload ? refresh(&state) : []
        case .requesterChecked(let email, let check): return requesterChecked(&state, email, check)
        case .requestCreated(let id):
            state.say("Created \(id).", .success, about: id)
            state.tab = .queue
            return [reloadQueue(&state, keep: id, fallbackIndex: 0)]
        case .oktaHealth(let healthy):
            state.oktaHealthy = healthy
            return []
        case .playbooksLoaded(let id, let result): return PlanFlow.playbooksLoaded(&state, id, result)
        case .planPreviewed(let ask, let result): return PlanFlow.previewed(&state, ask, result)
        }
    }

    /// A card older than this is read again while it is on screen.
    public static let cardMaxAge: TimeInterval = 60

    private static func tick(_ state: inout AppState, _ now: Date) -> [Effect] {
        state.now = now
        state.spinnerFrame += 1
        let held = releaseOrGiveUp(&state)
        guard held.isEmpty else { return held }
        if let status = state.status, let shownAt = status.shownAt, now.timeIntervalSince(shownAt) >= status.lifetime {
            state.status = nil
        }
        if case .loaded(let email, _) = state.card, !state.cardRefreshing, let readAt = state.cardReadAt,
           now.timeIntervalSince(readAt) >= cardMaxAge {
            state.cardRefreshing = true
            return [.loadCard(email, refresh: true)]
        }
        return []
    }

    /// Reloads the queue window (any change can move rows or counts) and the open request's
    /// detail when it is among the `changed` ones (nil: not known, so it may be).
    static func refresh(_ state: inout AppState, changed: Set<RequestID>? = nil) -> [Effect] {
        var effects = rereadQueue(&state)
        if let id = state.detail.requestID, changed?.contains(id) ?? true { effects.append(.loadDetail(id)) }
        // Another request of the same requester changed (an action on their account may have run
        // there): the card is read again. The open request's own changes are seen in its timeline.
        if let changed, let selected = state.selectedRequest, state.card.email == selected.requester, state.card.card != nil || state.cardReadOnItsWay,
           state.queue.rows.contains(where: { changed.contains($0.id) && $0.id != selected.id && $0.requester == selected.requester }) {
            effects += rereadCard(&state, selected.requester)
        }
        return effects
    }

    /// The current window read again; while a load is on its way (Home, End, a page past the
    /// window, a search), once it has landed instead of in its place.
    static func rereadQueue(_ state: inout AppState) -> [Effect] {
        guard !state.isLoadingQueue else {
            state.queueChangedMeanwhile = true
            return []
        }
        state.queueChangedMeanwhile = false
        let reload = reloadQueue(&state, keep: state.selectedRequest?.id, fallbackIndex: state.queue.selected)
        state.rereadGeneration = state.queueGeneration
        return [reload]
    }

    /// The read a change that came while the last load was on its way asks for, once nothing is.
    static func rereadIfChangedMeanwhile(_ state: inout AppState) -> [Effect] {
        state.queueChangedMeanwhile && !state.isLoadingQueue ? rereadQueue(&state) : []
    }

    /// A load of the current window from its first row (from the top when it starts there, so
    /// requests that arrive above it show).
    static func reloadQueue(_ state: inout AppState, keep: RequestID?, fallbackIndex: Int) -> Effect {
        let after = state.queue.moreAbove ? state.queue.rows.first.map { $0.cursorJustBefore } : nil
        return loadQueue(&state, after: after, direction: .forward, limit: windowSize, keep: keep, fallbackIndex: fallbackIndex)
    }

    static func loadQueue(_ state: inout AppState, after: QueueCursor?, direction: QueueQuery.Direction, limit: Int, keep: RequestID?, fallbackIndex: Int) -> Effect {
        // A re-read this load replaces is owed once nothing is on its way.
        if state.isLoadingQueue, state.rereadGeneration == state.queueGeneration { state.queueChangedMeanwhile = true }
        state.queueGeneration += 1
        return .loadQueue(QueueLoad(
            generation: state.queueGeneration, tab: state.tab, filter: state.tab.filter(for: state.user.login, text: state.filter.trimmed),
            after: after, direction: direction, limit: limit, login: state.user.login, keep: keep, fallbackIndex: fallbackIndex))
    }

    /// Loads what the selected request needs when the selection lands on a different one.
    static func selectionChanged(_ state: inout AppState) -> [Effect] {
        guard let request = state.selectedRequest else {
            state.detail = DetailState()
            state.card = .none
            state.forgetCardReads()
            return []
        }
        var effects: [Effect] = []
        if state.detail.requestID != request.id {
            state.detail = DetailState()
            state.detail.requestID = request.id
            state.focus = .queue
            effects.append(.loadDetail(request.id))
        }
        if state.card.email != request.requester {
            state.card = .loading(request.requester)
            state.forgetCardReads()
            effects.append(.loadCard(request.requester, refresh: false))
        }
        return effects
    }
}

extension Request {
    /// A cursor that sorts just before this request, so a forward page starts with it.
    public var cursorJustBefore: QueueCursor {
        QueueCursor(urgencyRank: priority.urgencyRank, createdAt: createdAt, id: RequestID(id.number - 1))
    }
}
