import HelpdeskCore

/// One terminal cell: a grapheme and its style. The right half of a wide character is a
/// continuation cell with empty text.
public struct Cell: Hashable, Sendable {
    public var text: String
    public var style: Style

    public init(_ text: String, _ style: Style = .plain) {
        self.text = text
        self.style = style
    }

    public static let blank = Cell(" ")

    public var isContinuation: Bool { text.isEmpty }

    /// The most scalars an emoji sequence has (a family of four with skin tones, a subdivision flag).
    public static let longestJoinedEmoji = 15

    /// True when the grapheme has a spacing character after its first one (`👩‍💻`, a family, a
    /// flag): one cell to the terminal, but more than a curses cell can hold. Longer chains than
    /// any emoji (more than `longestJoinedEmoji` scalars) are not: a terminal would draw them
    /// as many glyphs, so only their first character is drawn.
    public var joinsSpacingCharacters: Bool {
        let scalars = text.unicodeScalars
        guard scalars.count > 1, scalars.count <= Self.longestJoinedEmoji else { return false }
        return scalars.dropFirst().contains { scalar in
            scalar.value != 0x200D && !(0xFE00...0xFE0F).contains(scalar.value) && !(0xE0020...0xE007F).contains(scalar.value)
                && !(0x1F3FB...0x1F3FF).contains(scalar.value) && TextWidth.of(scalar) > 0
        }
    }
}

/// Changed cells next to each other on one row: what a backend writes.
public struct CellRun: Equatable, Sendable {
    public let x: Int
    public let y: Int
    public let cells: [Cell]
}
