import HelpdeskCore
import ConsoleViewModel

/// The top row: the four tabs with counts, and the filter being typed.
enum TabBar {
    static func draw(_ screen: inout ScreenBuffer, _ state: AppState) {
        screen.fill(x: 0, y: 0, width: state.columns, height: 1, style: .dim)
        var x = 0
        for tab in Tab.allCases {
            let label = " \(tab.rawValue + 1) \(tab.title) " + (state.countsKnown ? "\(state.counts[tab]) " : "")
            let style = tab == state.tab ? Style(foreground: nil, bold: true, reverse: true) : Style.plain
            x += screen.put(label, x: x, y: 0, style: style)
            x += screen.put("│", x: x, y: 0, style: .dim)
        }
        let filter = state.filter.text
        guard state.isTypingFilter || !filter.isEmpty else { return }
        let text = "/" + filter + (state.isTypingFilter ? "▏" : "") + (state.isLoadingQueue ? " …" : "")
        let width = min(TextWidth.of(text) + 1, max(0, state.columns - x - 1))
        guard width > 2 else { return }
        screen.put(text, x: state.columns - width, y: 0, width: width, style: .accent, markingCut: true)
    }
}
