import Foundation
import HelpdeskCore

/// The playbook keys: choose a playbook, see the exact plan the service resolved, give a reason and
/// ask for exactly that plan; cancel a plan that has not started; undo one that ran.
enum PlanFlow {
    static func start(_ state: inout AppState) -> [Effect] {
        guard let request = activeRequest(&state) else { return [] }
        state.say("Reading the playbooks…", about: request.id)
        return [.loadPlaybooks(request.id)]
    }

    static func playbooksLoaded(_ state: inout AppState, _ id: RequestID, _ result: Result<[Playbook], ConsoleFailure>) -> [Effect] {
        guard state.selectedRequest?.id == id, state.modal == nil else { return [] }
        switch result {
        case .failure(let failure):
            state.say(failure.message, .error, about: id)
        case .success(let playbooks) where playbooks.isEmpty:
            state.say("No playbooks are configured for you; an admin adds them under \"playbooks\" in the configuration.", .error, about: id)
        case .success(let playbooks):
            let items = playbooks.map { playbook in
                PickerItem(id: playbook.name, label: playbook.title,
                           detail: "\(playbook.steps.count) step\(playbook.steps.count == 1 ? "" : "s")" + (playbook.expiry.map { ", ends after \($0.spoken)" } ?? ""),
                           value: playbook.createsUser ? newHireMark : "")
            }
            state.modal = .picker(PickerState(purpose: .playbook, requestID: id, items: items, localOnly: true))
            state.status = nil
        }
        return []
    }

    /// The preview becomes the confirm dialog: every step, what was left out, who must approve.
    static func previewed(_ state: inout AppState, _ ask: PlanAsk, _ result: Result<PlanPreview, ConsoleFailure>) -> [Effect] {
        guard state.selectedRequest?.id == ask.requestID, state.modal == nil else { return [] }
        let preview: PlanPreview
        switch result {
        case .failure(let failure):
            state.say(failure.message, .error, about: ask.requestID)
            return []
        case .success(let value): preview = value
        }
        guard !preview.steps.isEmpty else {
            state.say("\(preview.title) has nothing to do for \(preview.targetLogin)" + (preview.notes.isEmpty ? "." : ": " + preview.notes.joined(separator: "; ")), .error, about: ask.requestID)
            return []
        }
        var lines = ["\(preview.title) for \(preview.targetLogin), exactly:"]
        lines += preview.steps.enumerated().map { "  \($0.offset + 1). \($0.element.action.summary)" + ($0.element.skipOnFailure ? " (a failure does not stop it)" : "") }
        lines += preview.notes.map { "  – \($0)" }
        lines.append("Each step runs once; a failed step stops the plan. " + (preview.runAt.map { "It runs at \(local($0, state.zone))." } ?? "It runs as soon as it may."))
        let approvers: ConfirmState.Approvers = preview.needsApproval ? .known(preview.approvers) : .notNeeded
        state.modal = .confirm(ConfirmState(requestID: ask.requestID, plan: .startPlan(ask, preview), lines: lines, reasonRequired: true, approvers: approvers))
        state.status = nil
        return []
    }

    /// A picker item's value for a playbook that creates its user.
    static let newHireMark = "creates-user"

    /// The chosen playbook: a new hire's (the requester has no Okta account) asks for the fields first.
    static func chose(_ state: inout AppState, _ item: PickerItem, for request: Request) -> [Effect] {
        guard item.value == newHireMark, state.card.card == nil else {
            return askTime(&state, PlanAsk(requestID: request.id, source: .playbook(item.id)), title: item.label)
        }
        return newHireField(&state, NewHireEntry(requestID: request.id, playbook: item.id, title: item.label), nil)
    }

    /// Records the answer to the current field and asks the next; after the last, previews the plan.
    static func newHireField(_ state: inout AppState, _ entry: NewHireEntry, _ answer: String?) -> [Effect] {
        var entry = entry
        if let answer {
            if !answer.isEmpty { entry.fields[NewHireEntry.fields[entry.index].name] = answer }
            entry.index += 1
        }
        guard entry.index < NewHireEntry.fields.count else {
            return askTime(&state, PlanAsk(requestID: entry.requestID, source: .playbook(entry.playbook), fields: entry.fields), title: entry.title)
        }
        let field = NewHireEntry.fields[entry.index]
        state.modal = .prompt(PromptState(purpose: .newHire(entry), title: "\(entry.title): the new hire's \(field.question)", required: field.required))
        return []
    }

    /// Asks when the plan is to run ("leaver on Friday 17:00"); Enter alone: as soon as it may.
    static func askTime(_ state: inout AppState, _ ask: PlanAsk, title: String) -> [Effect] {
        state.modal = .prompt(PromptState(purpose: .planTime(ask), title: "\(title): when? Enter for as soon as approved, or 2026-12-04 17:00, or 3d", required: false))
        return []
    }

    static func timeGiven(_ state: inout AppState, _ ask: PlanAsk, _ text: String, prompt: PromptState) -> [Effect] {
        let runAt: Date?
        do {
            runAt = try PlanTime.parse(text, now: state.now, zone: state.zone)
        } catch {
            var prompt = prompt
            prompt.error = (error as? Refusal)?.message ?? "\(error)"
            state.modal = .prompt(prompt)
            return []
        }
        state.say("Reading the requester's account for the plan…", about: ask.requestID)
        return [.previewPlan(PlanAsk(requestID: ask.requestID, source: ask.source, runAt: runAt, fields: ask.fields))]
    }

    /// `2026-12-04 17:00` in the operator's time zone.
    static func local(_ date: Date, _ zone: DisplayZone) -> String {
        LocalTime(date, in: zone).dateClock
    }

    static func startCancel(_ state: inout AppState) -> [Effect] {
        guard let request = activeRequest(&state) else { return [] }
        guard let plan = state.detail.plans.last(where: { !$0.state.isFinal }) else {
            state.say("\(request.id) has no plan waiting to start.", .error, about: request.id)
            return []
        }
        guard plan.state != .running else {
            state.say("\(plan.id) is running; it runs to its end or stops at a failed step — undo it afterwards (Z).", .error, about: request.id)
            return []
        }
        state.modal = .prompt(PromptState(purpose: .cancelPlan(plan.id), title: "Cancel \(plan.id) (\(plan.title)): why?", required: true))
        return []
    }

    static func startUndo(_ state: inout AppState) -> [Effect] {
        guard let request = activeRequest(&state) else { return [] }
        guard let plan = state.detail.plans.last(where: { $0.state == .finished || $0.state == .stopped }) else {
            state.say("\(request.id) has no finished or stopped plan to undo.", .error, about: request.id)
            return []
        }
        state.say("Working out what undoing \(plan.id) takes…", about: request.id)
        return [.previewPlan(PlanAsk(requestID: request.id, source: .undo(plan.id)))]
    }

    private static func activeRequest(_ state: inout AppState) -> Request? {
        guard state.user.canAct, let request = state.selectedRequest else { return nil }
        guard request.status.isActive else {
            state.say("\(request.id) is \(request.status.rawValue); reopen it before acting on it.", .error, about: request.id)
            return nil
        }
        return request
    }
}
