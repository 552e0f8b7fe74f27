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
        // The facts first, so a long subject is what gets cut.
        let plan = state.queue.plans[request.id].map { "\($0.sentence) · " } ?? ""
        let title = "─ \(request.id) · \(request.status.rawValue) · \(request.priority.rawValue) · "
            + (request.assignee.map { "\($0) · " } ?? "unassigned · ") + plan + TerminalText.sanitize(request.subject) + " "
        screen.put(title, x: 0, y: titleY, width: state.columns, style: .title, markingCut: true)

        let detail = DetailLayout(state)
        let leftWidth = detail.leftWidth
        let cardLines = RequesterCardView.lines(state, width: leftWidth)
        for (offset, line) in cardLines.prefix(detail.cardRows).enumerated() {
            put(&screen, line, x: 0, y: detail.top + offset, width: leftWidth)
        }
        TimelineView.draw(&screen, state, x: 0, y: detail.timelineTop, width: leftWidth, rows: detail.timelineRows)
        guard detail.panelWidth > 0 else { return }
        for row in detail.top..<(detail.top + detail.height) { screen.put("│", x: leftWidth, y: row, style: .dim) }
        SidePanel.draw(&screen, state, x: leftWidth + 1, y: detail.top, width: detail.panelWidth, height: detail.height)
    }

    /// A line made of styled pieces.
    static func put(_ screen: inout ScreenBuffer, _ pieces: [(String, Style)], x: Int, y: Int, width: Int) {
        var used = 0
        for (text, style) in pieces {
            guard used < width else { break }
            used += screen.put(text, x: x + used, y: y, width: width - used, style: style, markingCut: true)
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
            return RequesterCardLines.failure(message, width: width).enumerated().map { index, line in [(index == 0 ? "✗ " : "  ", .error), (line, .error)] }
        case .loaded(_, let card):
            let lines = loaded(card, state: state, width: width)
            return state.focus == .detail ? Array(lines.prefix(1)) : lines
        }
    }

    static func loaded(_ card: RequesterCard, state: AppState, width: Int) -> [[(String, Style)]] {
        let user = card.user
        var role = [user.title, user.department].compactMap { $0 }.joined(separator: " · ")
        if let manager = card.manager { role += (role.isEmpty ? "" : " · ") + "manager \(manager.displayName)" }
        if card.managerProblem != nil { role += (role.isEmpty ? "" : " · ") + "manager could not be read" }
        if !user.isOktaSourced { role += (role.isEmpty ? "" : " · ") + "from \(user.credentialProvider)" }
        let groups = listed(card.groups.map(\.name), width: width)
        let apps = listed(card.apps.map(\.label), width: width)
        let factors = listed(card.factors.map(\.displayName), width: width)
        // The status first: a long name or login is what gets cut, never the account's state.
        let refreshing = state.cardRefreshing ? " " + ConsoleTime.spinner[state.spinnerFrame % ConsoleTime.spinner.count] : ""
        var lines: [[(String, Style)]] = [
            [(user.status.rawValue, statusStyle(user.status)), (refreshing + "  ", .dim), (user.displayName, .bold), ("  \(user.login)", .plain)],
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

    /// `names` joined with commas as far as a row of `width` columns can show them: once the
    /// joined text, cleaned, holds more characters than the row has columns (each takes one), the
    /// names after it are never joined (a user in thousands of groups would cost every frame all
    /// of them). Checked when the characters joined pass a budget that doubles, as cleaning may
    /// join a name's characters to each other or to the comma beside them.
    static func listed(_ names: [String], width: Int) -> String {
        var text = ""
        var characters = 0
        var budget = width + 2
        for name in names {
            if characters > budget {
                if TerminalText.sanitize(text).count > width + 2 { break }
                budget = characters * 2
            }
            if !text.isEmpty {
                text += ", "
                characters += 2
            }
            text += name
            characters += name.count
        }
        return text
    }

    static func statusStyle(_ status: UserStatus) -> Style {
        switch status {
        case .active: .success
        case .lockedOut, .suspended, .deprovisioned: .error
        default: .warning
        }
    }
}

/// The timeline: newest at the bottom; with the detail focused, whole entries and scrolling that
/// stops at the first and the last line.
enum TimelineView {
    static func draw(_ screen: inout ScreenBuffer, _ state: AppState, x: Int, y: Int, width: Int, rows: Int) {
        let count = TimelineLayout.lineCount(state)
        let back = min(state.detail.scrollBack, max(0, count - rows))
        let end = count - back
        let start = max(0, end - rows)
        let focused = state.focus == .detail
        var header = "Timeline"
        if focused {
            header += count > rows ? " — lines \(start + 1)–\(end) of \(count)" : ""
        } else if count > rows {
            header += " (\(count - rows) more lines above; Enter reads them)"
        }
        screen.put(header, x: x, y: y, width: width, style: focused ? .title : .dim)
        for (offset, line) in TimelineLayout.lines(state, in: start..<end).enumerated() {
            DetailView.put(&screen, line.map { ($0.text, Style($0.tone)) }, x: x, y: y + 1 + offset, width: width)
        }
    }
}
