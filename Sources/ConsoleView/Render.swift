import ConsoleViewModel
import Foundation
import HelpdeskCore

/// Draws the whole console from its state: a pure function, so every screen can be a snapshot.
public enum ConsoleRenderer {
    public static func render(_ state: AppState) -> ScreenBuffer {
        var screen = ScreenBuffer(columns: state.columns, rows: state.rows)
        guard !state.isTooSmall else {
            TooSmall.draw(&screen, state)
            return screen
        }
        let layout = ConsoleLayout(columns: state.columns, rows: state.rows)
        TabBar.draw(&screen, state)
        QueueTable.draw(&screen, state, top: 1, height: layout.queueRows + 1)
        DetailView.draw(&screen, state, layout: layout)
        Footer.draw(&screen, state, y: state.rows - 2)
        StatusBar.draw(&screen, state, y: state.rows - 1)
        if let modal = state.modal { Dialogs.draw(&screen, state, modal) }
        return screen
    }
}

/// "Terminal too small — need 80x24, have WxH".
enum TooSmall {
    static func draw(_ screen: inout ScreenBuffer, _ state: AppState) {
        // Wrapped to the width, however narrow: the way out must be readable.
        let lines = [
            ("Terminal too small — need \(AppState.minimumColumns)x\(AppState.minimumRows), have \(state.columns)x\(state.rows)", Style.bold),
            ("Make the window larger, or press q to quit.", Style.plain),
        ].flatMap { text, style in TerminalText.wrap(text, width: state.columns).map { ($0, style) } }
        let shortest = [("Too small: need \(AppState.minimumColumns)x\(AppState.minimumRows)", Style.bold), ("q quits", Style.plain)]
            .flatMap { text, style in TerminalText.wrap(text, width: state.columns).map { ($0, style) } }
        draw(&screen, state, lines.count <= state.rows ? lines : shortest)
    }

    private static func draw(_ screen: inout ScreenBuffer, _ state: AppState, _ lines: [(String, Style)]) {
        let top = max(0, (state.rows - lines.count) / 2)
        for (offset, (line, style)) in lines.enumerated() where top + offset < state.rows {
            let width = TextWidth.of(line)
            screen.put(line, x: max(0, (state.columns - width) / 2), y: top + offset, style: style)
        }
    }
}

/// The frames of the spinner shown beside work on its way.
enum ConsoleTime {
    static let spinner: [String] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
}
