import ConsoleViewModel

/// The last frame drawn, so the next one sends a backend only the cells that changed.
public struct FrameDiff {
    private var drawn: ScreenBuffer?

    public init() {}

    /// True until a frame is drawn, and again after `forget()`.
    public var needsFullFrame: Bool { drawn == nil }

    /// Renders `state` and returns the runs that differ from the last frame (all of it the first time).
    public mutating func next(_ state: AppState) -> [CellRun] {
        LongGlyphs.shared.beginFrame()
        var screen = ConsoleRenderer.render(state)
        screen.matchBlankStyles()
        defer { drawn = screen }
        return screen.changes(from: drawn)
    }

    /// The terminal lost what was drawn (a resize, back from Ctrl-Z): the next frame is whole.
    public mutating func forget() {
        drawn = nil
    }
}
