import CNcurses
import ConsoleViewModel

/// Turns what `wget_wch` returns into keys.
enum KeyDecoder {
    static func character(_ value: UInt32) -> Key? {
        switch value {
        case 27: return .escape
        case 9: return .tab
        case 10, 13: return .enter
        case 8, 127: return .backspace
        case 1...26: return .ctrl(Character(Unicode.Scalar(value + 96)!))
        case 0, 28...31: return nil
        default:
            guard let scalar = Unicode.Scalar(value) else { return nil }
            return .char(Character(scalar))
        }
    }

    static func special(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: .up
        case KEY_DOWN: .down
        case KEY_LEFT: .left
        case KEY_RIGHT: .right
        case KEY_PPAGE: .pageUp
        case KEY_NPAGE: .pageDown
        // rxvt's entries name Home and End `find` and `select`.
        case KEY_HOME, KEY_FIND: .home
        case KEY_END, KEY_SELECT: .end
        case KEY_BACKSPACE: .backspace
        case KEY_DC: .delete
        case KEY_BTAB: .backTab
        case KEY_ENTER: .enter
        case (KEY_F0 + 1)...(KEY_F0 + 12): .function(Int(code - KEY_F0))
        default: nil
        }
    }

    /// A key from the rest of an escape sequence ncurses did not know, read after its Escape
    /// (`[4~`, `OF`): the terminal's entry lacks it (Home and End inside tmux or screen with
    /// `TERM=xterm-256color`, keys with modifiers). The common keys are decoded; any other
    /// complete sequence is nil, so its bytes never arrive as keys of their own (`[4~` read apart
    /// is `[`, `4` — tab 4 — and `~`).
    static func escapeSequence(_ rest: String) -> Key? {
        switch rest {
        case "[A", "OA": .up
        case "[B", "OB": .down
        case "[C", "OC": .right
        case "[D", "OD": .left
        case "[H", "OH", "[1~", "[7~": .home
        case "[F", "OF", "[4~", "[8~": .end
        case "[5~": .pageUp
        case "[6~": .pageDown
        case "[3~": .delete
        case "[Z": .backTab
        // The keypad in application mode (tmux and screen switch it on): Enter, digits, operators.
        case "OM": .enter
        case "Op", "Oq", "Or", "Os", "Ot", "Ou", "Ov", "Ow", "Ox", "Oy":
            .char(Character(Unicode.Scalar(UInt8(ascii: "0") + (rest.utf8.last! - UInt8(ascii: "p")))))
        case "Ok": .char("+")
        case "Om": .char("-")
        case "Oj": .char("*")
        case "Oo": .char("/")
        case "On": .char(".")
        default: nil
        }
    }

    /// Whether `scalar` ends the sequence read so far (`soFar`, after its Escape): one begun with
    /// `O` takes one character; one begun with `[` ends at its final byte (0x40–0x7E; the parameter
    /// and intermediate bytes before it are 0x20–0x3F), except the Linux console's `[[A`…`[[E`.
    static func endsSequence(_ scalar: UInt32, soFar: String) -> Bool {
        if soFar == "O" { return true }
        if soFar == "[", scalar == UInt32(UInt8(ascii: "[")) { return false }
        return (0x40...0x7E).contains(scalar)
    }
}
