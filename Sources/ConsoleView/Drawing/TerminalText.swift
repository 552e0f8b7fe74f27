/// The one sanitizer for text from outside (subjects, bodies, names, Okta's messages): control
/// characters and the starts of escape sequences become visible placeholders, bidi overrides
/// and other invisible formatting become `�`, and a mark with nothing to sit on gets a dotted
/// circle. Nothing it returns can move the cursor or change the terminal.
public enum TerminalText {
    public static func sanitize(_ text: String) -> String {
        if isPrintableASCII(text) { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            if character.isASCII, let ascii = character.asciiValue, ascii >= 0x20, ascii != 0x7F {
                result.append(character)
                continue
            }
            result += clean(character)
        }
        return result
    }

    /// True when every byte is printable ASCII: nothing to clean, one column per byte.
    static func isPrintableASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    private static func clean(_ character: Character) -> String {
        var output = ""
        var first = true
        for scalar in character.unicodeScalars {
            defer { first = false }
            let value = scalar.value
            switch value {
            case 0x00...0x1F: output.unicodeScalars.append(Unicode.Scalar(0x2400 + value)!)
            case 0x7F: output += "␡"
            case 0x80...0x9F: output += "�"
            case 0x200D, 0x200C, 0xFE00...0xFE0F, 0xE0020...0xE007F:
                // Joiners, variation selectors and tag characters build emoji; they draw nothing alone.
                if first { output += "�" } else { output.unicodeScalars.append(scalar) }
            default:
                let category = scalar.properties.generalCategory
                if category == .format || category == .lineSeparator || category == .paragraphSeparator || category == .surrogate || category == .unassigned && value >= 0xF0000 {
                    output += "�"
                } else if first, category == .nonspacingMark || category == .enclosingMark || category == .spacingMark {
                    output += "◌"
                    output.unicodeScalars.append(scalar)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output
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
                        let piece = truncate(rest, to: width + 1).dropLast()
                        lines.append(String(piece))
                        rest = String(rest.dropFirst(piece.count))
                    }
                    line = rest
                    lineWidth = TextWidth.of(rest)
                }
            }
            lines.append(line)
        }
        return lines
    }
}
