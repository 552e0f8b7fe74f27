import Synchronization

/// A cell's grapheme held as plain bits: its UTF-8 inline when it fits in 15 bytes, otherwise the
/// number `LongGlyphs` gave its text. Equal glyphs are equal bits, so a screen of cells is made,
/// copied and compared as plain memory, with no reference to count.
struct Glyph: Hashable, Sendable {
    /// Bytes 0–7 of the UTF-8 (byte i at bits 8i), or a long glyph's number.
    private var low: UInt64
    /// Bytes 8–14 of the UTF-8; the top byte is the byte count, or `longMark`.
    private var high: UInt64

    private static let longMark: UInt64 = 0xFF
    static let inlineCapacity = 15
    static let space = Glyph(ascii: 0x20)
    /// The right half of a wide character: no text.
    static let rightHalf = Glyph(low: 0, high: 0)

    private init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// One printable ASCII character.
    init(ascii byte: UInt8) {
        self.init(low: UInt64(byte), high: 1 << 56)
    }

    /// One character of at most `inlineCapacity` bytes, from its UTF-8.
    init(scalarUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        self.init(inline: bytes, count: bytes.count)
    }

    /// `text`, inline when it fits, otherwise numbered by `table`.
    init(_ text: Substring.UnicodeScalarView, in table: LongGlyphs = .shared) {
        let count = text.reduce(0) { $0 + UTF8.width($1) }
        guard count <= Self.inlineCapacity else {
            self.init(low: table.number(for: String(text)), high: Self.longMark << 56)
            return
        }
        self.init(inline: text.lazy.flatMap(\.utf8), count: count)
    }

    /// `count` bytes of UTF-8 (at most `inlineCapacity`), held inline.
    private init(inline bytes: some Sequence<UInt8>, count: Int) {
        var low: UInt64 = 0, high: UInt64 = 0
        for (index, byte) in bytes.prefix(Self.inlineCapacity).enumerated() {
            if index < 8 { low |= UInt64(byte) << (8 * index) } else { high |= UInt64(byte) << (8 * (index - 8)) }
        }
        self.init(low: low, high: high | UInt64(min(count, Self.inlineCapacity)) << 56)
    }

    var isEmpty: Bool { self == .rightHalf }

    /// The grapheme's text; a long one `table` has let go (a cell kept from a frame before the
    /// last, after thousands of others were drawn) reads as U+FFFD.
    func text(in table: LongGlyphs = .shared) -> String {
        var text = ""
        withUTF8(in: table) { text = String(decoding: $0, as: UTF8.self) }
        return text
    }

    /// Calls `body` with the grapheme's UTF-8 (a long one's as `text` reads it). Not generic, so a
    /// backend in another module calls it for every cell without looking up generic metadata.
    func withUTF8(in table: LongGlyphs = .shared, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        let count = Int(high >> 56)
        if UInt64(count) == Self.longMark {
            var text = table.text(low) ?? "\u{FFFD}"
            return text.withUTF8(body)
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.inlineCapacity) { buffer in
            for index in 0..<count {
                buffer[index] = UInt8(truncatingIfNeeded: index < 8 ? low >> (8 * index) : high >> (8 * (index - 8)))
            }
            body(UnsafeBufferPointer(rebasing: buffer[0..<count]))
        }
    }
}

/// Texts too long for a glyph (joined emoji, a letter under several marks), numbered as they are
/// drawn. A number is never given twice, so glyphs with one number hold one text. When a frame
/// begins with more than `limit` texts kept, those the last frame did not draw are let go (drawn
/// again, a text gets a new number and its cell is sent again): text crafted with endless
/// distinct clusters cannot grow the table past `limit` and two frames' worth, and a frame's own
/// texts are kept while it is drawn, however large the terminal. Frames are the console loop's
/// (`FrameDiff`), one a process; other renderers (tests) share the table below its limit.
final class LongGlyphs: Sendable {
    static let shared = LongGlyphs(limit: 4096)

    private struct Entry {
        let text: String
        /// The last frame that drew it.
        var frame: UInt64
    }

    private struct Table {
        var numbers: [String: UInt64] = [:]
        var entries: [UInt64: Entry] = [:]
        var next: UInt64 = 0
        var frame: UInt64 = 0
    }

    let limit: Int
    private let table = Mutex(Table())

    init(limit: Int) {
        self.limit = max(0, limit)
    }

    func number(for text: String) -> UInt64 {
        table.withLock { table in
            if let number = table.numbers[text] {
                table.entries[number]?.frame = table.frame
                return number
            }
            let number = table.next
            table.next += 1
            table.numbers[text] = number
            table.entries[number] = Entry(text: text, frame: table.frame)
            return number
        }
    }

    func text(_ number: UInt64) -> String? {
        table.withLock { $0.entries[number]?.text }
    }

    /// A frame is about to be drawn: past the limit, the texts the last one did not draw go.
    func beginFrame() {
        table.withLock { table in
            defer { table.frame += 1 }
            guard table.entries.count > limit else { return }
            let lastFrame = table.frame
            for (number, entry) in table.entries where entry.frame < lastFrame {
                table.entries[number] = nil
                table.numbers[entry.text] = nil
            }
        }
    }

    var count: Int { table.withLock { $0.entries.count } }
}
