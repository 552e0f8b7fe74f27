import ConsoleViewModel
import Foundation
import HelpdeskCore

/// The queue: id, priority, requester, subject, status (or its running or scheduled plan), age,
/// assignee, and a marker while an action is in flight for the request.
enum QueueTable {
    struct Columns {
        let id: Int
        let requester: Int
        let subject: Int
        let fullEmail: Bool

        /// `rows` widen the id column when their numbers are long (REQ-1000000).
        init(width: Int, rows: [Request]) {
            let largest = rows.lazy.map(\.id.number).max() ?? 0
            id = max(8, RequestID(largest).description.count + 1)
            fullEmail = width >= 110
            requester = fullEmail ? 28 : 14
            subject = max(10, width - 2 - id - 7 - requester - 10 - 5 - 9)
        }
    }

    static func draw(_ screen: inout ScreenBuffer, _ state: AppState, top: Int, height: Int) {
        let columns = Columns(width: state.columns, rows: state.queue.rows)
        header(&screen, columns, y: top, width: state.columns)
        let visible = height - 1
        let window = state.queue
        if window.rows.isEmpty {
            // A tab whose first page is on its way, or could not be read, is not an empty tab.
            let text = window.awaitingFirstPage ? (state.isLoadingQueue ? "Loading…" : "This tab could not be read; the reason is below.")
                : state.filter.text.isEmpty ? "Nothing here." : "No request matches the filter."
            screen.put(text, x: 2, y: top + 1, style: .dim)
            return
        }
        for line in 0..<visible {
            let index = window.scroll + line
            guard window.rows.indices.contains(index) else { break }
            let request = window.rows[index]
            let selected = index == window.selected
            row(&screen, request, state: state, columns: columns, y: top + 1 + line, selected: selected, focused: state.focus == .queue)
        }
        if window.moreBelow || window.scroll + visible < window.rows.count {
            screen.put("▼", x: state.columns - 1, y: top + visible, style: .dim)
        }
        if window.moreAbove || window.scroll > 0 {
            screen.put("▲", x: state.columns - 1, y: top + 1, style: .dim)
        }
    }

    static func header(_ screen: inout ScreenBuffer, _ columns: Columns, y: Int, width: Int) {
        let text = "  " + TerminalText.fit("ID", to: columns.id) + TerminalText.fit("PRIO", to: 7) + TerminalText.fit("REQUESTER", to: columns.requester)
            + TerminalText.fit("SUBJECT", to: columns.subject) + TerminalText.fit("STATUS", to: 10) + TerminalText.fit("AGE", to: 5) + "ASSIGNEE"
        screen.put(text, x: 0, y: y, width: width, style: .dim)
    }

    static func row(_ screen: inout ScreenBuffer, _ request: Request, state: AppState, columns: Columns, y: Int, selected: Bool, focused: Bool) {
        let inFlight = state.inFlight.contains { $0.requestID == request.id }
        var x = 0
        let base: Style = selected ? (focused ? .selected : Style(bold: true, underline: true)) : .plain
        screen.fill(x: 0, y: y, width: state.columns, height: 1, style: base)
        x += screen.put(inFlight ? ConsoleTime.spinner[state.spinnerFrame % ConsoleTime.spinner.count] + " " : "  ", x: x, y: y, style: merge(base, .warning))
        x += screen.put(TerminalText.fit(request.id.description, to: columns.id), x: x, y: y, style: base)
        x += screen.put(TerminalText.fit(request.priority.rawValue, to: 7), x: x, y: y, style: merge(base, priorityStyle(request.priority)))
        let requester = columns.fullEmail ? request.requester.value : request.requester.localPart
        x += screen.put(TerminalText.fit(requester, to: columns.requester - 1) + " ", x: x, y: y, style: base)
        x += screen.put(TerminalText.fit(TerminalText.sanitize(request.subject), to: columns.subject - 1) + " ", x: x, y: y, style: base)
        if let plan = state.queue.plans[request.id], plan.state != .awaitingApproval {
            x += screen.put(TerminalText.fit(plan.label, to: 10), x: x, y: y, style: merge(base, .accent))
        } else {
            x += screen.put(TerminalText.fit(request.status.shortLabel, to: 10), x: x, y: y, style: merge(base, statusStyle(request.status)))
        }
        x += screen.put(TerminalText.fit(Age.short(from: request.createdAt, to: state.now), to: 5), x: x, y: y, style: base)
        screen.put(request.assignee ?? "-", x: x, y: y, width: state.columns - x - 1, style: base, markingCut: true)
    }

    static func merge(_ base: Style, _ accent: Style) -> Style {
        var style = base
        if !base.reverse { style.foreground = accent.foreground ?? base.foreground }
        style.bold = base.bold || accent.bold
        return style
    }

    static func priorityStyle(_ priority: Priority) -> Style {
        switch priority {
        case .urgent: .urgent
        case .high: .warning
        case .normal: .plain
        case .low: .dim
        }
    }

    static func statusStyle(_ status: RequestStatus) -> Style {
        switch status {
        case .new: .accent
        case .awaitingApproval: .warning
        case .resolved, .closed: .dim
        case .open: .plain
        }
    }
}
