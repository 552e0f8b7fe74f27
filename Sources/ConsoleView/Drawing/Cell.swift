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

    /// True for an emoji sequence that curses cannot hold in one cell: a zero-width-joiner
    /// sequence (`👩‍💻`, a family of up to four) or a flag, whose spacing characters are all emoji.
    /// Anything else with several spacing characters (marks piled on a letter, a chain longer
    /// than any emoji) is not: a terminal would draw it wider than its cell, so curses' first
    /// character alone is drawn.
    public var joinsSpacingCharacters: Bool {
        let scalars = text.unicodeScalars
        guard scalars.count > 1, scalars.count <= Self.longestJoinedEmoji else { return false }
        let spacing = scalars.filter { scalar in
            scalar.value != 0x200D && !(0xFE00...0xFE0F).contains(scalar.value) && !(0xE0020...0xE007F).contains(scalar.value)
                && !(0x1F3FB...0x1F3FF).contains(scalar.value) && TextWidth.of(scalar) > 0
        }
        guard spacing.count > 1, spacing.count <= Self.mostEmojiJoined else { return false }
        if spacing.count == 2, spacing.allSatisfy({ (0x1F1E6...0x1F1FF).contains($0.value) }) { return true }
        return scalars.contains { $0.value == 0x200D } && spacing.allSatisfy { $0.value > 0xFF && $0.properties.isEmoji }
    }

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
