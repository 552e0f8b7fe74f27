import Foundation
import HelpdeskCore

extension Console {
    static func handleModalKey(_ state: inout AppState, _ key: Key) -> [Effect] {
        guard let modal = state.modal else { return [] }
        if key == .escape, case .duration(let duration) = modal, duration.custom != nil {
            var back = duration
            back.custom = nil
            back.error = nil
            state.modal = .duration(back)
            return []
        }
        if key == .escape {
            state.modal = nil
            return []
        }
        switch modal {
        case .picker(let picker): return pickerKey(&state, picker, key)
        case .duration(let duration): return durationKey(&state, duration, key)
        case .confirm(var confirm):
            if key == .enter { return submit(&state, confirm) }
            if confirm.reason.handle(key) {
                confirm.error = nil
                state.modal = .confirm(confirm)
            }
            return []
        case .prompt(let prompt): return promptKey(&state, prompt, key)
        case .newRequest(let form): return newRequestKey(&state, form, key)
        case .help(let scroll):
            switch key {
            case .up, .char("k"): state.modal = .help(scroll: max(0, scroll - 1))
            case .down, .char("j"): state.modal = .help(scroll: scroll + 1)
            case .char("?"), .char("q"), .enter: state.modal = nil
            default: break
            }
            return []
        case .quitConfirm:
            switch key {
            case .char("y"), .char("Y"):
                state.modal = nil
                state.quitting = true
                return [.quit]
            case .char("n"), .char("N"), .enter:
                state.modal = nil
            default: break
            }
            return []
        case .oneTimeLink:
            if key == .enter { state.modal = nil }
            return []
        }
    }

    static func pickerKey(_ state: inout AppState, _ picker: PickerState, _ key: Key) -> [Effect] {
        var picker = picker
        let items = picker.visibleItems
        switch key {
        case .up:
            picker.selected = max(0, picker.selected - 1)
        case .down:
            picker.selected = min(max(0, items.count - 1), picker.selected + 1)
        case .enter:
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

    static func durationKey(_ state: inout AppState, _ duration: DurationState, _ key: Key) -> [Effect] {
        var duration = duration
        if var custom = duration.custom {
            if key == .enter {
                do {
                    return chose(&state, try AccessDuration(parsing: custom.trimmed), for: duration)
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
        switch key {
        case .up: duration.selected = max(0, duration.selected - 1)
        case .down: duration.selected = min(DurationState.choices.count - 1, duration.selected + 1)
        case .enter:
            switch duration.selected {
            case 0: return chose(&state, nil, for: duration)
            case DurationState.choices.count - 1: duration.custom = TextField(limit: 8)
            default: return chose(&state, AccessDuration.presets[duration.selected - 1], for: duration)
            }
        default: break
        }
        state.modal = .duration(duration)
        return []
    }

    static func promptKey(_ state: inout AppState, _ prompt: PromptState, _ key: Key) -> [Effect] {
        var prompt = prompt
        guard key == .enter else {
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
        }
    }

    static func newRequestKey(_ state: inout AppState, _ form: NewRequestForm, _ key: Key) -> [Effect] {
        var form = form
        if key == .tab {
            let all = Priority.allCases
            form.priority = all[(all.firstIndex(of: form.priority)! + 1) % all.count]
            state.modal = .newRequest(form)
            return []
        }
        switch (form.step, key) {
        case (.email, .enter):
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
        case (.subject, .enter):
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
