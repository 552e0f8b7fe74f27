import HelpdeskCore

/// What a frame could cost, to set ncurses' bytes against. `write` builds the bytes of a writer
/// that takes, at every step, the shortest of xterm's sequences it knows: absolute, row, column and
/// relative moves, carriage return and line feed, backspace; erasing a line's end, its beginning or
/// a run of blanks; SGR changes that turn off only what must go; rewriting an unchanged gap when
/// that is shorter than jumping it. It does not scroll or shift text as ncurses can, so a frame
/// that moves lines (j, k, PgUp) may cost it more. The benchmark replays its bytes to check they
/// draw the same screen. `ownText` is the changed cells' own text: what a writer that writes every
/// changed cell sends before any move or style. It is no floor for every writer: blanks can be
/// erased for less, repeated characters repeated (`rep`), and text already on the screen shifted
/// into place (ncurses deletes and inserts characters).
enum ShortestFrame {
    typealias Picture = TerminalScreen.Picture
    typealias Attributes = TerminalScreen.Attributes

    /// UTF-8 bytes of the text of every changed cell (a wide character once).
    static func ownText(_ before: Picture, _ after: Picture) -> Int {
        var total = 0
        for row in after.cells.indices {
            for column in after.cells[row].indices where changed(before, after, row, column) {
                total += after.cells[row][column].utf8.count
            }
        }
        return total
    }

    /// A frame that turns `before` (with its cursor and style) into `after`.
    static func write(from before: TerminalScreen, to after: Picture) -> [UInt8] {
        var writer = Writer(cursor: before.cursor, style: before.style, movesDown: before.scrollsWholeScreen)
        let picture = before.picture
        for row in after.cells.indices {
            let columns = after.cells[row].indices.filter { changed(picture, after, row, $0) }
            guard !columns.isEmpty else { continue }
            writer.row(row, changed: Set(columns), after: after)
        }
        if writer.style != Attributes() { writer.output += Array("\u{1B}[m".utf8) }
        return writer.output
    }

    private static func changed(_ before: Picture, _ after: Picture, _ row: Int, _ column: Int) -> Bool {
        before.cells[row][column] != after.cells[row][column] || before.attributes[row][column] != after.attributes[row][column]
    }

    private struct Writer {
        var cursor: (row: Int, column: Int)?
        var style: Attributes
        /// False while a scrolling region is set: a line feed or a relative move could stop at its edge.
        let movesDown: Bool
        var output: [UInt8] = []

