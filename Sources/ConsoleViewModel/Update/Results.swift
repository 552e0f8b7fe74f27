import Foundation
import HelpdeskCore

extension Console {
    static func queueLoaded(_ state: inout AppState, _ snapshot: QueueSnapshot) -> [Effect] {
        state.counts = snapshot.counts
        state.countsKnown = true
        state.queueAnswered = max(state.queueAnswered, snapshot.generation)
        guard snapshot.generation == state.queueGeneration else { return [] }
        state.pendingMove = nil
        let jumpedAndMoved = state.pendingJump.flatMap { $0.generation == snapshot.generation ? $0.delta : nil } ?? 0
        state.pendingJump = nil
        let previousID = state.selectedRequest?.id
        let previousOffset = state.queue.selected - state.queue.scroll
        var window = snapshot.window
        // A re-read keeps the request selected now if it is still there, else the place.
        let isReread = state.rereadGeneration == snapshot.generation
        state.rereadGeneration = nil
        let kept = isReread ? previousID.flatMap { current in window.rows.contains { $0.id == current } ? current : nil } : snapshot.keep
        let fallbackIndex = isReread ? state.queue.selected : snapshot.fallbackIndex
        var wanted: Int?
        if let keep = kept, let index = window.rows.firstIndex(where: { $0.id == keep }) {
            window.selected = index + snapshot.moveBy
            wanted = window.selected
            if keep == previousID { window.scroll = window.selected - previousOffset - snapshot.moveBy }
        } else {
            window.selected = fallbackIndex
            window.scroll = fallbackIndex - previousOffset
        }
        state.queue = window
        state.queue.clamp(visible: state.visibleQueueRows)
        // A move longer than this window goes on past it; moves pressed while Home's or End's
        // window was on its way go on from where it landed.
        // (The detail follows the selection where a move stops to wait for the next window.)
        let rest = jumpedAndMoved + (wanted.map { $0 - state.queue.selected } ?? 0)
        let effects = rest != 0 ? move(&state, by: rest) + selectionChanged(&state) : selectionChanged(&state)
        return effects + releaseHeldKeys(&state) + rereadIfChangedMeanwhile(&state)
    }

    /// A fresh timeline; when it holds an Okta answer recorded since the shown card was read (an
    /// action ran, from this console or another, on this tab or another), the requester's card is
    /// read again so it matches. A read on its way is checked against that answer when it lands.
    static func detailLoaded(_ state: inout AppState, _ id: RequestID, _ snapshot: DetailSnapshot) -> [Effect] {
        guard state.detail.requestID == id else { return [] }
        let hadEvents = !state.detail.timeline.isEmpty
        // An answer newer than any the old timeline held, or one recorded since the card was read (a
        // card kept from an earlier read; a plan approved on another tab ran meanwhile). Answers are
        // compared by number, not counted: the service sends only the newest entries.
        let newOutcome = (hadEvents && newestOutcome(in: snapshot.timeline) > newestOutcome(in: state.detail.timeline))
            || state.cardReadBegan.map { unreadAnswer(since: $0, among: snapshot.timeline, state) != nil } ?? false
        // Scrolled back, the lines on screen stay there as entries come in below them; at the
        // newest, the newest stay in view. Laying the lines out is left to the frame when nothing is scrolled.
        let newestBefore = state.detail.scrollBack > 0 ? state.detail.timeline.last?.id : nil
        let belowBefore = newestBefore.map { TimelineLayout.linesAfter(entry: $0, state) } ?? 0
        state.detail.reread(snapshot.timeline)
        state.detail.earlierEvents = snapshot.earlierEvents
        state.detail.approvals = snapshot.approvals
        state.detail.runs = snapshot.runs
        state.detail.unknownRuns = snapshot.unknownRuns
        state.detail.plans = snapshot.plans
        if state.detail.scrollBack > 0 {
            let added = (newestBefore.map { TimelineLayout.linesAfter(entry: $0, state) } ?? 0) - belowBefore
            state.detail.scrollBack = min(max(0, state.detail.scrollBack + added), TimelineLayout.maxScrollBack(state))
        }
        guard newOutcome, let request = state.selectedRequest, request.id == id, state.card.email == request.requester,
              let newest = snapshot.timeline.last(where: isOutcome) else { return [] }
        guard !state.cardReadOnItsWay else {
            // That read may have begun before this answer: it is compared with it when it lands,
            // wherever the selection is by then.
            if newest.id > state.answerDuringCardRead?.id ?? .min { state.answerDuringCardRead = newest }
            return []
        }
        state.cardReadForAnswer = max(newest.id, state.cardReadForAnswer ?? .min)
        return rereadCard(&state, request.requester)
    }

    /// The newest Okta answer among `answers` recorded at or after `time` (a read of the card that
    /// began then may not show it; the store keeps times to the millisecond), unless the card was
    /// already read again for it or a later one (answers are numbered as they are recorded): once
    /// per answer, so clocks that disagree cannot make the console read the card over and over.
    static func unreadAnswer(since time: Date, among answers: [TimelineEvent], _ state: AppState) -> Int64? {
        let since = time.addingTimeInterval(-0.001)
        guard let newest = answers.last(where: { isOutcome($0) && $0.at >= since }), newest.id > state.cardReadForAnswer ?? .min else { return nil }
        return newest.id
    }

    /// The number of the newest event that records what Okta did (0 when none does).
    static func newestOutcome(in timeline: [TimelineEvent]) -> Int64 {
        timeline.last(where: isOutcome)?.id ?? 0
    }

    /// Whether the event records Okta's answer.
    static func isOutcome(_ event: TimelineEvent) -> Bool {
        switch event.kind {
        case .actionSucceeded, .actionFailed, .actionReconciled, .accessRevoked: true
        default: false
        }
    }

    /// A card read from Okta (or kept from a read `readAt`); read once more when the open request's
    /// timeline records an answer since that read began, or an answer elsewhere came meanwhile.
    static func cardLoaded(_ state: inout AppState, _ email: EmailAddress, _ result: Result<RequesterCard, ConsoleFailure>, readAt: Date?) -> [Effect] {
        guard state.card.email == email else { return [] }
        state.cardRefreshing = false
        var outdated = state.cardOutdated
        state.cardOutdated = false
        var answers = state.answerDuringCardRead.map { [$0] } ?? []
        state.answerDuringCardRead = nil
        switch result {
        case .success(let card):
            let began = readAt ?? state.now
            state.card = .loaded(email, card)
            state.cardReadAt = state.now
            state.cardReadBegan = began
            if let request = state.selectedRequest, request.requester == email, state.detail.requestID == request.id {
                answers = (answers + state.detail.timeline.filter(isOutcome)).sorted { $0.id < $1.id }
            }
            if let answer = unreadAnswer(since: began, among: answers, state) {
                state.cardReadForAnswer = answer
                outdated = true
            }
        case .failure(let failure):
            state.card = .failed(email, failure.message)
            state.cardReadAt = nil
            state.cardReadBegan = nil
        }
        return outdated ? rereadCard(&state, email) : []
    }

    /// Reads the shown card again after Okta answered; while a read is already on its way, once
    /// more when it lands, since it may have begun before the answer.
    static func rereadCard(_ state: inout AppState, _ email: EmailAddress) -> [Effect] {
        guard !state.cardReadOnItsWay else {
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
