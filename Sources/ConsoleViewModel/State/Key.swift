/// A key press, decoded by the terminal backend.
public enum Key: Hashable, Sendable, CustomStringConvertible {
    case char(Character)
    /// Control plus a letter, e.g. `.ctrl("l")`.
    case ctrl(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    /// F1…F12.
    case function(Int)

    /// How the help and footer show it: `m`, `↑`, `PgDn`, `F2`, `Ctrl-L`.
    public var description: String {
        switch self {
        case .char(" "): "Space"
        case .char(let character): String(character)
        case .ctrl(let character): "Ctrl-\(character.uppercased())"
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .enter: "Enter"
        case .escape: "Esc"
        case .tab: "Tab"
        case .backTab: "Shift-Tab"
        case .backspace: "Backspace"
        case .delete: "Del"
        case .function(let number): "F\(number)"
        }
    }
}
