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

    private static func characters(_ cell: cchar_t) -> [Unicode.Scalar] {
        var cell = cell
        var text = [wchar_t](repeating: 0, count: 8)
        var attributes: attr_t = 0
        var pair: Int16 = 0
        guard getcchar(&cell, &text, &attributes, &pair, nil) == OK else { return [] }
        return text.prefix { $0 != 0 }.compactMap { Unicode.Scalar(UInt32(bitPattern: $0)) }
    }
}
