import HelpdeskCore

/// The slice of the queue held in memory around the selection (keyset pages, never the whole queue).
public struct QueueWindow: Sendable, Equatable {
    public var rows: [Request] = []
    /// The cursor just before `rows[0]`; nil when the window starts at the top.
    public var after: QueueCursor?
    public var moreAbove = false
    public var moreBelow = false
    public var selected = 0
    /// The first row shown on screen.
    public var scroll = 0
    /// The plans not yet ended on these rows, by request.
    public var plans: [RequestID: PlanProgress] = [:]
    /// No page of this tab has landed yet (the console has just started or changed tabs): empty
    /// rows say nothing about the tab until one does.
    public var awaitingFirstPage = false

    public init() {}

    /// The window of a tab whose first page is on its way.
    public static var awaitingFirstPage: QueueWindow {
        var window = QueueWindow()
        window.awaitingFirstPage = true
        return window
    }

    public var selectedRequest: Request? { rows.indices.contains(selected) ? rows[selected] : nil }

    /// Keeps the selection inside the rows and on screen in `visible` rows.
    public mutating func clamp(visible: Int) {
        selected = rows.isEmpty ? 0 : min(max(0, selected), rows.count - 1)
        let visible = max(1, visible)
        if selected < scroll { scroll = selected }
        if selected >= scroll + visible { scroll = selected - visible + 1 }
        scroll = max(0, min(scroll, max(0, rows.count - visible)))
    }
}
