import HelpdeskCore

/// A small terminal emulator for the end-to-end benchmark: it replays what the console wrote to its
/// pseudo-terminal (xterm-256color as ncurses drives it) onto a grid of cells, so the benchmark can
/// tell which cells a frame changed and what is on screen. Each cell keeps its text and its
/// attributes (colours, bold, reverse…, as the SGR parameters that set them); the cursor, scrolling
/// regions and line edits are followed. Sequences it does
/// not know are counted in `unknown` so a run can say it understood the whole output.
struct TerminalScreen {
    let columns: Int
    let rows: Int
    /// Text per cell, and beside it the attributes it was drawn with.
    private(set) var cells: [[String]]
    private(set) var attributes: [[Attributes]]
    private var current = Attributes()
    private(set) var unknown: [String: Int] = [:]
    private var row = 0
    private var column = 0
    private var pendingWrap = false
    private var top = 0
    private var bottom: Int
    private var saved = (row: 0, column: 0)
    private var lineDrawing = false
    private var lastPrinted = " "
    private var parser = Parser.ground
    private var parameters: [UInt8] = []
    private var utf8: [UInt8] = []
    private var utf8Needed = 0

    private enum Parser { case ground, escape, escapeCharset, csi, osc, oscEscape }

    init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
        cells = Array(repeating: Array(repeating: " ", count: columns), count: rows)
        attributes = Array(repeating: Array(repeating: Attributes(), count: columns), count: rows)
        bottom = rows - 1
    }

    /// One line of the screen as text (a wide character's second cell is empty).
    func line(_ index: Int) -> String { cells[index].joined() }

    /// What is on screen: the text and attributes of every cell.
    struct Picture: Equatable {
        let cells: [[String]]
        let attributes: [[Attributes]]
    }

    var picture: Picture { Picture(cells: cells, attributes: attributes) }

    /// Where the next character goes; nil while a character written in the last column waits to wrap.
    var cursor: (row: Int, column: Int)? { pendingWrap ? nil : (row, column) }

    /// True when no scrolling region is set (line feeds and relative moves reach every row).
    var scrollsWholeScreen: Bool { top == 0 && bottom == rows - 1 }

    /// The attributes the next character is drawn with.
    var style: Attributes { current }

    /// The number of cells whose text or attributes differ between two screens of the same size.
    static func changedCells(_ before: Picture, _ after: Picture) -> Int {
        var count = 0
        for index in before.cells.indices where before.cells[index] != after.cells[index] || before.attributes[index] != after.attributes[index] {
            for column in before.cells[index].indices
            where before.cells[index][column] != after.cells[index][column] || before.attributes[index][column] != after.attributes[index][column] {
                count += 1
            }
        }
        return count
    }

    /// The drawing attributes in effect: foreground, background and the flags SGR sets.
    struct Attributes: Equatable {
        var foreground = -1
        var background = -1
        var flags: UInt16 = 0
    }

    private mutating func selectGraphicRendition(_ numbers: [Int]) {
        var index = 0
        let numbers = numbers.isEmpty ? [0] : numbers
        while index < numbers.count {
            let value = numbers[index]
            switch value {
            case 0: current = Attributes()
            case 1...9: current.flags |= 1 << value
            case 21...29:
                current.flags &= ~(1 << (value - 20))
                if value == 22 { current.flags &= ~(1 << 1 | 1 << 2) }
                if value == 25 { current.flags &= ~(1 << 5 | 1 << 6) }
            case 30...37, 90...97: current.foreground = value
            case 39: current.foreground = -1
            case 40...47, 100...107: current.background = value
            case 49: current.background = -1
            case 38, 48:
                let colour: Int
                if index + 1 < numbers.count && numbers[index + 1] == 5, index + 2 < numbers.count {
                    colour = 1000 + numbers[index + 2]
                    index += 2
                } else if index + 1 < numbers.count && numbers[index + 1] == 2, index + 4 < numbers.count {
                    colour = 1_000_000 + numbers[index + 2] << 16 + numbers[index + 3] << 8 + numbers[index + 4]
                    index += 4
                } else {
                    colour = -1
                }
                if value == 38 { current.foreground = colour } else { current.background = colour }
            default: unknown["SGR \(value)", default: 0] += 1
            }
            index += 1
        }
    }

    mutating func feed(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { consume(byte) }
    }

    private mutating func consume(_ byte: UInt8) {
        switch parser {
        case .ground: ground(byte)
        case .escape: escape(byte)
        case .escapeCharset:
            lineDrawing = byte == UInt8(ascii: "0")
            parser = .ground
        case .csi:
            if byte >= 0x40 && byte <= 0x7E {
                csi(final: byte)
                parser = .ground
            } else {
                parameters.append(byte)
            }
        case .osc:
            if byte == 0x07 { parser = .ground } else if byte == 0x1B { parser = .oscEscape }
        case .oscEscape:
            parser = byte == UInt8(ascii: "\\") ? .ground : .osc
        }
    }

    private mutating func ground(_ byte: UInt8) {
        if utf8Needed > 0 {
            guard byte & 0xC0 == 0x80 else { utf8Needed = 0; utf8 = []; ground(byte); return }
            utf8.append(byte)
            utf8Needed -= 1
            if utf8Needed == 0 {
                print(String(decoding: utf8, as: UTF8.self))
                utf8 = []
            }
            return
        }
        switch byte {
        case 0x1B: parser = .escape
        case 0x0D: column = 0; pendingWrap = false
        case 0x0A, 0x0B, 0x0C: lineFeed()
        case 0x08: if column > 0 { column -= 1 }; pendingWrap = false
        case 0x09: column = min(columns - 1, (column / 8 + 1) * 8); pendingWrap = false
        case 0x0E: lineDrawing = true
        case 0x0F: lineDrawing = false
        case 0x07, 0x00: break
        case 0x20...0x7E:
            let text = String(UnicodeScalar(byte))
            print(lineDrawing ? Self.lineDrawingCharacter(text) : text)
        case 0xC0...0xDF: utf8 = [byte]; utf8Needed = 1
        case 0xE0...0xEF: utf8 = [byte]; utf8Needed = 2
        case 0xF0...0xF7: utf8 = [byte]; utf8Needed = 3
        default: unknown["control \(byte)", default: 0] += 1
        }
    }

    private mutating func escape(_ byte: UInt8) {
        parser = .ground
        switch byte {
        case UInt8(ascii: "["): parameters = []; parser = .csi
        case UInt8(ascii: "]"): parser = .osc
        case UInt8(ascii: "("), UInt8(ascii: ")"): parser = .escapeCharset
        case UInt8(ascii: "7"): saved = (row, column)
        case UInt8(ascii: "8"): (row, column) = saved; pendingWrap = false
        case UInt8(ascii: "M"): reverseIndex()
        case UInt8(ascii: "D"): lineFeed()
        case UInt8(ascii: "E"): column = 0; lineFeed()
        case UInt8(ascii: "="), UInt8(ascii: ">"): break
        default: unknown["ESC \(Character(UnicodeScalar(byte)))", default: 0] += 1
        }
    }

    private mutating func csi(final: UInt8) {
        let text = String(decoding: parameters, as: UTF8.self)
        let isPrivate = text.hasPrefix("?") || text.hasPrefix(">")
        let numbers = (isPrivate ? String(text.dropFirst()) : text).split(separator: ";", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
        func number(_ index: Int, _ fallback: Int = 1) -> Int {
            index < numbers.count && numbers[index] != 0 ? numbers[index] : fallback
        }
        pendingWrap = false
        switch Character(UnicodeScalar(final)) {
        case "m" where !isPrivate: selectGraphicRendition(text.isEmpty ? [] : numbers)
        case "m", "h", "l", "t": break
        case "r" where isPrivate: break
        case "r":
            top = number(0) - 1
            bottom = min(rows, number(1, rows)) - 1
            row = 0; column = 0
        case "H", "f": row = min(rows - 1, number(0) - 1); column = min(columns - 1, number(1) - 1)
        case "A": row = max(row < top ? 0 : top, row - number(0))
        case "B": row = min(row > bottom ? rows - 1 : bottom, row + number(0))
        case "C": column = min(columns - 1, column + number(0))
        case "D": column = max(0, column - number(0))
        case "G", "`": column = min(columns - 1, number(0) - 1)
        case "d": row = min(rows - 1, number(0) - 1)
        case "K": eraseInLine(numbers.first ?? 0)
        case "J": eraseInDisplay(numbers.first ?? 0)
        case "X": for offset in 0..<number(0) where column + offset < columns { erase(row, column + offset) }
        case "@":
            let count = min(number(0), columns - column)
            cells[row].insert(contentsOf: Array(repeating: " ", count: count), at: column)
            cells[row].removeLast(count)
            attributes[row].insert(contentsOf: Array(repeating: blank, count: count), at: column)
            attributes[row].removeLast(count)
        case "P":
            let count = min(number(0), columns - column)
            cells[row].removeSubrange(column..<(column + count))
            cells[row].append(contentsOf: Array(repeating: " ", count: count))
            attributes[row].removeSubrange(column..<(column + count))
            attributes[row].append(contentsOf: Array(repeating: blank, count: count))
        case "L": if row >= top && row <= bottom { scrollDown(from: row, count: number(0)) }
        case "M": if row >= top && row <= bottom { scrollUp(from: row, count: number(0)) }
        case "S": scrollUp(from: top, count: number(0))
        case "T": scrollDown(from: top, count: number(0))
        case "b": for _ in 0..<number(0) { print(lastPrinted) }
        case "Z": column = max(0, (column - 1) / 8 * 8)
        default: unknown["CSI \(text)\(Character(UnicodeScalar(final)))", default: 0] += 1
        }
    }

    private mutating func print(_ text: String) {
        let width = TextWidth.of(text)
        if width == 0 {
            let target = column > 0 && !pendingWrap ? column - 1 : column
            cells[row][target] += text
            return
        }
        if pendingWrap {
            column = 0
            lineFeed()
            pendingWrap = false
        }
        if width == 2 && column == columns - 1 {
            erase(row, column)
            column = 0
            lineFeed()
        }
        cells[row][column] = text
        attributes[row][column] = current
        if width == 2 {
            cells[row][column + 1] = ""
            attributes[row][column + 1] = current
        }
        lastPrinted = text
        if column + width >= columns {
            column = columns - 1
            pendingWrap = true
        } else {
            column += width
        }
    }

    private mutating func lineFeed() {
        pendingWrap = false
        if row == bottom { scrollUp(from: top, count: 1) } else if row < rows - 1 { row += 1 }
    }

    private mutating func reverseIndex() {
        pendingWrap = false
        if row == top { scrollDown(from: top, count: 1) } else if row > 0 { row -= 1 }
    }

    private mutating func scrollUp(from start: Int, count: Int) {
        let count = min(count, bottom - start + 1)
        cells.removeSubrange(start..<(start + count))
        cells.insert(contentsOf: Array(repeating: blankLine, count: count), at: bottom - count + 1)
        attributes.removeSubrange(start..<(start + count))
        attributes.insert(contentsOf: Array(repeating: blankAttributes, count: count), at: bottom - count + 1)
    }

    private mutating func scrollDown(from start: Int, count: Int) {
        let count = min(count, bottom - start + 1)
        cells.removeSubrange((bottom - count + 1)...bottom)
        cells.insert(contentsOf: Array(repeating: blankLine, count: count), at: start)
        attributes.removeSubrange((bottom - count + 1)...bottom)
        attributes.insert(contentsOf: Array(repeating: blankAttributes, count: count), at: start)
    }

    private var blankLine: [String] { Array(repeating: " ", count: columns) }

    /// An erased cell takes the current background (xterm's background colour erase).
    private var blank: Attributes { Attributes(background: current.background) }
    private var blankAttributes: [Attributes] { Array(repeating: blank, count: columns) }

    private mutating func erase(_ row: Int, _ column: Int) {
        cells[row][column] = " "
        attributes[row][column] = blank
    }

    private mutating func eraseLine(_ row: Int) {
        cells[row] = blankLine
        attributes[row] = blankAttributes
    }

    private mutating func eraseInLine(_ mode: Int) {
        let range = mode == 0 ? column..<columns : mode == 1 ? 0..<(column + 1) : 0..<columns
        for index in range { erase(row, index) }
    }

    private mutating func eraseInDisplay(_ mode: Int) {
        switch mode {
        case 0:
            eraseInLine(0)
            for index in (row + 1)..<rows { eraseLine(index) }
        case 1:
            eraseInLine(1)
            for index in 0..<row { eraseLine(index) }
        default:
            for index in 0..<rows { eraseLine(index) }
        }
    }

    private static func lineDrawingCharacter(_ text: String) -> String {
        let map: [String: String] = ["q": "─", "x": "│", "l": "┌", "k": "┐", "m": "└", "j": "┘", "t": "├", "u": "┤", "v": "┴", "w": "┬", "n": "┼", "a": "▒", "~": "·"]
        return map[text] ?? text
    }
}
