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

    private init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// One printable ASCII character.
    init(ascii byte: UInt8) {
        self.init(low: UInt64(byte), high: 1 << 56)
    }

    /// One scalar, from its UTF-8 (one to four bytes).
    init(scalarUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        var low: UInt64 = 0
        for (index, byte) in bytes.prefix(4).enumerated() { low |= UInt64(byte) << (8 * index) }
        self.init(low: low, high: UInt64(min(bytes.count, 4)) << 56)
    }

    /// `text`, inline when it fits, otherwise numbered by `table`.
    init(_ text: Substring.UnicodeScalarView, in table: LongGlyphs = .shared) {
        let count = text.reduce(0) { $0 + UTF8.width($1) }
        guard count <= Self.inlineCapacity else {
            self.init(low: table.number(for: String(text)), high: Self.longMark << 56)
            return
        }
        var low: UInt64 = 0, high: UInt64 = 0, used = 0
        for byte in text.lazy.flatMap(\.utf8) {
            if used < 8 { low |= UInt64(byte) << (8 * used) } else { high |= UInt64(byte) << (8 * (used - 8)) }
            used += 1
        }
        self.init(low: low, high: high | UInt64(count) << 56)
    }

    /// The right half of a wide character.
    var isEmpty: Bool { low == 0 && high == 0 }

    /// The grapheme's text; a long one `table` has let go (a cell kept past thousands of others
    /// drawn since) reads as U+FFFD.
    func text(in table: LongGlyphs = .shared) -> String {
        let count = Int(high >> 56)
        if UInt64(count) == Self.longMark { return table.text(low) ?? "\u{FFFD}" }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.inlineCapacity) { buffer in
            for index in 0..<count {
                buffer[index] = UInt8(truncatingIfNeeded: index < 8 ? low >> (8 * index) : high >> (8 * (index - 8)))
            }
            return String(decoding: buffer[0..<count], as: UTF8.self)
        }
    }
}

/// Texts too long for a glyph (joined emoji, a letter under several marks), numbered as they are
/// drawn. A number is never given twice, so glyphs with one number hold one text. Past `limit`
/// the oldest are let go: a text drawn again gets a new number and its cell is sent again, and
/// text crafted with endless distinct clusters cannot grow the table. A frame's texts are read
/// while it is drawn, far within the limit.
final class LongGlyphs: Sendable {
    static let shared = LongGlyphs(limit: 16_384)

    private struct Table {
        var numbers: [String: UInt64] = [:]
        var texts: [UInt64: String] = [:]
        var next: UInt64 = 0
    }

    let limit: Int
    private let table = Mutex(Table())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    func number(for text: String) -> UInt64 {
        table.withLock { table in
            if let number = table.numbers[text] { return number }
            let number = table.next
            table.next += 1
            table.numbers[text] = number
            table.texts[number] = text
            // Numbers count up, so the oldest kept is the one `limit` before the newest.
            if table.texts.count > limit, let oldest = table.texts.removeValue(forKey: number - UInt64(limit)) {
                table.numbers[oldest] = nil
            }
            return number
        }
    }

    func text(_ number: UInt64) -> String? {
        table.withLock { $0.texts[number] }
    }
}
