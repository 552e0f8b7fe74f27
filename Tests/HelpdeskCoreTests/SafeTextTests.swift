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
        #expect(!SafeText.isClean("\u{301}accent first", keepingLines: true))
        #expect(!SafeText.isClean("after a line\n\u{301}", keepingLines: true))
    }
}
