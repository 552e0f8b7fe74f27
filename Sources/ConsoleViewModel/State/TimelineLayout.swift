import Foundation
import Synchronization
import HelpdeskCore

/// A piece of a line with its meaning; the view picks the colours.
public struct StyledText: Sendable, Equatable {
    public enum Tone: Sendable, Equatable { case plain, dim, accent, bold, success, warning, error }

    public let text: String
    public let tone: Tone

    public init(_ text: String, _ tone: Tone = .plain) {
        self.text = text
        self.tone = tone
    }
}

/// Where the detail's parts go at this size and focus: the card on top, the timeline below, the
/// panel on the right. `update` scrolls with it and the view draws with it, so they agree.
public struct DetailLayout: Sendable, Equatable {
    public let top: Int
    public let height: Int
    /// The card's and timeline's width (the panel and its border take the rest; 0 when hidden).
    public let leftWidth: Int
    public let panelWidth: Int
    public let cardRows: Int

    public init(_ state: AppState) {
        let layout = ConsoleLayout(columns: state.columns, rows: state.rows)
        top = layout.detailTop
        height = layout.detailRows
        // The focused timeline takes the whole width: the panel's keys do not apply while reading.
        panelWidth = state.focus == .detail ? 0 : layout.panelWidth
        leftWidth = state.focus == .detail ? state.columns : max(0, state.columns - layout.panelWidth - 1)
        let wanted: Int = switch state.card {
        case .none: 0
        case .loading: 1
        case .failed(_, let message): RequesterCardLines.failure(message, width: leftWidth).count
        case .loaded: state.focus == .detail ? 1 : RequesterCardLines.count
        }
        cardRows = min(wanted, max(0, height - 2))
    }

    public var timelineTop: Int { top + cardRows }
    /// Rows for timeline entries, below the timeline's own title row.
    public var timelineRows: Int { max(0, height - cardRows - 1) }
    /// The width of an entry's text, after its time and actor.
    public var textWidth: Int { Self.textWidth(leftWidth: leftWidth) }

    /// The width of an entry's text when the timeline is read whole (it then takes every column).
    public static func wholeTextWidth(columns: Int) -> Int { textWidth(leftWidth: columns) }

    private static func textWidth(leftWidth: Int) -> Int { max(10, leftWidth - TimelineLayout.indent) }
}

/// The number of lines a loaded card takes when the queue has the focus, and the lines of a card
/// that could not be read.
public enum RequesterCardLines {
    public static let count = 6
    static let failureLines = 3

    /// Why the card could not be read, wrapped after its "✗ " to `width` in at most three lines
    /// (the last cut with "…"): the reason often says what to do.
    public static func failure(_ message: String, width: Int) -> [String] {
        // A short reason is one line, which the view cleans and cuts as it writes it; a longer one
        // is wrapped once for the frames that show it (a frame asks several times).
        if message.utf8.count <= width - 2 { return [message] }
        return lastFailure.withLock { last in
            if let last, last.message == message, last.width == width { return last.lines }
            let lines = MessageLines.wrapped(message, width: width - 2, lines: failureLines)
            last = (message, width, lines)
            return lines
        }
    }

    private static let lastFailure = Mutex<(message: String, width: Int, lines: [String])?>(nil)
}

/// The selected request's timeline as lines, oldest first: each entry with its time and actor,
/// wrapped at spaces; whole when the timeline has the focus, at most three lines otherwise.
public enum TimelineLayout {
    /// Columns before an entry's text: `11-23 14:02 ` and the actor.
    public static let indent = 21
    static let collapsedLines = 3
    static let collapsedBodyLines = 4
    /// The blanks under an entry's time, its actor, and both (made once: a long timeline has thousands of lines).
    private static let timeGap = StyledText(String(repeating: " ", count: 12), .dim)
    private static let actorGap = StyledText(String(repeating: " ", count: 9), .accent)
    private static let indentGap = StyledText(String(repeating: " ", count: indent))

    public static func lines(_ state: AppState) -> [[StyledText]] {
        lines(state, in: 0..<Int.max)
    }

