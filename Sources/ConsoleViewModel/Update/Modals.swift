import Foundation
import HelpdeskCore

extension Console {
    static func handleModalKey(_ state: inout AppState, _ key: Key, _ command: Command?) -> [Effect] {
        guard let modal = state.modal else { return [] }
        switch modal {
        case .picker(let picker): return pickerKey(&state, picker, key, command)
        case .duration(let duration): return durationKey(&state, duration, key, command)
        case .confirm(let confirm): return confirmKey(&state, confirm, key, command)
        case .prompt(let prompt): return promptKey(&state, prompt, key, command)
        case .newRequest(let form): return newRequestKey(&state, form, key, command)
        case .help(let scroll):
            switch command {
            case .previous?: state.modal = .help(scroll: max(0, scroll - 1))
            case .next?: state.modal = .help(scroll: min(scroll + 1, HelpText.maxScroll(state)))
            case .pageUp?: state.modal = .help(scroll: max(0, scroll - HelpText.room(state)))
            case .pageDown?: state.modal = .help(scroll: min(scroll + HelpText.room(state), HelpText.maxScroll(state)))
            case .top?: state.modal = .help(scroll: 0)
            case .bottom?: state.modal = .help(scroll: HelpText.maxScroll(state))
            case .close?: state.modal = nil
            default: break
            }
            return []
        case .question(let question):
            switch command {
            case .yes?:
                state.modal = nil
                return answeredYes(&state, question)
            case .no?:
                state.modal = nil
            default: break
            }
            return []
        case .oneTimeLink:
            if command == .close { state.modal = nil }
            return []
        }
    }

    static func answeredYes(_ state: inout AppState, _ question: Question) -> [Effect] {
        switch question.purpose {
        case .quit:
            state.quitting = true
            return [.quit]
        case .reassign(let id, _, let login, let version):
            return [.assign(id, to: login, version: version)]
        }
    }

    static func confirmKey(_ state: inout AppState, _ confirm: ConfirmState, _ key: Key, _ command: Command?) -> [Effect] {
        var confirm = confirm
        switch command {
        case .cancel?:
            if confirm.stage != .reason {
                confirm.stage = .reason
                confirm.error = nil
                state.modal = .confirm(confirm)
            } else {
                state.modal = nil
            }
            return []
        case .submit?: return submit(&state, confirm)
        default:
            let edited = confirm.stage == .reason ? confirm.reason.handle(key) : confirm.typed.handle(key)
            if edited { confirm.error = nil }
            state.modal = .confirm(confirm)
            return []
        }
    }

    static func pickerKey(_ state: inout AppState, _ picker: PickerState, _ key: Key, _ command: Command?) -> [Effect] {
        var picker = picker
        let items = picker.visibleItems
        switch command {
        case .cancel?:
            state.modal = nil
            return []
        case .previous?:
            picker.selected = max(0, picker.selected - 1)
        case .next?:
            picker.selected = min(max(0, items.count - 1), picker.selected + 1)
        case .top?:
            picker.selected = 0
        case .bottom?:
            picker.selected = max(0, items.count - 1)
        case .select?:
            guard items.indices.contains(picker.selected) else { return [] }
            return picked(&state, picker, items[picker.selected])
        default:
            let before = picker.query.text
            guard picker.query.handle(key), picker.query.text != before else { return [] }
            picker.selected = 0
            state.modal = .picker(picker)
            return searchEffects(&state)
        }
        state.modal = .picker(picker)
        return []
    }

    static func durationKey(_ state: inout AppState, _ duration: DurationState, _ key: Key, _ command: Command?) -> [Effect] {
        var duration = duration
        if var custom = duration.custom {
            if command == .cancel {
                duration.custom = nil
                duration.error = nil
            } else if command == .submit {
                do {
                    return chose(&state, try AccessDuration(typed: custom.trimmed), for: duration)
                } catch {
                    duration.error = error.message
                }
            } else if custom.handle(key) {
                duration.custom = custom
                duration.error = nil
            }
            state.modal = .duration(duration)
            return []
        }
        switch command {
        case .cancel?:
            state.modal = nil
            return []
        case .previous?: duration.selected = max(0, duration.selected - 1)
        case .next?: duration.selected = min(DurationState.choices.count - 1, duration.selected + 1)
        case .top?: duration.selected = 0
        case .bottom?: duration.selected = DurationState.choices.count - 1
        case .select?:
            switch duration.selected {
            case DurationState.permanentIndex: return chose(&state, nil, for: duration)
            case DurationState.customIndex: duration.custom = TextField(limit: 8)
            default: return chose(&state, AccessDuration.presets[duration.selected], for: duration)
            }
        default: break
        }
        state.modal = .duration(duration)
        return []
    }

    static func promptKey(_ state: inout AppState, _ prompt: PromptState, _ key: Key, _ command: Command?) -> [Effect] {
        var prompt = prompt
        if command == .cancel {
            state.modal = nil
            return []
        }
        guard command == .submit else {
            if prompt.field.handle(key) { prompt.error = nil }
            state.modal = .prompt(prompt)
            return []
        }
        let text = prompt.field.trimmed
        if prompt.required && text.isEmpty {
            prompt.error = "This cannot be empty."
            state.modal = .prompt(prompt)
            return []
        }
        state.modal = nil
        switch prompt.purpose {
        case .note(let id): return [.note(id, text)]
        case .resolve(let id, let version): return [.resolve(id, note: text.isEmpty ? nil : text, version: version)]
        case .deny(let approval): return [.deny(approval, reason: text)]
        case .cancelPlan(let id): return [.cancelPlan(id, reason: text)]
        case .newHire(let entry): return PlanFlow.newHireField(&state, entry, text)
        case .planTime(let ask): return PlanFlow.timeGiven(&state, ask, text, prompt: prompt)
        }
    }

    static func newRequestKey(_ state: inout AppState, _ form: NewRequestForm, _ key: Key, _ command: Command?) -> [Effect] {
        var form = form
        if command == .cancel {
            state.modal = nil
            return []
        }
        if command == .cyclePriority {
            let all = Priority.allCases
            form.priority = all[(all.firstIndex(of: form.priority)! + 1) % all.count]
            state.modal = .newRequest(form)
            return []
        }
        switch (form.step, command) {
        case (.email, .submit?):
            do {
                let email = try EmailAddress(form.email.trimmed)
                if case .unchecked = form.check {
                    form.check = .checking
                    state.modal = .newRequest(form)
                    return [.checkRequester(email.value)]
                }
                if case .checking = form.check { return [] }
                form.step = .subject
            } catch {
                form.error = error.message
            }
        case (.subject, .submit?):
            guard !form.subject.trimmed.isEmpty else {
                form.error = "The subject is empty; say in a few words what they need."
                break
            }
            state.modal = nil
            return [.createRequest(requester: form.email.trimmed, subject: form.subject.trimmed, priority: form.priority)]
        case (.email, _):
            if form.email.handle(key) {
                form.check = .unchecked
                form.error = nil
            }
        case (.subject, _):
            if form.subject.handle(key) { form.error = nil }
        }
        state.modal = .newRequest(form)
        return []
    }
}
