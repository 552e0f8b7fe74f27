import HelpdeskCore

/// One terminal cell: a grapheme and its style, held as plain bits (see `Glyph`). The right half
/// of a wide character is a continuation cell with empty text. A cell keeps what the terminal can
/// be sent for its grapheme: a joined emoji whole (it is written over the cell,
/// `joinsSpacingCharacters`), anything else its first `cursesCharacters` characters, all a curses
/// cell takes (curses keeps fewer when a second one is spacing).
public struct Cell: Hashable, Sendable {
    private var glyph: Glyph
    public var style: Style
    /// True for an emoji sequence that curses cannot hold in one cell: a zero-width-joiner
    /// sequence (`👩‍💻`, a family of up to four) or a flag, whose spacing characters are all emoji.
    /// Anything else with several spacing characters (marks piled on a letter, a chain longer
    /// than any emoji) is not: a terminal would draw it wider than its cell, so curses' first
    /// character alone is drawn. Decided on the whole grapheme, before it is cut.
    public private(set) var joinsSpacingCharacters: Bool

    public init(_ text: String, _ style: Style = .plain) {
        self.init(text[...].unicodeScalars, style)
    }

    init(_ character: Character, _ style: Style) {
        if let ascii = character.asciiValue, character.utf8.count == 1 {
            self.init(ascii: ascii, style)
        } else {
            self.init(String(character)[...].unicodeScalars, style)
        }
    }

    private init(_ scalars: Substring.UnicodeScalarView, _ style: Style) {
        let joins = Self.joinsSpacingCharacters(scalars)
        glyph = Glyph(joins ? scalars : scalars.prefix(Self.cursesCharacters))
        joinsSpacingCharacters = joins
        self.style = style
    }

    /// One scalar that `TextWidth.plainWidth` knows, from its UTF-8.
    init(plain utf8: UnsafeBufferPointer<UInt8>, _ style: Style) {
        self.init(glyph: Glyph(scalarUTF8: utf8), style)
    }

    /// One printable ASCII character.
    init(ascii: UInt8, _ style: Style) {
        self.init(glyph: Glyph(ascii: ascii), style)
    }

    private init(glyph: Glyph, _ style: Style) {
        self.glyph = glyph
        self.style = style
        joinsSpacingCharacters = false
    }

    /// A space in `style`.
    static func space(_ style: Style) -> Cell { Cell(ascii: 0x20, style) }

    /// The right half of a wide character in `style`.
    static func continuation(_ style: Style) -> Cell { Cell(glyph: .rightHalf, style) }

    public static let blank = Cell.space(.plain)

    public var text: String { glyph.text() }

    public var isContinuation: Bool { glyph.isEmpty }

    /// True for a space, in any style.
    public var isSpace: Bool { glyph == .space }

    private static func joinsSpacingCharacters(_ scalars: Substring.UnicodeScalarView) -> Bool {
        guard scalars.count > 1, scalars.count <= Self.longestJoinedEmoji else { return false }
        let spacing = scalars.filter { scalar in
            scalar.value != 0x200D && !(0xFE00...0xFE0F).contains(scalar.value) && !(0xE0020...0xE007F).contains(scalar.value)
                && !(0x1F3FB...0x1F3FF).contains(scalar.value) && TextWidth.of(scalar) > 0
        }
        guard spacing.count > 1, spacing.count <= Self.mostEmojiJoined else { return false }
        if spacing.count == 2, spacing.allSatisfy({ (0x1F1E6...0x1F1FF).contains($0.value) }) { return true }
        return scalars.contains { $0.value == 0x200D } && spacing.allSatisfy { $0.value > 0xFF && $0.properties.isEmoji }
    }

    /// The most characters a curses cell holds (its `CCHARW_MAX`).
    public static let cursesCharacters = 5
    /// The most scalars an emoji sequence has (a family of four with skin tones, a subdivision flag).
    public static let longestJoinedEmoji = 15
    /// The most emoji joined into one (a family of four).
    public static let mostEmojiJoined = 4
}

/// Changed cells next to each other on one row: what a backend writes.
public struct CellRun: Equatable, Sendable {
    public let x: Int
    public let y: Int
    public let cells: [Cell]
}
