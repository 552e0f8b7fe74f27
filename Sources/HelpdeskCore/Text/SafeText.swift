/// The one sanitizer for text that reaches a terminal: anything from Okta, the store or another
/// operator. Control characters and the starts of escape sequences (C0, DEL, C1) become visible
/// placeholders; bidi overrides and other invisible formatting become `�`; a mark with nothing to
/// sit on gets a dotted circle. Joiners, variation selectors and tags stay inside an emoji, so
/// `👩‍💻` is drawn whole. Nothing it returns can move the cursor or change the terminal.
public enum SafeText {
    /// For one line of the screen: every control character is shown, newlines too.
    public static func forTerminal(_ text: String) -> String {
        clean(text, keepingLines: false)
    }

    /// For a command's output: lines and tabs stay, everything else is shown as above.
    public static func forOutput(_ text: String) -> String {
        clean(text, keepingLines: true)
    }

    /// JSON text whose every character a terminal might act on is written as a `\uXXXX` escape,
    /// so a script still reads the exact value and a person's terminal shows only ASCII for it.
    public static func escapingJSON(_ json: String) -> String {
        let plain = endOfPrintableASCII(json, keepingLines: true)
        if plain == json.utf8.count { return json }
        var text = json
        let harmful = text.withUTF8 { bytes in
            var scalars = UTF8ScalarReader(bytes, from: plain)
            while let scalar = scalars.next() {
                if isHarmfulInJSON(scalar) { return true }
            }
            return false
        }
        guard harmful else { return json }
        var result = String.UnicodeScalarView()
        for scalar in json.unicodeScalars {
            guard isHarmfulInJSON(scalar) else {
                result.append(scalar)
                continue
            }
            for unit in String(scalar).utf16 {
                let hex = String(unit, radix: 16)
                result.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            }
        }
        return String(result)
    }

    /// True when every byte is printable ASCII: nothing to clean.
    public static func isPrintableASCII(_ text: String) -> Bool {
        endOfPrintableASCII(text, keepingLines: false) == text.utf8.count
    }

    /// How many bytes from the start are printable ASCII (and line feeds and tabs when lines are
    /// kept; a carriage return is still cleaned: `\r\n` becomes `\n`, a lone one is shown), read
    /// from the text's own storage: a page of output is mostly that.
    static func endOfPrintableASCII(_ text: String, keepingLines: Bool) -> Int {
        var text = text
        return text.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                guard (byte >= 0x20 && byte < 0x7F) || (keepingLines && (byte == 0x0A || byte == 0x09)) else { break }
                index += 1
            }
            return index
        }
    }

    private static func clean(_ text: String, keepingLines: Bool) -> String {
        let plain = endOfPrintableASCII(text, keepingLines: keepingLines)
        if plain == text.utf8.count || isClean(text, keepingLines: keepingLines, from: plain) { return text }
        return cleanEachCharacter(text, keepingLines: keepingLines)
    }

    /// True when cleaning would change nothing, decided scalar by scalar (much faster than by
    /// characters): no control character (lines and tabs aside when kept), no DEL or C1, no
    /// invisible formatting, and no mark, joiner, variation selector or tag that starts a
    /// character. Those attach to whatever precedes them except at the start of the text and
    /// after a control character or an unassigned code point, so that is where they start one.
    /// Spacing marks (where the rules for breaking characters have exceptions) are left to the
    /// character-by-character cleaning. `from`: a byte offset up to which the text is known to be
    /// printable ASCII (and kept lines), where the walk starts.
    static func isClean(_ text: String, keepingLines: Bool, from plain: Int = 0) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var scalars = UTF8ScalarReader(bytes, from: plain)
            // A scalar starts a character at the start of the text and after a control character.
            var startsCharacter = plain == 0 || bytes[plain - 1] < 0x20
            while true {
                if !scalars.skip(while: { $0 >= 0x20 && $0 < 0x7F }).isEmpty { startsCharacter = false }
                guard let scalar = scalars.next() else { break }
                let value = scalar.value
                var breaksAfter = value < 0x20
                defer { startsCharacter = breaksAfter }
                switch value {
                case 0x20...0x7E: continue
                case 0x0A, 0x09: if !keepingLines { return false }
                case 0x00...0x1F, 0x7F...0x9F: return false
                case 0x200D, 0x200C, 0xFE00...0xFE0F, 0xE0020...0xE007F: if startsCharacter { return false }
                case _ where TextWidth.isCombiningDiacritical(value): if startsCharacter { return false }  // marks, every one assigned
                case _ where TextWidth.isPictograph(value) || TextWidth.plainWidth(value) != nil: continue  // symbols and letters cleaning leaves alone
                default:
                    let category = scalar.properties.generalCategory
                    if category == .spacingMark || isInvisibleFormatting(scalar, category) || (startsCharacter && isMark(category)) { return false }
                    breaksAfter = category == .unassigned
                }
            }
            return true
        }
    }

    /// The cleaning itself, a character at a time.
    static func cleanEachCharacter(_ text: String, keepingLines: Bool) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            if let ascii = character.asciiValue, ascii >= 0x20, ascii != 0x7F {
                result.append(character)
            } else if keepingLines, character == "\n" || character == "\t" || character == "\r\n" {
                result.append(character == "\r\n" ? "\n" : character)
            } else {
                clean(character, into: &result)
            }
        }
        return result
    }

    private static func clean(_ character: Character, into output: inout String) {
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
                if isInvisibleFormatting(scalar) {
                    output += "�"
                } else if first, isMark(scalar) {
                    output += "◌"
                    output.unicodeScalars.append(scalar)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
    }

    private static func isInvisibleFormatting(_ scalar: Unicode.Scalar, _ category: Unicode.GeneralCategory? = nil) -> Bool {
        let category = category ?? scalar.properties.generalCategory
        return category == .format || category == .lineSeparator || category == .paragraphSeparator || category == .surrogate
            || (category == .unassigned && scalar.value >= 0xF0000)
    }

    private static func isMark(_ scalar: Unicode.Scalar) -> Bool {
        isMark(scalar.properties.generalCategory)
    }

    private static func isMark(_ category: Unicode.GeneralCategory) -> Bool {
        category == .nonspacingMark || category == .enclosingMark || category == .spacingMark
    }

    static func isHarmfulInJSON(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20...0x7E: return false
        case 0x0A, 0x0D, 0x09: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x200D, 0x200C, 0xFE00...0xFE0F, 0xE0020...0xE007F: return false
        case 0x4E00...0x9FFF: return false  // CJK ideographs: letters, every one assigned
        default: return isInvisibleFormatting(scalar)
        }
    }
}
