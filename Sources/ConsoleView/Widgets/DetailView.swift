import ConsoleViewModel
import Foundation
import HelpdeskCore

/// The selected request: a title row, the requester's Okta card, the timeline, and the side panel.
enum DetailView {
    static func draw(_ screen: inout ScreenBuffer, _ state: AppState, layout: ConsoleLayout) {
        let titleY = layout.detailTop - 1
        screen.fill(x: 0, y: titleY, width: state.columns, height: 1, style: .dim)
        guard let request = state.selectedRequest else {
            screen.put("─ no request selected ", x: 0, y: titleY, style: .dim)
            return
        }
        let title = "─ \(request.id) · \(TerminalText.sanitize(request.subject)) · \(request.priority.rawValue) · \(request.status.rawValue)"
            + (request.assignee.map { " · \($0)" } ?? "") + " "
        screen.put(TerminalText.truncate(title, to: state.columns), x: 0, y: titleY, style: .title)

        let panelWidth = layout.panelWidth
        let leftWidth = state.columns - panelWidth - 1
        let top = layout.detailTop
        let height = layout.detailRows
        for row in top..<(top + height) { screen.put("│", x: leftWidth, y: row, style: .dim) }
        let cardLines = RequesterCardView.lines(state, width: leftWidth)
        for (offset, line) in cardLines.prefix(max(0, height - 2)).enumerated() {
            put(&screen, line, x: 0, y: top + offset, width: leftWidth)
        }
        let timelineTop = top + min(cardLines.count, max(0, height - 2))
        TimelineView.draw(&screen, state, x: 0, y: timelineTop, width: leftWidth, height: top + height - timelineTop)
        SidePanel.draw(&screen, state, x: leftWidth + 1, y: top, width: panelWidth, height: height)
    }

    /// A line made of styled pieces.
    static func put(_ screen: inout ScreenBuffer, _ pieces: [(String, Style)], x: Int, y: Int, width: Int) {
        var used = 0
        for (text, style) in pieces {
            guard used < width else { break }
            let remaining = width - used
            let clean = TerminalText.sanitize(text)
            let piece = TextWidth.of(clean) > remaining ? TerminalText.truncate(clean, to: remaining) : clean
            used += screen.put(piece, x: x + used, y: y, width: remaining, style: style)
        }
    }
}

/// The requester's Okta account: name, status, title, department, manager, groups, apps, factors, last sign-in.
enum RequesterCardView {
    static func lines(_ state: AppState, width: Int) -> [[(String, Style)]] {
        switch state.card {
        case .none:
            return []
        case .loading(let email):
            return [[(ConsoleTime.spinner[state.spinnerFrame % ConsoleTime.spinner.count] + " ", .accent), ("Loading \(email) from Okta…", .dim)]]
        case .failed(_, let message):
            return [[("✗ ", .error), (message, .error)]]
        case .loaded(_, let card):
            return loaded(card, state: state)
        }
    }

    static func loaded(_ card: RequesterCard, state: AppState) -> [[(String, Style)]] {
        let user = card.user
        var role = [user.title, user.department].compactMap { $0 }.joined(separator: " · ")
        if let manager = card.manager { role += (role.isEmpty ? "" : " · ") + "manager \(manager.displayName)" }
        if card.managerProblem != nil { role += (role.isEmpty ? "" : " · ") + "manager could not be read" }
        if !user.isOktaSourced { role += (role.isEmpty ? "" : " · ") + "from \(user.credentialProvider)" }
        let groups = card.groups.map(\.name).joined(separator: ", ")
        let apps = card.apps.map(\.label).joined(separator: ", ")
        let factors = card.factors.map { factor in factor.detail.map { "\(factor.type) (\($0))" } ?? factor.type }.joined(separator: ", ")
        var lines: [[(String, Style)]] = [
            [(user.displayName, .bold), ("  \(user.login)  ", .plain), (user.status.rawValue, statusStyle(user.status))],
            [(role.isEmpty ? "—" : role, .plain)],
            [("Groups  ", .dim), (groups.isEmpty ? "none" : groups, .plain)],
            [("Apps    ", .dim), (apps.isEmpty ? "none" : apps, .plain)],
            [("MFA     ", .dim), (factors.isEmpty ? "no factors enrolled" : factors, factors.isEmpty ? .warning : .plain)],
        ]
        if let last = card.signIns.first {
            let device = last.browser.map { browser in last.os.map { "\(browser) on \($0)" } ?? browser }
            let place = [last.place, device].compactMap { $0 }.joined(separator: ", ")
            lines.append([("Sign-in ", .dim), ("\(Age.short(from: last.at, to: state.now)) ago ", .plain),
                          (last.result, last.result == "SUCCESS" ? .success : .error), (place.isEmpty ? "" : " · \(place)", .plain)])
        } else {
            lines.append([("Sign-in ", .dim), (user.lastLogin.map { "\(Age.short(from: $0, to: state.now)) ago" } ?? "never", .plain)])
        }
        return lines
    }

