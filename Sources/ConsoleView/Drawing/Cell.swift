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
        if character.utf8.count == 1, let ascii = character.utf8.first {
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

    /// One scalar that `TextWidth.plainWidth` knows, from its UTF-8, with at most four combining
    /// diacritical marks after it (U+0300–U+036F, which never join emoji).
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

    /// Calls `body` with the cell's text as UTF-8, without making a string of it.
    public func withUTF8(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        glyph.withUTF8(body)
    }

    public var isContinuation: Bool { glyph.isEmpty }

    /// True for a space, in any style.
    public var isSpace: Bool { glyph == .space }

    /// Counted in one pass over the scalars, without building a collection of them (a filtered
    /// scalar view is rebuilt a scalar at a time).
    private static func joinsSpacingCharacters(_ scalars: Substring.UnicodeScalarView) -> Bool {
        var count = 0
        var spacing = 0
        var joined = false
        var allRegional = true
        var allEmoji = true
        for scalar in scalars {
            count += 1
            if count > Self.longestJoinedEmoji { return false }
            let value = scalar.value
            if value == 0x200D { joined = true }
            guard value != 0x200D, !(0xFE00...0xFE0F).contains(value), !(0xE0020...0xE007F).contains(value),
                  !(0x1F3FB...0x1F3FF).contains(value), TextWidth.of(scalar) > 0 else { continue }
            spacing += 1
            allRegional = allRegional && (0x1F1E6...0x1F1FF).contains(value)
            allEmoji = allEmoji && value > 0xFF && scalar.properties.isEmoji
            // A letter under its marks: neither a flag nor joined emoji, whatever follows.
            if !allRegional, !allEmoji { return false }
        }
        guard count > 1, spacing > 1, spacing <= Self.mostEmojiJoined else { return false }
        if spacing == 2, allRegional { return true }
        return joined && allEmoji
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
