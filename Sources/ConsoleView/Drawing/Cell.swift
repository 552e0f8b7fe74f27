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
}

/// Changed cells next to each other on one row: what a backend writes.
public struct CellRun: Equatable, Sendable {
    public let x: Int
    public let y: Int
    public let cells: [Cell]
}
