import HelpdeskCore
/// The whole screen as cells. Widgets only write into it; backends draw the difference between
/// two buffers.
public struct ScreenBuffer: Equatable, Sendable {
    public let columns: Int
    public let rows: Int
    public private(set) var cells: [Cell]

    public init(columns: Int, rows: Int) {
        self.columns = max(0, columns)
        self.rows = max(0, rows)
        cells = Array(repeating: .blank, count: self.columns * self.rows)
    }

    public subscript(x: Int, y: Int) -> Cell {
        cells[y * columns + x]
    }

    /// Writes text at (x, y), sanitized, clipped to `width` columns (or the screen's edge).
    /// A wide character that does not fit becomes a space. Whatever is written over half of a
    /// wide character blanks its other half. With `markingCut`, text that does not fit ends in
    /// `…` instead, as `TerminalText.truncate` cuts it, in the same pass. Returns the columns used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, width: Int? = nil, style: Style = .plain, markingCut: Bool = false) -> Int {
        guard y >= 0, y < rows, x < columns else { return 0 }
        // Where writing stops: never before x (a width below zero writes nothing), never past the screen.
        let limit = max(x, Self.end(x, width ?? columns, limit: columns))
        let shown = Self.start(of: text, columns: limit - x)
        let cut = markingCut ? Cut(limit: limit) : nil
        return TextWidth.isEveryScalarPlain(shown)
            ? putPlain(shown, x: x, y: y, limit: limit, style: style, cut: cut)
            : putEachCharacter(shown, x: x, y: y, limit: limit, style: style, cut: cut)
    }

    /// Where text that does not fit is cut: `…` in the last column it may use, unless its last
    /// character (and nothing after it) ends there.
    struct Cut {
        let limit: Int

        /// True when a character of `width` at `column` must give way to the mark, given whether
        /// any character follows it.
        func marks(_ column: Int, width: Int, followed: Bool) -> Bool {
            column + width > limit - 1 && (followed || column + width > limit)
        }
    }

    /// The start of `text` that `columns` could show: text many times longer than a row (a list
    /// of thousands of names) is cleaned and measured only as far as it can show. Every character
    /// takes a column once cleaned, but cleaning can join two of the text's characters into one
    /// (a prepended letter before a control character it shows), so the start is taken larger
    /// until, cleaned, it holds a character past the last column (which tells a cut text from one
    /// that fits). Cleaned as a whole, text begins as its cleaned start does.
    private static func start(of text: String, columns: Int) -> String {
        let wanted = max(0, columns) + 1
        guard text.utf8.count > wanted * longestCharacterBytes else { return text }
        var taken = wanted
        while true {
            let start = text.prefix(taken)
            guard start.endIndex < text.endIndex else { return text }
            let clean = TerminalText.sanitize(String(start))
            if clean.count > wanted { return clean }
            taken *= 2
        }
    }

    /// UTF-8 bytes beyond which a row's text may be longer than it shows.
    private static let longestCharacterBytes = 16

    /// Text `TextWidth.isEveryScalarPlain` passed (most of a screen): a character for each scalar,
    /// straight from its UTF-8, with no cleaning, clustering or width to look up.
    private mutating func putPlain(_ text: String, x: Int, y: Int, limit: Int, style: Style, cut: Cut?) -> Int {
        var column = x
        var text = text
        text.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                let lead = bytes[index]
                let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : 3
                let width = length == 1 ? 1 : TextWidth.plainWidth(Self.scalarValue(bytes, at: index, length: length)) ?? 1
                if let cut, cut.marks(column, width: width, followed: index + length < bytes.count) {
                    column += putEllipsis(at: column, y, limit: limit, style: style)
                    break
                }
                let character = UnsafeBufferPointer(rebasing: bytes[index..<(index + length)])
                guard write(width: width, at: column, y, limit: limit, style: style, { (Cell(plain: character, style), .continuation(style)) }) else {
                    column = limit
                    break
                }
                index += length
                column += width
            }
        }
        return column - x
    }

    /// Writes `…` at `column` when it is left of `limit`; returns the columns used.
    private mutating func putEllipsis(at column: Int, _ y: Int, limit: Int, style: Style) -> Int {
        write(width: 1, at: column, y, limit: limit, style: style) { (Cell("…", style), .continuation(style)) } ? 1 : 0
    }

    /// Writes a character of `width` columns at `column` — the cell `make` gives, and beside a wide
    /// one the right half it gives — blanking the halves of wide characters it covers; `make` is
    /// called only for a character on screen. From left of the screen only its right half shows,
    /// as a space. False when it does not fit before `limit`: a column left is a space.
    private mutating func write(width: Int, at column: Int, _ y: Int, limit: Int, style: Style, _ make: () -> (cell: Cell, rightHalf: Cell)) -> Bool {
        guard column + width <= limit else {
            if column < limit, column >= 0 {
                clearOverlap(column, y)
                set(column, y, .space(style))
            }
            return false
        }
        if column < 0, column + width > 0 {
            clearOverlap(0, y)
            set(0, y, .space(style))
        }
        if column >= 0 {
            let (cell, rightHalf) = make()
            clearOverlap(column, y)
            if width == 2 { clearOverlap(column + 1, y) }
            set(column, y, cell)
            if width == 2 { set(column + 1, y, rightHalf) }
        }
        return true
    }

    /// The scalar whose UTF-8 of `length` bytes starts at `index` (valid UTF-8, as a String holds).
    private static func scalarValue(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, length: Int) -> UInt32 {
        var value = UInt32(bytes[index]) & (length == 2 ? 0x1F : 0x0F)
        for offset in 1..<length { value = value << 6 | UInt32(bytes[index + offset] & 0x3F) }
        return value
    }

    /// Any text: sanitized, then its start of marked letters (`putMarkedLetters`) straight from
    /// its UTF-8, and from the first other character on, a character at a time.
    mutating func putEachCharacter(_ text: String, x: Int, y: Int, limit: Int, style: Style, cut: Cut? = nil) -> Int {
        var clean = TerminalText.sanitize(text)
        var column = x
        let rest: String? = clean.withUTF8 { bytes in
            let stop = putMarkedLetters(bytes, column: &column, y: y, limit: limit, style: style, cut: cut)
            return stop < bytes.count ? String(decoding: UnsafeBufferPointer(rebasing: bytes[stop...]), as: UTF8.self) : nil
        }
        guard let rest else { return column - x }
        return column - x + putCharacters(rest, x: column, y: y, limit: limit, style: style, cut: cut)
    }

    /// Writes the start of cleaned text that is plain scalars (`TextWidth.plainWidth`), each with
    /// any combining diacritical marks (U+0300–U+036F) on it, a cell for each such character
    /// straight from its UTF-8 — no clustering, and the width its first scalar has. Unicode
    /// breaks before every plain scalar that follows one of these and never before a mark, so
    /// such a character ends where the next plain scalar begins; one is written only once what
    /// follows it is known (another, or the end). Returns where it stopped: the end of the text
    /// (all of it written, or no more room), or the start of the first character it leaves to
    /// `putCharacters`.
    private mutating func putMarkedLetters(_ bytes: UnsafeBufferPointer<UInt8>, column: inout Int, y: Int, limit: Int, style: Style, cut: Cut?) -> Int {
        var index = 0
        guard !bytes.isEmpty, var width = Self.plainWidth(bytes, at: 0) else { return 0 }
        while index < bytes.count {
            var end = index + Self.scalarLength(bytes[index])
            // A curses cell takes the letter and four marks.
            var cellEnd = end
            var marks = 0
            while Self.isCombiningDiacritical(bytes, at: end) {
                end += 2
                marks += 1
                if marks < Cell.cursesCharacters { cellEnd = end }
            }
            var next = 0
            if end < bytes.count {
                guard let following = Self.plainWidth(bytes, at: end) else { return index }
                next = following
            }
            if let cut, cut.marks(column, width: width, followed: end < bytes.count) {
                column += putEllipsis(at: column, y, limit: limit, style: style)
                return bytes.count
            }
            let character = UnsafeBufferPointer(rebasing: bytes[index..<cellEnd])
            guard write(width: width, at: column, y, limit: limit, style: style, { (Cell(plain: character, style), .continuation(style)) }) else {
                column = limit
                return bytes.count
            }
            column += width
            index = end
            width = next
        }
        return bytes.count
    }

    /// The bytes of the UTF-8 character that `lead` begins.
    private static func scalarLength(_ lead: UInt8) -> Int {
        lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    }

    /// `TextWidth.plainWidth` of the scalar at `index`; nil for any other (none has four bytes).
    private static func plainWidth(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        let length = scalarLength(bytes[index])
        guard length < 4 else { return nil }
        return TextWidth.plainWidth(length == 1 ? UInt32(bytes[index]) : scalarValue(bytes, at: index, length: length))
    }

    /// True when a combining diacritical mark (U+0300–U+036F: `CC 80`…`CD AF`) begins at `index`.
    private static func isCombiningDiacritical(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        guard index + 1 < bytes.count else { return false }
        return bytes[index] == 0xCC || (bytes[index] == 0xCD && bytes[index + 1] <= 0xAF)
    }

    /// Cleaned text a character at a time.
    mutating func putCharacters(_ text: String, x: Int, y: Int, limit: Int, style: Style, cut: Cut? = nil) -> Int {
        var column = x
        var characters = text.makeIterator()
        /// The next character that takes columns, and its width.
        func nextShown() -> (Character, Int)? {
            while let character = characters.next() {
                let width = TextWidth.of(character)
                if width > 0 { return (character, width) }
            }
            return nil
        }
        var next = nextShown()
        while let (character, w) = next {
            next = nextShown()
            if let cut, cut.marks(column, width: w, followed: next != nil) {
                column += putEllipsis(at: column, y, limit: limit, style: style)
                break
            }
            let fits = write(width: w, at: column, y, limit: limit, style: style) {
                let cell = Cell(character, style)
                // A wide character is cut to what a curses cell takes; if that draws narrow, its
                // second column is a space rather than a half that nothing fills.
                let drawsNarrow = w == 2 && !cell.joinsSpacingCharacters && TextWidth.of(cell.text) != 2
                return (cell, drawsNarrow ? .space(style) : .continuation(style))
            }
            guard fits else {
                column = limit
                break
            }
            column += w
        }
        return column - x
    }

    /// Paints a rectangle with spaces in `style`; a wide character it covers half of is blanked.
    public mutating func fill(x: Int, y: Int, width: Int, height: Int, style: Style = .plain) {
        let (first, end) = (max(0, x), Self.end(x, width, limit: columns))
        let (top, bottom) = (max(0, y), Self.end(y, height, limit: rows))
        guard first < end, top < bottom else { return }
        for row in top..<bottom {
            clearOverlap(first, row)
            clearOverlap(end - 1, row)
            for column in first..<end {
                set(column, row, .space(style))
            }
        }
    }

    /// Copies a run's cells as they are (a backend that keeps cells draws them so).
    mutating func place(_ run: CellRun) {
        for (offset, cell) in run.cells.enumerated() {
            set(run.x + offset, run.y, cell)
        }
    }

    /// Where `length` columns or rows from `start` end, at most `limit`: a length below zero ends at
    /// `start`, one past any screen at `limit`.
    private static func end(_ start: Int, _ length: Int, limit: Int) -> Int {
        let (end, overflow) = start.addingReportingOverflow(max(0, length))
        return overflow ? limit : min(limit, end)
    }

    /// Gives a short run of blanks between two cells of one style that style, when no style
    /// involved shows on a blank (no reverse, underline or background): the spaces look the
    /// same, and the terminal is spared an attribute change on each side of them (`│ f Reset`
    /// drawn dim with plain spaces cost four). Other blanks whose style cannot show become
    /// plain: a terminal erases plain blanks with one short sequence but must be sent styled
    /// ones one by one (a dim row cleared to its end cost an attribute change and every space).
    public mutating func matchBlankStyles(longestRun: Int = 8) {
        for row in 0..<rows {
            let start = row * columns
            var index = start
            while index < start + columns {
                guard cells[index].isSpace else {
                    index += 1
                    continue
                }
                var end = index
                while end < start + columns, cells[end].isSpace { end += 1 }
                defer { index = end }
                guard cells[index..<end].allSatisfy({ $0.style.looksTheSameOnABlank }) else { continue }
                let style = index > start ? cells[index - 1].style : Style.plain
                let between = index > start && end < start + columns && end - index <= longestRun && cells[end].style == style && style.looksTheSameOnABlank
                for blank in index..<end { cells[blank].style = between ? style : .plain }
            }
        }
    }

    private mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        guard x >= 0, x < columns, y >= 0, y < rows else { return }
        cells[y * columns + x] = cell
    }

    /// Writing over half of a wide character blanks its other half (a wide character written at
    /// `x` asks this of `x` and of `x + 1`).
    private mutating func clearOverlap(_ x: Int, _ y: Int) {
        let index = y * columns + x
        if cells[index].isContinuation, x > 0 { cells[index - 1] = .space(cells[index - 1].style) }
        if x + 1 < columns, cells[index + 1].isContinuation, !cells[index].isContinuation { cells[index + 1] = .space(cells[index + 1].style) }
    }

    /// One row as plain text (for snapshots), trailing spaces kept.
    public func line(_ y: Int) -> String {
        var text = ""
        for x in 0..<columns where !self[x, y].isContinuation {
            text += self[x, y].text
        }
        return text
    }

    /// The screen as text, one line per row, trailing spaces removed.
    public var text: String {
        (0..<rows).map { row in
            var line = line(row)
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// The runs of cells that differ from `previous` (everything when sizes differ or there is none).
    public func changes(from previous: ScreenBuffer?) -> [CellRun] {
        guard let previous, previous.columns == columns, previous.rows == rows else {
            return (0..<rows).compactMap { y in
                columns == 0 ? nil : CellRun(x: 0, y: y, cells: Array(cells[(y * columns)..<((y + 1) * columns)]))
            }
        }
        // Compared where they lie: a frame is mostly cells that did not change.
        return cells.withUnsafeBufferPointer { now in
            previous.cells.withUnsafeBufferPointer { before in
                var runs: [CellRun] = []
                for y in 0..<rows {
                    let row = y * columns
                    var x = 0
                    while x < columns {
                        guard now[row + x] != before[row + x] else {
                            x += 1
                            continue
                        }
                        var end = x + 1
                        while end < columns, now[row + end] != before[row + end] { end += 1 }
                        // A run never starts on the right half of a wide character.
                        let start = x > 0 && now[row + x].isContinuation ? x - 1 : x
                        runs.append(CellRun(x: start, y: y, cells: Array(now[(row + start)..<(row + end)])))
                        x = end
                    }
                }
                return runs
            }
        }
    }
}