    /// The lines of `lines` in `window`, built without building the others: a frame draws a
    /// screenful of a timeline that may have thousands of lines.
    public static func lines(_ state: AppState, in window: Range<Int>) -> [[StyledText]] {
        walk(state, building: window).lines
    }

    /// How many lines `lines` gives, counted from the wrapped entries without building any.
    public static func lineCount(_ state: AppState) -> Int {
        walk(state, building: Int.max..<Int.max).count
    }

    /// Goes through the timeline's lines in order, building those in `window`; stops after the
    /// window's last line unless counting them all (a window past any line).
    private static func walk(_ state: AppState, building window: Range<Int>) -> (lines: [[StyledText]], count: Int) {
        let width = DetailLayout(state).textWidth
        let whole = state.focus == .detail
        let body = state.selectedRequest?.body ?? ""
        let memo = state.detail.wrapped
        var lines: [[StyledText]] = []
        var count = 0
        /// Counts a group of `size` lines, building the ones in the window with `make` (given the
        /// line's number in the group).
        func add(_ size: Int, _ make: (Int) -> [StyledText]) {
            let (first, end) = (max(count, window.lowerBound), min(count + size, window.upperBound))
            if first < end { lines += (first..<end).map { make($0 - count) } }
            count += size
        }
        let earlier = earlierLines(state)
        add(earlier.count) { earlier[$0] }
        for event in state.detail.timeline {
            guard count < window.upperBound else { return (lines, count) }
            let text = entryLines(event, width: width, whole: whole, memo)
            let tone = tone(event.kind)
            add(text.count) { index in
                guard index == 0 else { return [Self.timeGap, Self.actorGap, StyledText(text[index], tone)] }
                let time = StyledText(Self.time(event, state) + " ", .dim)
                return [time, StyledText(TerminalText.fit(TerminalText.sanitize(event.actor), to: 8) + " ", .accent), StyledText(text[0], tone)]
            }
            if event.kind == .created, !body.isEmpty {
                let parts = bodyLines(body, width: width, whole: whole, memo)
                add(parts.count) { [Self.indentGap, StyledText(parts[$0])] }
            }
        }
        let unknown = unknownRunLines(state)
        add(unknown.count) { unknown[$0] }
        return (lines, count)
    }

    /// How many lines lie below the entry numbered `id`: those of the entries recorded after it
    /// and of the runs whose outcome is unknown. (Scrolled back, the lines on screen stay put when
    /// this grows; entries the service stops sending at the top move nothing.)
    public static func linesAfter(entry id: Int64, _ state: AppState) -> Int {
        let width = DetailLayout(state).textWidth
        let whole = state.focus == .detail
        let body = state.selectedRequest?.body ?? ""
        var count = unknownRunLines(state).count
        for event in state.detail.timeline.reversed() {
            guard event.id > id else { break }
            count += entryLines(event, width: width, whole: whole, state.detail.wrapped).count
            if event.kind == .created, !body.isEmpty { count += bodyLines(body, width: width, whole: whole, state.detail.wrapped).count }
        }
        return count
    }

    /// The line that says how many older entries the service left out.
    private static func earlierLines(_ state: AppState) -> [[StyledText]] {
        guard state.detail.earlierEvents > 0, let id = state.detail.requestID else { return [] }
        let count = state.detail.earlierEvents
        let text = "\(count) earlier entr\(count == 1 ? "y is" : "ies are") not shown here; helpdesk export --request \(id) prints every one"
        return wrapped(text, width: max(10, DetailLayout(state).leftWidth), limit: nil).map { [StyledText($0, .dim)] }
    }

    /// The runs whose outcome is unknown, each with what to do about it.
    private static func unknownRunLines(_ state: AppState) -> [[StyledText]] {
        var lines: [[StyledText]] = []
        for run in state.detail.runs where state.detail.unknownRuns.contains(run.id)
            && !state.inFlight.contains(InFlight(requestID: run.requestID, action: run.action.name)) {
            let text = "\(run.id) \(run.action.summary): outcome unknown — reconcile reads Okta's state (helpdesk reconcile \(run.requestID))"
            for (index, part) in wrapped(text, width: max(10, DetailLayout(state).leftWidth - 2), limit: nil).enumerated() {
                lines.append([StyledText(index == 0 ? "? " : "  ", .warning), StyledText(part, .warning)])
            }
        }
        return lines
    }

