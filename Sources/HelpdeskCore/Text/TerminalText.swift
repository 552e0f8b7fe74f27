
/// Text on the screen: the one sanitizer (`SafeText`) for a line of cells, and cutting, padding
/// and wrapping by terminal columns.
public enum TerminalText {
    /// Outside text made safe to draw as one line.
    public static func sanitize(_ text: String) -> String {
        SafeText.forTerminal(text)
    }

    /// Cuts `text` (already sanitized) to `width` columns, ending in `…` when cut.
    public static func truncate(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        guard TextWidth.of(text) > width else { return text }
        var result = ""
        var used = 0
        for character in text {
            let w = TextWidth.of(character)
            if used + w > width - 1 { break }
            result.append(character)
            used += w
        }
        return result + "…"
    }

    /// The longest start of `text` that fits in `columns`, whole characters only.
    public static func prefix(_ text: String, columns: Int) -> String {
        var result = ""
        var used = 0
        for character in text {
            let width = TextWidth.of(character)
            if used + width > columns { break }
            result.append(character)
            used += width
        }
        return result
    }

    /// Pads `text` with spaces to `width` columns (after truncating).
    public static func fit(_ text: String, to width: Int) -> String {
        let cut = truncate(text, to: width)
        return cut + String(repeating: " ", count: max(0, width - TextWidth.of(cut)))
    }

    /// Splits sanitized text into lines of at most `width` columns, at spaces where possible; a
    /// word longer than a line breaks after its last `@ . - _ /` that fits (an email after its `@`
    /// or a dot), else where the line ends. With `maxLines`, stops once it has one line more than
    /// that (so a caller can tell the text was longer). Linear in the text's length.
    public static func wrap(_ text: String, width: Int, maxLines: Int? = nil) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        let enough = maxLines.map { $0 + 1 } ?? Int.max
        var line = ""
        var lineWidth = 0
        /// False while the line holds nothing or only its indent.
        var lineHasWord = false
        var word: [Character] = []
        var wordWidth = 0

        func endLine() {
            lines.append(line)
            line = ""
            lineWidth = 0
            lineHasWord = false
        }
        /// Puts the word on the line, or on new lines, breaking it where it is too long.
        func placeWord() {
            guard !word.isEmpty else { return }
            let separator = lineHasWord ? 1 : 0
            if lineWidth + separator + wordWidth <= width {
                if lineHasWord { line.append(" ") }
                line.append(contentsOf: word)
                lineWidth += separator + wordWidth
                lineHasWord = true
                word = []
                wordWidth = 0
                return
            }
            if lineWidth > 0 { endLine() }
            var start = 0
            while wordWidth > width, lines.count < enough {
                // The longest start that fits, cut after a break character when there is one late enough.
                var used = 0
                var count = 0
                var lastBreak = 0
                while start + count < word.count {
                    let characterWidth = TextWidth.of(word[start + count])
                    if used + characterWidth > width { break }
                    used += characterWidth
                    count += 1
                    if isBreak(word[start + count - 1]) { lastBreak = count }
                }
                let take = max(1, lastBreak > count / 2 ? lastBreak : count)
                var taken = 0
                for index in start..<(start + take) { taken += TextWidth.of(word[index]) }
                lines.append(String(word[start..<(start + take)]))
                start += take
                wordWidth -= taken
            }
            line = String(word[start...])
            lineWidth = wordWidth
            lineHasWord = true
            word = []
            wordWidth = 0
        }

        for character in text {
            if lines.count >= enough { break }
            switch asciiByte(character) {
            case 0x0A:
                placeWord()
                endLine()
            case 0x20:
                if !word.isEmpty {
                    placeWord()
                } else if lineWidth + 1 < width {
                    // An indent, or a second space between words: kept while it fits.
                    line.append(" ")
                    lineWidth += 1
                }
            default:
                if character.utf8.count > longestDrawnCharacter {
                    // Marks piled past anything a cell shows: only the first scalars are drawn.
                    let kept = drawnStart(of: character)
                    word.append(contentsOf: kept)
                    wordWidth += TextWidth.of(kept)
                } else {
                    word.append(character)
                    wordWidth += TextWidth.of(character)
                }
            }
        }
        if lines.count < enough {
            placeWord()
            if lines.count < enough { lines.append(line) }
        }
        return maxLines.map { Array(lines.prefix($0 + 1)) } ?? lines
    }

    /// The most scalars of one character that wrapped text keeps: more than any emoji sequence
    /// has and any cell draws (a letter under thousands of marks would otherwise be read whole for
    /// every frame that draws it).
    static let mostScalarsDrawn = 16
    /// Bytes beyond which a character may hold more than `mostScalarsDrawn` scalars.
    private static let longestDrawnCharacter = mostScalarsDrawn

    /// A character's first `mostScalarsDrawn` scalars, without a joiner or virama at the end:
    /// one there would join the character to the next (an emoji, a consonant) once the line is
    /// one string.
    static func drawnStart(of character: Character) -> String {
        var scalars = Array(character.unicodeScalars.prefix(mostScalarsDrawn))
        while scalars.count > 1, let last = scalars.last, joinsTheNext.contains(last.value) { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    /// The zero-width joiner, and the viramas that join an Indic consonant to the next one.
    private static let joinsTheNext: Set<UInt32> = [0x200D, 0x094D, 0x09CD, 0x0ACD, 0x0B4D, 0x0C4D, 0x0D4D]

    /// The byte of a one-byte character, found without comparing characters: comparing one made
    /// of several scalars (a letter and its marks) normalizes both sides, which cost most of a
    /// long text's wrapping.
    static func asciiByte(_ character: Character) -> UInt8? {
        let utf8 = character.utf8
        return utf8.count == 1 ? utf8.first : nil
    }

    /// `@ . _ - /`: a long word may break after one.
    private static func isBreak(_ character: Character) -> Bool {
        switch asciiByte(character) {
        case UInt8(ascii: "@"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "/"): true
        default: false
        }
    }
}
