import ConsoleViewModel
import HelpdeskCore

/// The right of the detail: the Okta actions for the requester, each with its key, marked when it
/// needs approval and dimmed with the reason when it does not apply; on the approvals tab, the
/// approval this operator may decide.
enum SidePanel {
    static func draw(_ screen: inout ScreenBuffer, _ state: AppState, x: Int, y: Int, width: Int, height: Int) {
        if state.tab == .approvals, let approval = state.detail.decidable(by: state.user.login).first {
            approvalPanel(&screen, approval, state: state, x: x + 1, y: y, width: width - 1, height: height)
        } else {
            actions(&screen, state, x: x + 1, y: y, width: width - 1)
        }
    }

    static func actions(_ screen: inout ScreenBuffer, _ state: AppState, x: Int, y: Int, width: Int) {
        screen.put("Okta actions", x: x, y: y, width: width, style: .title)
        let card = state.card.card
        let canAct = state.user.canAct && state.selectedRequest?.status.isActive == true
        for (offset, entry) in KeyMap.panelActions.enumerated() {
            let row = y + 1 + offset
            let binding = KeyMap.bindings.first { $0.command == .act(entry.action) }
            let title = binding?.help ?? entry.action.title
            let inFlight = state.selectedRequest.map { state.inFlight.contains(InFlight(requestID: $0.id, action: entry.action)) } ?? false
            let unavailable = card?.unavailability(entry.action)
            var tag = state.policy.needsApproval(entry.action) ? "approval" : ""
            var style = Style.plain
            if inFlight {
                tag = "running…"
                style = .warning
            } else if let unavailable {
                tag = unavailable.short
                style = .dim
            } else if card == nil || !canAct {
                style = .dim
            }
            let tagWidth = min(TextWidth.of(tag), max(0, width - 14))
            screen.put(String(entry.key), x: x, y: row, style: style == .plain ? .key : style)
            screen.put(TerminalText.truncate(title, to: width - 3 - tagWidth), x: x + 2, y: row, style: style)
            screen.put(TerminalText.truncate(tag, to: tagWidth), x: x + width - tagWidth, y: row, style: inFlight ? .warning : (unavailable == nil ? .accent : .dim))
        }
    }

    static func approvalPanel(_ screen: inout ScreenBuffer, _ approval: Approval, state: AppState, x: Int, y: Int, width: Int, height: Int) {
        var lines: [(String, Style)] = [("Approval \(approval.id)", .title)]
        lines += TerminalText.wrap(TerminalText.sanitize(approval.action.summary), width: width).map { ($0, .bold) }
        lines.append(("asked by \(approval.requestedBy):", .dim))
        lines += TerminalText.wrap("“" + TerminalText.sanitize(approval.reason) + "”", width: width).map { ($0, .plain) }
        lines.append(("expires \(ConsoleTime.short(approval.expiresAt, state.timeZone))", .dim))
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
