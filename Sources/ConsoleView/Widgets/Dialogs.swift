import ConsoleViewModel
import HelpdeskCore

/// The dialogs over the console: pickers, durations, confirmations, prompts, the new-request
/// form, help, the quit question and the one-time link.
enum Dialogs {
    static func draw(_ screen: inout ScreenBuffer, _ state: AppState, _ modal: Modal) {
        switch modal {
        case .picker(let picker): self.picker(&screen, state, picker)
        case .duration(let duration): self.duration(&screen, state, duration)
        case .confirm(let confirm): self.confirm(&screen, state, confirm)
        case .prompt(let prompt): self.prompt(&screen, state, prompt)
        case .newRequest(let form): newRequest(&screen, state, form)
        case .help(let scroll): HelpScreen.draw(&screen, state, scroll: scroll)
        case .question(let question):
            box(&screen, state, title: question.title, lines: question.lines.map { ($0, .plain) } + [("", .plain), keys(state)])
        case .oneTimeLink(let link):
            box(&screen, state, title: "One-time reset link", lines: [
                ("Give this link to the user now. It is shown once and not stored:", .plain),
                ("", .plain), (link, .bold), ("", .plain), keys(state),
            ])
        }
    }

    /// The dialog's keys, from the same table as the footer: "Enter send · Esc cancel".
    static func keys(_ state: AppState) -> (String, Style) {
        (KeyMap.footer(for: state).filter { $0.key != "type" }.map { "\($0.key) \($0.label)" }.joined(separator: " · "), .dim)
    }

    /// A framed box centred on the screen with wrapped lines; returns its inner frame.
    @discardableResult
    static func box(_ screen: inout ScreenBuffer, _ state: AppState, title: String, lines: [(String, Style)], minHeight: Int = 0) -> (x: Int, y: Int, width: Int) {
        let width = min(state.columns - 4, 72)
        let inner = width - 4
        var wrapped: [(String, Style)] = []
        for (text, style) in lines {
            let clean = TerminalText.sanitize(text)
            // A line that fits keeps its leading spaces (a picker's indent); longer ones wrap.
            let parts = TextWidth.of(clean) <= inner ? [clean] : TerminalText.wrap(clean, width: inner)
            wrapped += parts.map { ($0, style) }
        }
        let height = min(state.rows - 2, max(minHeight, wrapped.count) + 2)
        let x = (state.columns - width) / 2
        let y = max(1, (state.rows - height) / 2)
        screen.fill(x: x, y: y, width: width, height: height)
        screen.put("┌" + String(repeating: "─", count: width - 2) + "┐", x: x, y: y, style: .accent)
        screen.put(" \(title) ", x: x + 2, y: y, width: width - 4, style: .title)
        for row in 1..<(height - 1) {
            screen.put("│", x: x, y: y + row, style: .accent)
            screen.put("│", x: x + width - 1, y: y + row, style: .accent)
        }
        screen.put("└" + String(repeating: "─", count: width - 2) + "┘", x: x, y: y + height - 1, style: .accent)
        for (offset, line) in wrapped.prefix(height - 2).enumerated() {
            screen.put(line.0, x: x + 2, y: y + 1 + offset, width: inner, style: line.1)
        }
        return (x + 2, y + 1, inner)
    }

    static func picker(_ screen: inout ScreenBuffer, _ state: AppState, _ picker: PickerState) {
        let noun = switch picker.kind {
        case .group: "group"
        case .app: "app"
        case .factor: "factor"
        case .agent: "agent"
        case .playbook: "playbook"
        }
        let title = picker.title
        var lines: [(String, Style)] = [("Search: " + picker.query.text + "▏", .bold)]
        let items = picker.visibleItems
        if picker.loading && items.isEmpty {
            lines.append((ConsoleTime.spinner[state.spinnerFrame % ConsoleTime.spinner.count] + " searching Okta…", .dim))
        } else if items.isEmpty {
            lines.append((picker.localOnly ? (picker.query.text.isEmpty ? "Nothing to choose." : "No \(noun) matches that.") : "No \(noun) starts with that.", .dim))
        }
        let shown = 8
        let start = max(0, min(picker.selected - shown + 1, items.count - shown))
        for (index, item) in items.enumerated().dropFirst(start).prefix(shown) {
            let marker = index == picker.selected ? "▶ " : "  "
            var text = marker + item.label + (item.detail.isEmpty ? "" : "  (\(item.detail))")
            if let reason = item.disabledReason { text += " — \(reason)" }
            let style: Style = item.disabledReason != nil ? .dim : (index == picker.selected ? .selected : .plain)
            lines.append((text, style))
        }
        box(&screen, state, title: title, lines: lines, minHeight: 10)
    }

