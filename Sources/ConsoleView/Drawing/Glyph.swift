import Synchronization

/// A cell's grapheme held as plain bits: its UTF-8 inline when it fits in 15 bytes, otherwise a
/// number for it in `LongGlyphs`. Equal glyphs are equal bits, so a screen of cells is made,
/// copied and compared as plain memory, with no reference to count.
struct Glyph: Hashable, Sendable {
    /// Bytes 0–7 of the UTF-8 (byte i at bits 8i), or the long glyph's number.
    private var low: UInt64
    /// Bytes 8–14 of the UTF-8; the top byte is the byte count, or `longMark`.
    private var high: UInt64

    static let longMark: UInt64 = 0xFF
    static let inlineCapacity = 15
    /// The right half of a wide character.
    static let empty = Glyph(low: 0, high: 0)
    static let space = Glyph(ascii: 0x20)

    private init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// One printable ASCII character.
    init(ascii byte: UInt8) {
        self.init(low: UInt64(byte), high: 1 << 56)
    }

    /// A character of at most 15 bytes, from its UTF-8.
    init(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        var low: UInt64 = 0, high: UInt64 = 0
        for (index, byte) in bytes.prefix(Self.inlineCapacity).enumerated() {
            if index < 8 { low |= UInt64(byte) << (8 * index) } else { high |= UInt64(byte) << (8 * (index - 8)) }
        }
        self.init(low: low, high: high | UInt64(min(bytes.count, Self.inlineCapacity)) << 56)
    }

    /// `text` itself when it fits inline or the long glyphs take it; else as much of it, in whole
    /// characters, as fits inline (`isWhole` says which).
    init(_ text: Substring.UnicodeScalarView) {
        let count = text.reduce(0) { $0 + UTF8.width($1) }
        if count > Self.inlineCapacity, let number = LongGlyphs.number(for: String(text)) {
            self.init(low: UInt64(number), high: Self.longMark << 56)
            return
        }
        var low: UInt64 = 0, high: UInt64 = 0, used = 0
        for scalar in text {
            guard used + UTF8.width(scalar) <= Self.inlineCapacity else { break }
            for byte in scalar.utf8 {
                if used < 8 { low |= UInt64(byte) << (8 * used) } else { high |= UInt64(byte) << (8 * (used - 8)) }
                used += 1
            }
        }
        self.init(low: low, high: high | UInt64(used) << 56)
    }

    var isEmpty: Bool { low == 0 && high == 0 }

    /// The grapheme's text.
    var text: String {
        let count = Int(high >> 56)
        if UInt64(count) == Self.longMark { return LongGlyphs.text(Int(low)) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.inlineCapacity) { buffer in
            for index in 0..<count {
                buffer[index] = UInt8(truncatingIfNeeded: index < 8 ? low >> (8 * index) : high >> (8 * (index - 8)))
            }
            return String(decoding: buffer[0..<count], as: UTF8.self)
        }
    }
}

/// Graphemes longer than a glyph holds inline (joined emoji), each numbered once for the life of
/// the program. Bounded: past `limit` a new one is not taken (its cell keeps what fits inline),
/// so text crafted with endless distinct clusters cannot grow it.
enum LongGlyphs {
    static let limit = 4096
    private static let table = Mutex<(numbers: [String: Int], texts: [String])>(([:], []))

    static func number(for text: String) -> Int? {
        table.withLock { table in
            if let number = table.numbers[text] { return number }
            guard table.texts.count < limit else { return nil }
            table.texts.append(text)
            table.numbers[text] = table.texts.count - 1
            return table.texts.count - 1
        }
    }

    static func text(_ number: Int) -> String {
        table.withLock { $0.texts[number] }
    }
}
