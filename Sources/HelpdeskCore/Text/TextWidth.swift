
/// How many terminal columns text takes: 0 for marks that join the previous character, 2 for
/// East Asian wide and fullwidth characters and emoji, 1 otherwise.
public enum TextWidth {
    public static func of(_ character: Character) -> Int {
        if let byte = character.utf8.first, byte < 0x80, character.utf8.count == 1 { return byte >= 0x20 && byte != 0x7F ? 1 : 0 }
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        // An emoji asked for in its picture form; on a letter the selector changes nothing.
        if scalars.contains(where: { $0.value == 0xFE0F }), first.properties.isEmoji { return 2 }
        if scalars.count > 1, scalars.contains(where: { $0.value == 0x200D }), first.properties.isEmoji { return 2 }
        if isRegionalIndicator(first) { return 2 }
        return of(first)
    }

    public static func of(_ scalar: Unicode.Scalar) -> Int {
        if isCombiningDiacritical(scalar.value) { return 0 }
        if isPictograph(scalar.value) { return 2 }
        return plainWidth(scalar.value) ?? lookedUp(scalar)
    }

    /// The marks Latin, Greek and Cyrillic letters carry (U+0300–U+036F): nonspacing, known
    /// without asking Unicode's tables.
    static func isCombiningDiacritical(_ value: UInt32) -> Bool {
        (0x300...0x36F).contains(value)
    }

    /// Pictographs, emoticons and skin tones (U+1F300–U+1F64F, every one assigned): wide symbols,
    /// known without asking Unicode's tables.
    static func isPictograph(_ value: UInt32) -> Bool {
        (0x1F300...0x1F64F).contains(value)
    }

    /// The width from Unicode's properties.
    static func lookedUp(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control: return 0
        default: break
        }
        if scalar.properties.isEmojiPresentation { return 2 }
        return wideRanges.contains { $0.contains(value) } ? 2 : 1
    }

    public static func of(_ text: String) -> Int {
        if SafeText.isPrintableASCII(text) { return text.utf8.count }
        return text.reduce(0) { $0 + of($1) }
    }

    /// True when every scalar of `text` has a `plainWidth`: each is then a whole character of
    /// that width, and none is one that cleaning for the terminal changes.
    public static func isEveryScalarPlain(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var scalars = UTF8ScalarReader(bytes, from: 0)
            while true {
                _ = scalars.skip(while: { $0 >= 0x20 && $0 < 0x7F })
                guard let scalar = scalars.next() else { return true }
                guard plainWidth(scalar.value) != nil else { return false }
            }
        }
    }

    /// The width of a scalar that is a character of its own beside any other such scalar and that
    /// cleaning leaves alone, known without Unicode's tables: the narrow ones below, and kana, CJK
    /// ideographs and Hangul syllables (two columns); nil for any other.
    public static func plainWidth(_ value: UInt32) -> Int? {
        if narrowWithoutLookup(value) { return 1 }
        switch value {
        case 0x3041...0x3096, 0x309B...0x30FF, 0x4E00...0x9FFF, 0xAC00...0xD7A3: return 2
        default: return nil
        }
    }

    /// Printable ASCII, Latin-1 and the Latin letters after it, the Greek, Cyrillic, Hebrew and
    /// Arabic letters, general punctuation, box drawing, and what cleaning shows in place of
    /// control characters and invisible formatting (`␀`…`␦`, `◌`, `�`): one column, known
    /// without asking Unicode's tables (which cost most of a frame when asked for every cell).
    static func narrowWithoutLookup(_ value: UInt32) -> Bool {
        switch value {
        case 0x20...0x7E, 0xA0...0xAC, 0xAE...0x2FF, 0x391...0x3A1, 0x3A3...0x3CE, 0x400...0x482, 0x5D0...0x5EA, 0x620...0x64A: true
        case 0x2010...0x2027, 0x2400...0x2426, 0x2500...0x257F, 0x25CC, 0xFFFD: true
        default: false
        }
    }

    private static func isRegionalIndicator(_ scalar: Unicode.Scalar) -> Bool {
        (0x1F1E6...0x1F1FF).contains(scalar.value)
    }

    /// East Asian Wide (W) and Fullwidth (F) blocks.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
        0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60,
        0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1B000...0x1B2FF, 0x1F200...0x1F2FF, 0x1F300...0x1F64F,
        0x1F900...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]
}
