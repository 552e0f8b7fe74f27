import HelpdeskCore
import ConsoleViewModel

/// The keys that apply now, from the same table as the help.
enum Footer {
    /// Queue entries that stay when the row is too narrow for all; the rest are dropped from the
    /// end. In dialogs every entry stays.
    static let kept: Set<String> = ["help", "quit", "approve", "deny", "Okta"]

    static func draw(_ screen: inout ScreenBuffer, _ state: AppState, y: Int) {
        let entries = KeyMap.footer(for: state)
        let inDialog = state.keyContext != .queue
        func isKept(_ entry: (key: String, label: String)) -> Bool { inDialog || kept.contains(entry.label) }
        func width(_ entry: (key: String, label: String)) -> Int { TextWidth.of(entry.key) + 1 + TextWidth.of(entry.label) + 2 }
        var room = state.columns - 1 - entries.filter(isKept).reduce(0) { $0 + width($1) }
        var shown: [(key: String, label: String)] = []
        for entry in entries {
            if isKept(entry) {
                shown.append(entry)
            } else if width(entry) <= room {
                shown.append(entry)
                room -= width(entry)
            }
        }
        var x = 1
        for entry in shown {
            x += screen.put(entry.key, x: x, y: y, style: .key)
            x += screen.put(" " + entry.label + "  ", x: x, y: y, style: .plain)
        }
    }
}

/// Who is at the keyboard, which Okta org and whether it answers, and the latest message.
enum StatusBar {
    static func draw(_ screen: inout ScreenBuffer, _ state: AppState, y: Int) {
        screen.fill(x: 0, y: y, width: state.columns, height: 1, style: Style(reverse: true))
        var x = 0
        if state.isDemo { x += screen.put(" DEMO ", x: x, y: y, style: Style(foreground: .yellow, bold: true, reverse: true)) }
        let org = state.isDemo ? state.orgName.replacingOccurrences(of: " (simulated)", with: "") : state.orgName
        x += screen.put(" \(state.user.login) (\(Console.rolesText(state.user))) │ \(org) ", x: x, y: y, style: Style(reverse: true))
        let health: (String, Style) = switch state.oktaHealthy {
        case true?: ("●", Style(foreground: .green, reverse: true))
        case false?: ("✗", Style(foreground: .red, bold: true, reverse: true))
        case nil: ("○", Style(reverse: true))
        }
        x += screen.put(health.0, x: x, y: y, style: health.1)
        x += screen.put(" │ ", x: x, y: y, style: Style(reverse: true))
        if let problem = state.serviceProblem {
            let text = "Reconnecting to the helpdesk service… (\(problem))"
            screen.put(text, x: x, y: y, width: state.columns - x, style: Style(foreground: .red, bold: true, reverse: true), markingCut: true)
            return
        }
        guard let status = state.status else { return }
        let style: Style = switch status.kind {
        case .info: Style(reverse: true)
        case .success: Style(foreground: .green, bold: true, reverse: true)
        case .error: Style(foreground: .red, bold: true, reverse: true)
        }
        // Most messages fit the bar: written as they always were, cleaned as far as they show.
        if status.text.utf8.count <= state.columns - x {
            screen.put(status.text, x: x, y: y, width: state.columns - x, style: style, markingCut: true)
            return
        }
        // A message comes from the service, which may say anything at any length: only as much
        // as the band above the keys can show is cleaned and measured, each frame.
        let lines = MessageLines.wrapped(status.text, width: state.columns - 2, lines: bandLines)
        if lines.count == 1, TextWidth.of(lines[0]) <= state.columns - x {
            screen.put(lines[0], x: x, y: y, style: style)
            return
        }
        // Too long for the bar: the whole message above the keys, until the next key.
        let top = max(1, y - 1 - lines.count)
        for (offset, line) in lines.enumerated() where top + offset < y - 1 {
            screen.fill(x: 0, y: top + offset, width: state.columns, height: 1, style: style)
            screen.put(line, x: 1, y: top + offset, style: style)
        }
    }

    /// Lines of a message shown above the keys: at most four, the last cut with "…".
    static let bandLines = 4
}