    static func duration(_ screen: inout ScreenBuffer, _ state: AppState, _ duration: DurationState) {
        var lines: [(String, Style)] = [(duration.action.summary.replacingOccurrences(of: " (permanent)", with: ""), .bold), ("For how long?", .plain)]
        for (index, choice) in DurationState.choices.enumerated() {
            lines.append(((index == duration.selected ? "▶ " : "  ") + choice, index == duration.selected ? .selected : .plain))
        }
        if let custom = duration.custom {
            lines.append(("Custom (e.g. 90m, 36h, 10d): " + custom.text + "▏", .bold))
        }
        if let error = duration.error { lines.append((error, .error)) }
        lines.append(("", .plain))
        lines.append(keys(state))
        box(&screen, state, title: "Temporary access", lines: lines)
    }

    static func confirm(_ screen: inout ScreenBuffer, _ state: AppState, _ confirm: ConfirmState) {
        var lines: [(String, Style)] = confirm.lines.map { ($0, .bold) }
        let asks = switch confirm.plan {
        case .ask, .startPlan: true
        case .approve: false
        }
        if asks, let approval = ActionPlan.approvalLine(confirm.approvers) {
            let style: Style = switch confirm.approvers {
            case .known(let logins) where logins.isEmpty: .error
            case .unknown: .warning
            default: .plain
            }
            lines.append((approval, style))
        }
        lines.append(("", .plain))
        switch confirm.stage {
        case .reason:
            let label = !confirm.reasonRequired ? "Comment (optional): "
                : confirm.approvers == .notNeeded ? "Reason (on the timeline): " : "Reason (on the timeline and for the approver): "
            lines.append((label + confirm.reason.text + "▏", .plain))
        case .typeLogin(let expected):
            lines.append(("Reason: " + confirm.reason.text, .dim))
            lines.append(("This cannot be undone. Type \(expected) to confirm: " + confirm.typed.text + "▏", .warning))
        }
        if let error = confirm.error { lines.append((error, .error)) }
        lines.append(("", .plain))
        lines.append(keys(state))
        let title: String = switch confirm.plan {
        case .ask(let action): "\(action.name.title) · \(confirm.requestID)"
        case .approve(let approval): "Approve \(approval.id) · \(confirm.requestID)"
        case .startPlan(_, let preview): "\(preview.title) · \(confirm.requestID)"
        }
        box(&screen, state, title: title, lines: lines)
    }

    static func prompt(_ screen: inout ScreenBuffer, _ state: AppState, _ prompt: PromptState) {
        var lines: [(String, Style)] = [(prompt.title, .bold), ("", .plain), (prompt.field.text + "▏", .plain)]
        if let error = prompt.error { lines.append((error, .error)) }
        lines.append(("", .plain))
        lines.append(keys(state))
        box(&screen, state, title: "Text", lines: lines)
    }

    static func newRequest(_ screen: inout ScreenBuffer, _ state: AppState, _ form: NewRequestForm) {
        let check: (String, Style) = switch form.check {
        case .unchecked: ("Enter checks the email against Okta", .dim)
        case .checking: (ConsoleTime.spinner[state.spinnerFrame % ConsoleTime.spinner.count] + " checking Okta…", .dim)
        case .found(let name): ("✓ " + name + " — Enter to continue", .success)
        case .notFound: ("✗ Okta has no user with this email — Enter to record the request anyway", .warning)
        case .failed(let message): ("✗ " + message, .error)
        }
        var lines: [(String, Style)] = [
            ("Requester email: " + form.email.text + (form.step == .email ? "▏" : ""), form.step == .email ? .bold : .plain), check,
            ("Subject: " + form.subject.text + (form.step == .subject ? "▏" : ""), form.step == .subject ? .bold : .plain),
            ("Priority: \(form.priority.rawValue)", .plain),
        ]
        if let error = form.error { lines.append((error, .error)) }
        lines.append(("", .plain))
        lines.append(keys(state))
        box(&screen, state, title: "New request", lines: lines)
    }
}

/// `?`: every key, from the same table as the footer and the dispatch.
enum HelpScreen {
    static func draw(_ screen: inout ScreenBuffer, _ state: AppState, scroll: Int) {
        let all = HelpText.lines(for: state)
        let start = min(scroll, HelpText.maxScroll(state))
        Dialogs.box(&screen, state, title: "Help — every key", lines: all.dropFirst(start).map { ($0.text, Style($0.tone)) }, minHeight: HelpText.room(state))
    }
}
