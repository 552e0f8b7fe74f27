
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

    /// Splits sanitized text into lines of at most `width` columns, at spaces where possible.
    public static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            var lineWidth = 0
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
                let wordWidth = TextWidth.of(word)
                let needed = lineWidth == 0 ? wordWidth : lineWidth + 1 + wordWidth
                if needed <= width {
                    line += lineWidth == 0 && line.isEmpty ? word : " " + word
                    lineWidth = needed
                    continue
                }
                if !line.isEmpty || lineWidth > 0 { lines.append(line) }
                if wordWidth <= width {
                    line = word
                    lineWidth = wordWidth
                } else {
                    var rest = word
                    while TextWidth.of(rest) > width {
                        let piece = breakPoint(rest, width: width)
                        lines.append(String(rest.prefix(piece)))
                        rest = String(rest.dropFirst(piece))
                    }
                    line = rest
                    lineWidth = TextWidth.of(rest)
                }
            }
            lines.append(line)
        }
        return lines
    }

    /// How many characters of a word too long for a line go on this line: up to and including
    /// the last `@ . - _ /` that fits (an email breaks after its `@` or a dot), else as many as fit.
    static func breakPoint(_ word: String, width: Int) -> Int {
        var used = 0
        var count = 0
        var lastBreak = 0
        for character in word {
            let characterWidth = TextWidth.of(character)
            if used + characterWidth > width { break }
            used += characterWidth
            count += 1
            if "@._-/".contains(character) { lastBreak = count }
        }
        return max(1, lastBreak > count / 2 ? lastBreak : count)
    }
}
