/// The text of a statement that writes or looks up many rows at once, written once for each
/// number of rows an import's statements use (the powers of two up to `Session.rowsPerStatement`)
/// instead of on every call.
struct RowsStatement: Sendable {
    private let text: @Sendable (_ rows: Int) -> String
    private let written: [String]

    init(_ text: @escaping @Sendable (_ rows: Int) -> String) {
        self.text = text
        written = (0...Session.rowsPerStatement.trailingZeroBitCount).map { text(1 << $0) }
    }

    subscript(rows rows: Int) -> String {
        rows.nonzeroBitCount == 1 && rows <= Session.rowsPerStatement ? written[rows.trailingZeroBitCount] : text(rows)
    }

    /// `row` `count` times, comma-separated.
    static func repeated(_ row: String, _ count: Int) -> String {
        Array(repeating: row, count: count).joined(separator: ", ")
    }
}
