import Foundation
import HelpdeskCore

extension Console {
    static func queueLoaded(_ state: inout AppState, _ snapshot: QueueSnapshot) -> [Effect] {
        state.counts = snapshot.counts
        guard snapshot.generation == state.queueGeneration else { return [] }
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

    static func detailLoaded(_ state: inout AppState, _ id: RequestID, _ snapshot: DetailSnapshot) -> [Effect] {
        guard state.detail.requestID == id else { return [] }
        state.detail.timeline = snapshot.timeline
        state.detail.approvals = snapshot.approvals
        state.detail.runs = snapshot.runs
        state.detail.unknownRuns = snapshot.unknownRuns
        return []
    }

    static func cardLoaded(_ state: inout AppState, _ email: EmailAddress, _ result: Result<RequesterCard, ConsoleFailure>) -> [Effect] {
        guard state.card.email == email else { return [] }
        switch result {
        case .success(let card): state.card = .loaded(email, card)
        case .failure(let failure): state.card = .failed(email, failure.message)
        }
        return []
    }

    static func pickerResults(_ state: inout AppState, _ query: String, _ items: [PickerItem]) -> [Effect] {
        guard case .picker(var picker) = state.modal, !picker.localOnly, picker.query.trimmed == query else { return [] }
        picker.items = items
        picker.loading = false
        picker.selected = min(picker.selected, max(0, items.count - 1))
        state.modal = .picker(picker)
        return []
    }

    static func actionFinished(_ state: inout AppState, _ key: InFlight, _ report: ActionReport) -> [Effect] {
        state.inFlight.remove(key)
        state.status = report.line
        if let link = report.oneTimeLink, state.modal == nil || state.modal == .quitConfirm {
            state.modal = .oneTimeLink(link)
        }
        var effects = refresh(&state)
        if let request = state.selectedRequest, request.id == key.requestID {
            effects.append(.loadCard(request.requester, refresh: true))
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