    static func statusStyle(_ status: UserStatus) -> Style {
        switch status {
        case .active: .success
        case .lockedOut, .suspended, .deprovisioned: .error
        default: .warning
        }
    }
}

/// The timeline: newest at the bottom; with the detail focused, ↑/↓ scroll back.
enum TimelineView {
    static func draw(_ screen: inout ScreenBuffer, _ state: AppState, x: Int, y: Int, width: Int, height: Int) {
        guard height > 0 else { return }
        let focused = state.focus == .detail
        screen.put(focused ? "Timeline (↑↓ scroll, Esc back)" : "Timeline", x: x, y: y, width: width, style: focused ? .title : .dim)
        let textWidth = max(10, width - 21)
        let body = state.selectedRequest.map { TerminalText.sanitize($0.body) } ?? ""
        var events: [[[(String, Style)]]] = state.detail.timeline.map { event in
            var lines = entry(event.payload.sentence, limit: 3, width: textWidth, style: style(event.kind)).enumerated().map { index, line in
                [(index == 0 ? ConsoleTime.short(event.at, state.timeZone) + " " : String(repeating: " ", count: 12), Style.dim),
                 (index == 0 ? TerminalText.fit(event.actor, to: 8) + " " : String(repeating: " ", count: 9), Style.accent)] + [line]
            }
            if event.kind == .created, !body.isEmpty {
                lines += entry(body, limit: 4, width: textWidth, style: .plain).map { [(String(repeating: " ", count: 21), Style.plain), $0] }
            }
            return lines
        }
        for run in state.detail.runs where state.detail.unknownRuns.contains(run.id) && !state.inFlight.contains(InFlight(requestID: run.requestID, action: run.action.name)) {
            events.append([[("? ", .warning), ("\(run.id) \(run.action.summary): outcome unknown — reconcile reads Okta's state (helpdesk reconcile \(run.requestID))", .warning)]])
        }
        // Whole events from the newest (less those scrolled back) upwards, as many as fit.
        let rows = height - 1
        var shown: [[(String, Style)]] = []
        for event in events.dropLast(min(state.detail.scrollBack, max(0, events.count - 1))).reversed() {
            if shown.count + event.count > rows {
                if shown.isEmpty { shown = Array(event.prefix(rows)) }
                break
            }
            shown = event + shown
        }
        for (offset, line) in shown.enumerated() {
            DetailView.put(&screen, line, x: x, y: y + 1 + offset, width: width)
        }
    }

    /// Text wrapped to `width`, at most `limit` lines, the last ending in "…" when cut.
    static func entry(_ text: String, limit: Int, width: Int, style: Style) -> [(String, Style)] {
        let wrapped = TerminalText.wrap(TerminalText.sanitize(text), width: width)
        return wrapped.prefix(limit).enumerated().map { index, part in
            (index == limit - 1 && wrapped.count > limit ? TerminalText.truncate(part + " …", to: width) : part, style)
        }
    }

    static func style(_ kind: EventKind) -> Style {
        switch kind {
        case .actionSucceeded, .approvalGranted, .accessRevoked: .success
        case .actionFailed, .approvalDenied, .alert: .error
        case .approvalRequested, .approvalExpired, .approvalSuperseded, .actionReconciled: .warning
        default: .plain
        }
    }
}
