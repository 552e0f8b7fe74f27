import Foundation
import HelpdeskCore

extension Console {
    static func queueLoaded(_ state: inout AppState, _ snapshot: QueueSnapshot) -> [Effect] {
        state.counts = snapshot.counts
        state.countsKnown = true
        state.queueAnswered = max(state.queueAnswered, snapshot.generation)
        guard snapshot.generation == state.queueGeneration else { return [] }
        state.pendingMove = nil
        let previousID = state.selectedRequest?.id
        let previousOffset = state.queue.selected - state.queue.scroll
        var window = snapshot.window
        if let keep = snapshot.keep, let index = window.rows.firstIndex(where: { $0.id == keep }) {
            window.selected = index + snapshot.moveBy
            if keep == previousID { window.scroll = window.selected - previousOffset - snapshot.moveBy }
        } else {
            window.selected = snapshot.fallbackIndex
            window.scroll = snapshot.fallbackIndex - previousOffset
        }
        state.queue = window
        state.queue.clamp(visible: state.visibleQueueRows)
        return selectionChanged(&state)
    }

    /// A fresh timeline; when it holds an Okta answer the old one did not (an action ran, from
    /// this console or another), the requester's card is read again so it matches.
    static func detailLoaded(_ state: inout AppState, _ id: RequestID, _ snapshot: DetailSnapshot) -> [Effect] {
        guard state.detail.requestID == id else { return [] }
        let hadEvents = !state.detail.timeline.isEmpty
        // Also an answer recorded after the card was read (a plan approved on another tab ran while
        // this request's timeline was not on screen).
        let answeredSince = state.cardReadAt.map { read in snapshot.timeline.contains { $0.at > read && isOutcome($0) } } ?? false
        let newOutcome = (hadEvents && outcomes(in: snapshot.timeline) > outcomes(in: state.detail.timeline)) || answeredSince
        state.detail.timeline = snapshot.timeline
        state.detail.approvals = snapshot.approvals
        state.detail.runs = snapshot.runs
        state.detail.unknownRuns = snapshot.unknownRuns
        state.detail.plans = snapshot.plans
        state.detail.scrollBack = min(state.detail.scrollBack, TimelineLayout.maxScrollBack(state))
        guard newOutcome, let request = state.selectedRequest, request.id == id, state.card.email == request.requester else { return [] }
        return rereadCard(&state, request.requester)
    }

    /// Events that record what Okta did.
    static func outcomes(in timeline: [TimelineEvent]) -> Int {
        timeline.reduce(0) { count, event in isOutcome(event) ? count + 1 : count }
    }

    /// Whether the event records Okta's answer.
    static func isOutcome(_ event: TimelineEvent) -> Bool {
        switch event.kind {
        case .actionSucceeded, .actionFailed, .actionReconciled, .accessRevoked: true
        default: false
        }
    }

    static func cardLoaded(_ state: inout AppState, _ email: EmailAddress, _ result: Result<RequesterCard, ConsoleFailure>) -> [Effect] {
        guard state.card.email == email else { return [] }
        state.cardRefreshing = false
        switch result {
        case .success(let card):
            state.card = .loaded(email, card)
            state.cardReadAt = state.now
        case .failure(let failure):
            state.card = .failed(email, failure.message)
            state.cardReadAt = nil
        }
        guard state.cardOutdated else { return [] }
        state.cardOutdated = false
        return rereadCard(&state, email)
    }

    /// Reads the shown card again after Okta answered; while a read is already on its way, once
    /// more when it lands, since it may have begun before the answer.
    static func rereadCard(_ state: inout AppState, _ email: EmailAddress) -> [Effect] {
        guard !state.cardRefreshing else {
            state.cardOutdated = true
            return []
        }
        state.cardRefreshing = true
        return [.loadCard(email, refresh: true)]
    }

    /// Okta's search results; what the requester already has is shown and cannot be asked for again.
    static func pickerResults(_ state: inout AppState, _ kind: PickerState.Kind, _ query: String, _ items: [PickerItem]) -> [Effect] {
        guard case .picker(var picker) = state.modal, !picker.localOnly, picker.kind == kind, picker.query.trimmed == query else { return [] }
        let card = state.card.card
        picker.items = items.map { item in
            guard item.disabledReason == nil, let card else { return item }
            let has: String? = switch picker.kind {
            case .group: card.groups.contains { $0.id == item.id } ? "already a member" : nil
            case .app: card.apps.contains { $0.appID == item.id } ? "already assigned" : nil
            default: nil
            }
            return PickerItem(id: item.id, label: item.label, detail: item.detail, disabledReason: has, value: item.value)
        }
        picker.loading = false
        picker.selected = min(picker.selected, max(0, items.count - 1))
        state.modal = .picker(picker)
        return []
    }

    static func approversFound(_ state: inout AppState, _ id: RequestID, _ action: ActionName, _ result: Result<[String], ConsoleFailure>) -> [Effect] {
        guard case .confirm(var confirm) = state.modal, confirm.requestID == id, case .ask(let asked) = confirm.plan, asked.name == action else { return [] }
        switch result {
        case .success(let logins): confirm.approvers = .known(logins)
        case .failure(let failure): confirm.approvers = .unknown(failure.message)
        }
        state.modal = .confirm(confirm)
        return []
    }

    static func actionFinished(_ state: inout AppState, _ key: InFlight, _ report: ActionReport) -> [Effect] {
        state.inFlight.remove(key)
        var line = report.line
        line.about = key.requestID
        state.say(line)
        if let link = report.oneTimeLink, state.modal == nil || state.modal?.isQuitQuestion == true {
            state.modal = .oneTimeLink(link)
        }
        var effects = refresh(&state)
        if let request = state.selectedRequest, request.id == key.requestID {
            effects += rereadCard(&state, request.requester)
        }
        if state.quitting && state.inFlight.isEmpty { effects.append(.quit) }
        return effects
    }

    static func requesterChecked(_ state: inout AppState, _ email: String, _ check: NewRequestForm.Check) -> [Effect] {
        guard case .newRequest(var form) = state.modal, form.email.trimmed == email else { return [] }
        form.check = check
        state.modal = .newRequest(form)
        return []
    }
}
