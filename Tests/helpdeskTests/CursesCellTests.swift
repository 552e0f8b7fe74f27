import CNcurses
import ConsoleView
import Foundation
@testable import NcursesFrontEnd
import Testing

@Suite struct CursesCellTests {
    /// What the backend hands curses for a cell it refuses (an unassigned first character with a
    /// mark after it: `setcchar` fails) is that first character alone, never the cell before it.
    @Test func aCellCursesRefusesIsItsFirstCharacterNotThePreviousCell() throws {
        try #require(setlocale(LC_CTYPE, "C.UTF-8") != nil, "curses reads characters' widths in a UTF-8 locale")
        var cell = cchar_t()
        NcursesBackend.set(&cell, "y", helpdesk_a_normal(), 0)
        #expect(Self.characters(cell) == ["y"])
        NcursesBackend.set(&cell, "\u{378}\u{301}", helpdesk_a_normal(), 0)
        #expect(Self.characters(cell) == ["\u{378}"])
        NcursesBackend.set(&cell, "e\u{301}", helpdesk_a_normal(), 0)
        #expect(Self.characters(cell) == ["e", "\u{301}"])
    }

    /// A cell is handed to curses from its bytes, inline or numbered: the same characters its
    /// text gives, cut to the five a curses cell takes.
    @Test func aCellsBytesGiveCursesWhatItsTextGives() throws {
        try #require(setlocale(LC_CTYPE, "C.UTF-8") != nil, "curses reads characters' widths in a UTF-8 locale")
        let tremolo = "\u{1D167}"
        let texts = ["y", "é", "e\u{301}", "\u{378}\u{301}", "界", "a" + String(repeating: tremolo, count: 4),
                     "a" + String(repeating: "\u{301}", count: 9)]
        for text in texts {
            let cell = Cell(text)
            var fromBytes = cchar_t()
            cell.withUTF8 { NcursesBackend.set(&fromBytes, utf8: $0, helpdesk_a_bold(), 3) }
            var fromText = cchar_t()
            NcursesBackend.set(&fromText, cell.text, helpdesk_a_bold(), 3)
            #expect(Self.characters(fromBytes) == Self.characters(fromText), "\(text.unicodeScalars.map { $0.value })")
            #expect(Self.characters(fromBytes).count == min(text.unicodeScalars.count, Cell.cursesCharacters) || text.unicodeScalars.first == "\u{378}")
        }
        var cell = cchar_t()
        Cell("a" + String(repeating: tremolo, count: 4)).withUTF8 { NcursesBackend.set(&cell, utf8: $0, helpdesk_a_normal(), 0) }
        #expect(Self.characters(cell) == ["a"] + Array(repeating: Unicode.Scalar(0x1D167)!, count: 4))
    }

    private static func characters(_ cell: cchar_t) -> [Unicode.Scalar] {
        var cell = cell
        var text = [wchar_t](repeating: 0, count: 8)
        var attributes: attr_t = 0
        var pair: Int16 = 0
        guard getcchar(&cell, &text, &attributes, &pair, nil) == OK else { return [] }
        return text.prefix { $0 != 0 }.compactMap { Unicode.Scalar(UInt32(bitPattern: $0)) }
    }
}