    /// An entry's sentence wrapped, at most `collapsedLines` unless read whole.
    static func entryLines(_ event: TimelineEvent, width: Int, whole: Bool, _ memo: WrappedLines) -> [String] {
        let limit = whole ? nil : collapsedLines
        return memo.entry(event.id, width: width, limit: limit) { wrapped(event.payload.sentence, width: width, limit: limit) }
    }

    /// The request's body wrapped, at most `collapsedBodyLines` unless read whole.
    static func bodyLines(_ body: String, width: Int, whole: Bool, _ memo: WrappedLines) -> [String] {
        let limit = whole ? nil : collapsedBodyLines
        return memo.body(body, width: width, limit: limit) { wrapped(body, width: width, limit: limit) }
    }

    /// Wraps every entry of `events` (newest first) and the body as reading the timeline whole at
    /// `width` will, into `memo`, while `wanted` says the work is still wanted.
    static func wrapWhole(_ events: [TimelineEvent], body: String, width: Int, into memo: WrappedLines, while wanted: () -> Bool) {
        for event in events.reversed() {
            guard wanted() else { return }
            _ = entryLines(event, width: width, whole: true, memo)
            if event.kind == .created, !body.isEmpty, wanted() { _ = bodyLines(body, width: width, whole: true, memo) }
        }
    }

    /// How far back the timeline can scroll: until its first line is at the top.
    public static func maxScrollBack(_ state: AppState) -> Int {
        max(0, lineCount(state) - DetailLayout(state).timelineRows)
    }

    /// The most lines one entry takes even when read whole; longer text ends with a pointer to
    /// `helpdesk show`, which prints it all.
    static let wholeLines = 200

    /// Text made safe and wrapped to `width` (lines kept), at most `limit` lines (or
    /// `wholeLines`), the last ending in "…" when cut. Only the text's start that could show is
    /// read, cleaned and wrapped: the characters of one line more than it keeps, each line a
    /// character wider than `width` (its break). Past that the text counts as cut, so a long run of
    /// spaces or of characters without width may end it sooner than the screen would.
    static func wrapped(_ text: String, width: Int, limit: Int?) -> [String] {
        let cap = limit ?? wholeLines
        let start = text.prefix((cap + 1) * (width + 1))
        let cut = start.endIndex < text.endIndex
        var lines: [String] = []
        for paragraph in paragraphs(SafeText.forOutput(String(start))) {
            lines += TerminalText.wrap(TerminalText.sanitize(String(paragraph)), width: width, maxLines: cap + 1 - lines.count)
            if lines.count > cap { break }
        }
        guard lines.count > cap || cut else { return lines }
        var kept = Array(lines.prefix(cap))
        if limit == nil {
            // Read whole, the pointer is a line of its own: after the last line, or in its place when the lines are all there is room for.
            let pointer = TerminalText.prefix("… (helpdesk show prints the rest)", columns: width)
            if kept.count < cap { kept.append(pointer) } else { kept[cap - 1] = pointer }
        } else {
            kept[kept.count - 1] = TerminalText.prefix(kept[kept.count - 1], columns: width - 2) + " …"
        }
        return kept
    }

    /// Cleaned text split at its line feeds, found as bytes (after cleaning each line break is one
    /// and always ends a character) rather than by comparing characters.
    private static func paragraphs(_ text: String) -> [Substring] {
        var parts: [Substring] = []
        var start = text.startIndex
        while let newline = text.utf8[start...].firstIndex(of: 0x0A) {
            parts.append(text[start..<newline])
            start = text.utf8.index(after: newline)
        }
        parts.append(text[start...])
        return parts
    }

    static func time(_ event: TimelineEvent, _ state: AppState) -> String {
        LocalTime(event.at, in: state.zone).monthDayClock
    }

    static func tone(_ kind: EventKind) -> StyledText.Tone {
        switch kind {
        case .actionSucceeded, .approvalGranted, .accessRevoked: .success
        case .actionFailed, .approvalDenied, .alert: .error
        case .approvalRequested, .approvalExpired, .approvalSuperseded, .actionReconciled: .warning
        default: .plain
        }
    }
}
