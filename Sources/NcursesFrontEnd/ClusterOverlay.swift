import ConsoleView
import Foundation

/// Characters ncurses cannot hold in one cell: a zero-width-joiner sequence such as `👩‍💻` or a
/// family is several spacing characters that draw as one. ncurses keeps only the first of them
/// (`👩`; `Cell.joinsSpacingCharacters` finds such cells), so after each update the whole sequence is written over that cell directly, with the
/// cell's attributes, and the cursor and attributes restored.
struct ClusterOverlay {
    let colors: Bool
    /// Where curses writes: the overlay goes the same way, after curses' own output.
    let descriptor: Int32

    /// What ncurses is given for such a cell: its first character, the same width.
    static func placeholder(_ text: String) -> String {
        text.unicodeScalars.first.map { String($0) } ?? " "
    }

    /// The bytes that write `text` at (x, y) in `style`, leaving the cursor and attributes as they were.
    func bytes(_ text: String, x: Int, y: Int, style: Style) -> [UInt8] {
        var codes = ["0"]
        if style.bold { codes.append("1") }
        if style.dim { codes.append("2") }
        if style.underline { codes.append("4") }
        if style.reverse { codes.append("7") }
        if colors, let foreground = style.foreground { codes.append(String(30 + foreground.rawValue)) }
        let sequence = "\u{1b}7\u{1b}[\(y + 1);\(x + 1)H\u{1b}[\(codes.joined(separator: ";"))m" + text + "\u{1b}8"
        return Array(sequence.utf8)
    }

    /// Writes every overlay of a frame to the terminal.
    func write(_ cells: [(x: Int, y: Int, text: String, style: Style)]) {
        guard !cells.isEmpty else { return }
        var output: [UInt8] = []
        for cell in cells { output += bytes(cell.text, x: cell.x, y: cell.y, style: cell.style) }
        output.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 { offset += written } else if errno != EINTR { return }
            }
        }
    }
}