        mutating func row(_ row: Int, changed: Set<Int>, after: Picture) {
            let text = after.cells[row]
            let styles = after.attributes[row]
            let width = text.count
            // A wide character's second cell holds only the marks that followed it (or nothing).
            let wide = text.map { cell in cell.unicodeScalars.first.map { TextWidth.of($0) == 2 } ?? false }
            func secondHalf(_ column: Int) -> Bool { column > 0 && wide[column - 1] }
            // From `clearFrom` to the end the row is blank in the plain style: one erase does it.
            var blankFrom = width
            while blankFrom > 0, text[blankFrom - 1] == " ", styles[blankFrom - 1] == Attributes() { blankFrom -= 1 }
            let clearFrom = changed.filter { $0 >= blankFrom }.min()
            var changed = changed
            // The row's blank beginning, when enough of it changed, is one erase to the left.
            var leading = 0
            while leading < width, text[leading] == " ", styles[leading] == Attributes() { leading += 1 }
            let cleared = changed.filter { $0 < min(leading, clearFrom ?? width) }
            if let last = cleared.max(), let first = cleared.min(), last - first > 6 {
                moveTo(row, last)
                if style.background != -1 { setStyle(Attributes()) }
                output += Array("\u{1B}[1K".utf8)
                changed = changed.filter { $0 >= leading }
            }
            // A changed second half of a wide character is written with its first.
            let starts = Set(changed.compactMap { $0 < (clearFrom ?? width) ? (secondHalf($0) ? $0 - 1 : $0) : nil }).sorted()
            var index = 0
            while index < starts.count {
                let column = starts[index]
                // (Only over cells that can be written: not from a wide character's second half,
                // not over a cell left empty.)
                if let cursor, cursor.row == row, cursor.column < column, !secondHalf(cursor.column),
                   (cursor.column..<column).allSatisfy({ !text[$0].isEmpty || secondHalf($0) }) {
                    // Rewriting the unchanged cells in between may be shorter than moving over them.
                    let gap = Self.bytes(ofCells: cursor.column..<column, text: text, styles: styles, wide: wide, from: style)
                    let rewrite = gap.bytes.count + Self.change(from: gap.style, to: styles[column]).count
                    let jump = move(to: (row, column)).count + Self.change(from: style, to: styles[column]).count
                    if rewrite <= jump {
                        output += gap.bytes
                        style = gap.style
                        self.cursor = (row, column)
                    }
                }
                moveTo(row, column)
                // A run of blanks is erased in place when that is shorter than writing spaces.
                var blanks = column
                while blanks < width, text[blanks] == " ", styles[blanks] == Attributes() { blanks += 1 }
                let erased = starts[index...].prefix { $0 < blanks }
                if let last = erased.last, last - column + 1 > 5 {
                    if style.background != -1 { setStyle(Attributes()) }
                    output += Array("\u{1B}[\(last - column + 1)X".utf8)
                    index += erased.count
                    continue
                }
                let cells = wide[column] ? 2 : 1
                put(wide[column] && column + 1 < width ? text[column] + text[column + 1] : text[column], styles[column], row: row, column: column, width: width, cells: cells)
                index += 1
            }
            if let clearFrom {
                moveTo(row, clearFrom)
                if style.background != -1 { setStyle(Attributes()) }
                output += Array("\u{1B}[K".utf8)
            }
        }

        mutating func moveTo(_ row: Int, _ column: Int) {
            if let cursor, cursor == (row, column) { return }
            output += move(to: (row, column))
            cursor = (row, column)
        }

        func move(to target: (row: Int, column: Int)) -> [UInt8] {
            Self.move(from: cursor, to: target, vertically: movesDown)
        }

        mutating func setStyle(_ next: Attributes) {
            output += Self.change(from: style, to: next)
            style = next
        }

        mutating func put(_ text: String, _ cellStyle: Attributes, row: Int, column: Int, width: Int, cells: Int) {
            setStyle(cellStyle)
            output += Array(text.utf8)
            cursor = column + cells >= width ? nil : (row, column + cells)
        }

        /// The bytes that write `range` of a row from `style`, and the style they end in.
        static func bytes(ofCells range: Range<Int>, text: [String], styles: [Attributes], wide: [Bool], from style: Attributes) -> (bytes: [UInt8], style: Attributes) {
            var bytes: [UInt8] = []
            var current = style
            for column in range where !(column > 0 && wide[column - 1]) {
                let cell = wide[column] && column + 1 < text.count ? text[column] + text[column + 1] : text[column]
                bytes += change(from: current, to: styles[column]) + Array(cell.utf8)
                current = styles[column]
            }
            return (bytes, current)
        }

        /// The shortest of the moves xterm understands.
        static func move(from: (row: Int, column: Int)?, to: (row: Int, column: Int), vertically: Bool) -> [UInt8] {
            var best = absolute(to)
            guard let from else { return best }
            func consider(_ candidate: String) { if candidate.utf8.count < best.count { best = Array(candidate.utf8) } }
            if from.row == to.row {
                consider(horizontal(from.column, to.column))
            } else if vertically {
                let rows = to.row - from.row
                let vertical = rows > 0 ? (rows == 1 ? "\u{1B}[B" : "\u{1B}[\(rows)B") : (rows == -1 ? "\u{1B}[A" : "\u{1B}[\(-rows)A")
                consider(vertical + horizontal(from.column, to.column))
                consider("\u{1B}[\(to.row + 1)d" + horizontal(from.column, to.column))
                if rows == 1 { consider("\r\n" + horizontal(0, to.column)) }
            }
            return best
        }

