import ConsoleViewModel
import HelpdeskCore

/// The right of the detail: the Okta actions for the requester, each with its key, marked when it
/// needs approval and dimmed with the reason when it does not apply; on the approvals tab, the
/// approval this operator may decide.
enum SidePanel {
    static func draw(_ screen: inout ScreenBuffer, _ state: AppState, x: Int, y: Int, width: Int, height: Int) {
        if let approval = state.detail.decidable(by: state.user.login).first, state.tab == .approvals || !state.user.canAct {
            approvalPanel(&screen, approval, state: state, x: x + 1, y: y, width: width - 1, height: height)
        } else if state.user.canAct {
            actions(&screen, state, x: x + 1, y: y, width: width - 1, height: height)
        } else {
            let text = "Nothing for you to decide here. Requests waiting for your approval are on tab 3."
            for (offset, line) in TerminalText.wrap(text, width: width - 1).prefix(max(0, height)).enumerated() {
                screen.put(line, x: x + 1, y: y + offset, style: .dim)
            }
        }
    }

    /// One row of the panel.
    struct Entry {
        let key: Character
        let title: String
        let tag: String
        let style: Style
        let tagStyle: Style
        let available: Bool
    }

    static func entries(_ state: AppState) -> [Entry] {
        let card = state.card.card
        let canAct = state.selectedRequest?.status.isActive == true
        return KeyMap.panelActions.map { key, name in
            let action = Console.resolved(name, card)
            let title = KeyMap.panelTitle(action)
            let inFlight = state.selectedRequest.map { state.inFlight.contains(InFlight(requestID: $0.id, action: action)) } ?? false
            if inFlight { return Entry(key: key, title: title, tag: "running…", style: .warning, tagStyle: .warning, available: true) }
            if let unavailable = card?.unavailability(action) {
                return Entry(key: key, title: title, tag: unavailable.short, style: .dim, tagStyle: .dim, available: false)
            }
            let tag = state.policy.needsApproval(action) ? "approval" : ""
            let usable = card != nil && canAct
            return Entry(key: key, title: title, tag: tag, style: usable ? .plain : .dim, tagStyle: .accent, available: usable)
        }
    }

    /// The actions with their keys; when they do not all fit, the ones that apply come first.
    static func actions(_ screen: inout ScreenBuffer, _ state: AppState, x: Int, y: Int, width: Int, height: Int) {
        screen.put("Okta actions", x: x, y: y, width: width, style: .title)
        var shown = entries(state)
        let rows = max(0, height - 1)
        if shown.count > rows { shown = shown.filter(\.available) + shown.filter { !$0.available } }
        for (offset, entry) in shown.prefix(rows).enumerated() {
            let row = y + 1 + offset
            let tagWidth = min(TextWidth.of(entry.tag), max(0, width - 14))
            screen.put(String(entry.key), x: x, y: row, style: entry.style == .plain ? .key : entry.style)
            screen.put(entry.title, x: x + 2, y: row, width: width - 3 - tagWidth, style: entry.style, markingCut: true)
            screen.put(entry.tag, x: x + width - tagWidth, y: row, width: tagWidth, style: entry.tagStyle, markingCut: true)
        }
    }

    static func approvalPanel(_ screen: inout ScreenBuffer, _ approval: Approval, state: AppState, x: Int, y: Int, width: Int, height: Int) {
        var lines: [(String, Style)] = [("Approval \(approval.id)", .title)]
        lines += TerminalText.wrap(TerminalText.sanitize(approval.subject.summary), width: width).map { ($0, .bold) }
        for (index, step) in (approval.subject.plan?.steps ?? []).enumerated() {
            lines += TerminalText.wrap("\(index + 1). " + TerminalText.sanitize(step.action.summary), width: width).map { ($0, .plain) }
        }
        lines.append(("asked by \(approval.requestedBy):", .dim))
        lines += TerminalText.wrap("“" + TerminalText.sanitize(approval.reason) + "”", width: width).map { ($0, .plain) }
        lines.append(("expires \(LocalTime(approval.expiresAt, in: state.zone).monthDayClock)", .dim))
        let rows = lines.prefix(max(0, height - 1))
        for (offset, line) in rows.enumerated() {
            screen.put(line.0, x: x, y: y + offset, width: width, style: line.1)
        }
        let keys = y + min(lines.count, max(0, height - 1))
        var column = x
        column += screen.put("a", x: column, y: keys, style: .key)
        column += screen.put(" approve  ", x: column, y: keys)
        column += screen.put("d", x: column, y: keys, style: .key)
        screen.put(" deny", x: column, y: keys)
    }
}
