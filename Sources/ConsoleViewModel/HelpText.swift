import HelpdeskCore

/// The help screen's lines, wrapped as the dialog draws them, so scrolling stops at the end.
public enum HelpText {
    public static func lines(for state: AppState) -> [StyledText] {
        var lines: [StyledText] = []
        for section in KeyMap.helpSections(for: state.user, isDemo: state.isDemo) {
            if !lines.isEmpty { lines.append(StyledText("")) }
            lines.append(StyledText(section.title, .bold))
            for line in section.lines {
                let keys = TerminalText.fit(line.keys, to: 14)
                for (index, part) in TerminalText.wrap(line.help, width: max(10, innerWidth(state) - 14)).enumerated() {
                    lines.append(StyledText((index == 0 ? keys : String(repeating: " ", count: 14)) + part))
                }
            }
        }
        lines.append(StyledText(""))
        for part in TerminalText.wrap("In the panel, \"approval\" marks actions that wait for an approver; dimmed ones say why they do not apply.",
                                      width: innerWidth(state)) {
            lines.append(StyledText(part, .dim))
        }
        return lines
    }

    /// The text width inside a dialog box.
    public static func innerWidth(_ state: AppState) -> Int { min(state.columns - 4, 72) - 4 }
    /// Rows of help on screen at once.
    public static func room(_ state: AppState) -> Int { max(1, state.rows - 4) }
    public static func maxScroll(_ state: AppState) -> Int { max(0, lines(for: state).count - room(state)) }
}