        static func absolute(_ to: (row: Int, column: Int)) -> [UInt8] {
            let text = to.column == 0 ? (to.row == 0 ? "\u{1B}[H" : "\u{1B}[\(to.row + 1)H") : "\u{1B}[\(to.row + 1);\(to.column + 1)H"
            return Array(text.utf8)
        }

        static func horizontal(_ from: Int, _ to: Int) -> String {
            if from == to { return "" }
            let column = to == 0 ? "\u{1B}[G" : "\u{1B}[\(to + 1)G"
            var options = [column]
            if to > from {
                options.append(to - from == 1 ? "\u{1B}[C" : "\u{1B}[\(to - from)C")
                if to == 0 { options.append("\r") }
            } else {
                options.append(String(repeating: "\u{8}", count: from - to))
                options.append("\u{1B}[\(from - to)D")
                options.append("\r" + (to == 0 ? "" : (to == 1 ? "\u{1B}[C" : "\u{1B}[\(to)C")))
            }
            return options.min { $0.utf8.count < $1.utf8.count }!
        }

        /// The shorter of an SGR that changes only what differs and one that resets and sets all.
        static func change(from: Attributes, to: Attributes) -> [UInt8] {
            guard from != to else { return [] }
            var reset = ["0"] + on(to)
            if reset == ["0"] { reset = [] }
            var incremental: [String] = []
            let dropped = from.flags & ~to.flags
            if dropped & (1 << 1 | 1 << 2) != 0 {
                incremental.append("22")
                for flag in [1, 2] where to.flags & (1 << flag) != 0 { incremental.append(String(flag)) }
            }
            // Both blinks end with 25, as bold and dim both end with 22.
            if dropped & (1 << 5 | 1 << 6) != 0 {
                incremental.append("25")
                for flag in [5, 6] where to.flags & (1 << flag) != 0 { incremental.append(String(flag)) }
            }
            for flag in [3, 4, 7, 8, 9] where dropped & (1 << flag) != 0 { incremental.append(String(20 + flag)) }
            let readded = (dropped & (1 << 1 | 1 << 2) != 0 ? (1 << 1 | 1 << 2) : 0) | (dropped & (1 << 5 | 1 << 6) != 0 ? (1 << 5 | 1 << 6) : 0)
            let added = to.flags & ~from.flags & ~UInt16(readded)
            for flag in 1...9 where added & (1 << flag) != 0 { incremental.append(String(flag)) }
            if from.foreground != to.foreground { incremental.append(colour(to.foreground, base: 30)) }
            if from.background != to.background { incremental.append(colour(to.background, base: 40)) }
            let parameters = incremental.joined(separator: ";").utf8.count < reset.joined(separator: ";").utf8.count ? incremental : reset
            return Array("\u{1B}[\(parameters.joined(separator: ";"))m".utf8)
        }

        static func on(_ style: Attributes) -> [String] {
            var parameters = (1...9).filter { style.flags & (1 << $0) != 0 }.map(String.init)
            if style.foreground != -1 { parameters.append(colour(style.foreground, base: 30)) }
            if style.background != -1 { parameters.append(colour(style.background, base: 40)) }
            return parameters
        }

        /// The SGR parameter for a colour as `TerminalScreen` keeps it.
        static func colour(_ value: Int, base: Int) -> String {
            switch value {
            case -1: return String(base + 9)
            case 1_000_000...: return "\(base + 8);2;\((value - 1_000_000) >> 16);\(((value - 1_000_000) >> 8) & 0xFF);\((value - 1_000_000) & 0xFF)"
            case 1000...: return "\(base + 8);5;\(value - 1000)"
            default: return String(value)
            }
        }
    }
}
