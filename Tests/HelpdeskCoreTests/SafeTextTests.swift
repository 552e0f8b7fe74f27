@testable import HelpdeskCore
import Testing

/// The sanitizer's quick check must never let through what cleaning would change.
@Suite struct SafeTextTests {
    static let pieces: [String] = [
        "a", "Z", " ", "\n", "\t", "\r", "\r\n", "\u{00}", "\u{1B}", "\u{7F}", "\u{85}", "\u{9B}", "é", "e\u{301}", "\u{301}", "\u{20DD}",
        "\u{903}", "接続", "👩", "\u{200D}", "💻", "\u{FE0F}", "\u{200C}", "\u{E0067}", "🏴", "🇬🇧", "\u{202E}", "\u{2066}", "\u{200B}",
        "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{AD}", "\u{F0001}", "ﬁ", "Ａ", "ᄀ", "\u{1160}", "\u{0600}", "\u{0915}", "\u{094D}",
        "\u{102B}", "\u{1000}", "\u{0940}", "\u{2065}", "\u{FFF0}", "\u{E0000}", "\u{E0080}",
    ]

    @Test func theQuickCheckAgreesWithCleaningEveryCharacter() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 1...6, using: &generator)).map { _ in Self.pieces.randomElement(using: &generator)! }.joined()
            for keepingLines in [true, false] where SafeText.isClean(text, keepingLines: keepingLines) {
                #expect(SafeText.cleanEachCharacter(text, keepingLines: keepingLines) == text,
                        "\(text.unicodeScalars.map { String($0.value, radix: 16) }) keepingLines \(keepingLines)")
            }
        }
        #expect(SafeText.isClean("接続 é 👩‍💻 line\nnext", keepingLines: true))
        #expect(SafeText.isClean("plain ASCII first, then 接続", keepingLines: false, from: 23))
        #expect(!SafeText.isClean("a line\n\u{301}", keepingLines: true, from: 7), "a mark after a kept line feed starts a character")
        #expect(!SafeText.isClean("\u{301}accent first", keepingLines: true))
        #expect(!SafeText.isClean("after a line\n\u{301}", keepingLines: true))
    }

    @Test func theSanitizerResumingAfterPlainASCIIAnswersAsCleaningEveryCharacter() {
        var generator = SystemRandomNumberGenerator()
        let plain = ["abc", " ", "\n", "\t", "x\ny"]
        for _ in 0..<20_000 {
            let prefix = (0..<Int.random(in: 0...3, using: &generator)).map { _ in plain.randomElement(using: &generator)! }.joined()
            let text = prefix + (0..<Int.random(in: 0...4, using: &generator)).map { _ in Self.pieces.randomElement(using: &generator)! }.joined()
            #expect(SafeText.forOutput(text) == SafeText.cleanEachCharacter(text, keepingLines: true), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
            #expect(SafeText.forTerminal(text) == SafeText.cleanEachCharacter(text, keepingLines: false), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    /// The checks pass over CJK ideographs without looking them up: every one must be a letter.
    @Test func everyCJKIdeographTheChecksPassOverIsALetter() {
        let others = (0x4E00...0x9FFF).filter { Unicode.Scalar(UInt32($0))!.properties.generalCategory != .otherLetter }
        #expect(others.isEmpty, "\(others.map { String($0, radix: 16) })")
        #expect(SafeText.escapingJSON("接続\u{202E}\u{2028}\u{200B}\u{FEFF}\u{85}\u{AD}\u{E0001}") == #"接続\u202e\u2028\u200b\ufeff\u0085\u00ad\udb40\udc01"#)
    }

    /// The check passes over Latin letters and signs and pictographs without looking them up, and
    /// knows the combining diacritical marks as marks: each must be what Unicode's tables say, and a text of
    /// them clean exactly when cleaning leaves it alone.
    @Test func theLatinAndDiacriticalScalarsTheCheckPassesOverAreWhatTheTablesSay() {
        #expect((UInt32(0)...0xFFFF).filter(TextWidth.isCombiningDiacritical) == Array(0x300...0x36F))
        for value in UInt32(0xA0)...0x36F where value != 0xAD {
            let scalar = Unicode.Scalar(value)!
            let category = scalar.properties.generalCategory
            let mark = category == .nonspacingMark
            #expect(mark == (value >= 0x300), "U+\(String(value, radix: 16)) is \(category)")
            #expect(![.spacingMark, .enclosingMark, .format, .unassigned, .control].contains(category), "U+\(String(value, radix: 16)) is \(category)")
            for text in ["\(scalar)", "a\(scalar)", "\(scalar)\(scalar)", "接\(scalar)"] {
                #expect(SafeText.isClean(text, keepingLines: false) == (SafeText.cleanEachCharacter(text, keepingLines: false) == text), "\(text.unicodeScalars.map(\.value))")
            }
            for text in ["\u{7}\(scalar)", "\u{378}\(scalar)", "\u{85}\(scalar)"] where SafeText.isClean(text, keepingLines: false) {
                #expect(SafeText.cleanEachCharacter(text, keepingLines: false) == text, "\(text.unicodeScalars.map(\.value))")
            }
            #expect(TextWidth.of(scalar) == TextWidth.lookedUp(scalar))
        }
        #expect(!SafeText.isClean("\u{AD}", keepingLines: false), "a soft hyphen is invisible formatting")
        let pictographs = (UInt32(0x1F000)...0x1FFFF).filter(TextWidth.isPictograph)
        #expect(pictographs.count == 0x350)
        for value in pictographs {
            let scalar = Unicode.Scalar(value)!
            let category = scalar.properties.generalCategory
            #expect(category == .otherSymbol || category == .modifierSymbol, "U+\(String(value, radix: 16)) is \(category)")
            #expect(TextWidth.lookedUp(scalar) == 2 && TextWidth.of(scalar) == 2, "U+\(String(value, radix: 16))")
            for text in ["\(scalar)", "a\(scalar)", "👩\u{200D}\(scalar)"] {
                #expect(SafeText.isClean(text, keepingLines: false) == (SafeText.cleanEachCharacter(text, keepingLines: false) == text), "\(text.unicodeScalars.map(\.value))")
            }
        }
    }

    @Test func jsonKeepsNoScalarATerminalActsOnAndChangesNothingElse() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let prefix = Bool.random(using: &generator) ? #"{"subject":"plain "# : ""
            let text = prefix + (0..<Int.random(in: 0...4, using: &generator)).map { _ in Self.pieces.randomElement(using: &generator)! }.joined()
            let escaped = SafeText.escapingJSON(text)
            let harmful = text.unicodeScalars.contains(where: SafeText.isHarmfulInJSON)
            #expect(!escaped.unicodeScalars.contains(where: SafeText.isHarmfulInJSON), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
            #expect((escaped == text) == !harmful, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }
}
