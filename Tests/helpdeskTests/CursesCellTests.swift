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

    /// A cell is handed to curses from its bytes, inline or numbered: its first five characters
    /// (all a curses cell takes), or its first alone when curses refuses them, in its attributes
    /// and colour pair either way.
    @Test func aCellsBytesGiveCursesItsCharactersAndStyle() throws {
        try #require(setlocale(LC_CTYPE, "C.UTF-8") != nil, "curses reads characters' widths in a UTF-8 locale")
        let tremolo = "\u{1D167}"
        let texts = ["y", "é", "e\u{301}", "\u{378}\u{301}", "界", "a" + String(repeating: tremolo, count: 4),
                     "a" + String(repeating: "\u{301}", count: 9)]
        for text in texts {
            let cell = Cell(text)
            var handed = cchar_t()
            cell.withUTF8 { NcursesBackend.set(&handed, utf8: $0, helpdesk_a_bold(), 3) }
            let refused = text.unicodeScalars.first == "\u{378}"
            let expected = Array(text.unicodeScalars.prefix(refused ? 1 : Cell.cursesCharacters))
            #expect(Self.characters(handed) == expected, "\(text.unicodeScalars.map(\.value))")
            let (attributes, pair) = Self.style(handed)
            #expect(attributes & helpdesk_a_bold() != 0 && pair == 3, "\(text.unicodeScalars.map(\.value)): \(attributes) \(pair)")
        }
    }

    private static func style(_ cell: cchar_t) -> (attr_t, Int16) {
        var cell = cell
        var text = [wchar_t](repeating: 0, count: 8)
        var attributes: attr_t = 0
        var pair: Int16 = 0
        guard getcchar(&cell, &text, &attributes, &pair, nil) == OK else { return (0, -1) }
        return (attributes, pair)
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
