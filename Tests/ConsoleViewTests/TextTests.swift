import Foundation
@testable import ConsoleView
@testable import HelpdeskCore
import ConsoleViewModel
import Testing
import HelpdeskTestSupport

@Suite struct TextTests {
    @Test func controlCharactersAndEscapeSequencesBecomeVisiblePlaceholders() {
        #expect(TerminalText.sanitize("\u{1b}[2J\u{1b}]0;pwned\u{07}") == "␛[2J␛]0;pwned␇")
        #expect(TerminalText.sanitize("a\tb\nc\rd\u{7f}") == "a␉b␊c␍d␡")
        #expect(TerminalText.sanitize("c1\u{9b}31m") == "c1�31m")
        #expect(TerminalText.sanitize("evil\u{202e}txt.exe") == "evil�txt.exe")
        #expect(TerminalText.sanitize("\u{0301}accent first") == "◌\u{0301}accent first")
        #expect(TerminalText.sanitize("👩‍💻 ok") == "👩‍💻 ok", "joiners inside emoji stay")
        #expect(TerminalText.sanitize("plain ASCII stays") == "plain ASCII stays")
        for text in ["\u{1b}[31m", "\u{9b}0m", "x\u{0}y", "\u{2028}"] {
            #expect(!TerminalText.sanitize(text).unicodeScalars.contains { $0.properties.generalCategory == .control || $0.value == 0x2028 })
        }
    }

    @Test func widthsMatchWhatTerminalsDraw() {
        #expect(TextWidth.of("abc") == 3)
        #expect(TextWidth.of("東京") == 4)
        #expect(TextWidth.of("佐藤 美咲") == 9)
        #expect(TextWidth.of("🙏") == 2)
        #expect(TextWidth.of("👩‍💻") == 2)
        #expect(TextWidth.of("🇩🇪") == 2)
        #expect(TextWidth.of("e\u{0301}") == 1)
        #expect(TextWidth.of("Zoë") == 3)
        #expect(TextWidth.of("ｈｉ") == 4)
        #expect(TextWidth.of("❤️") == 2)
        #expect(TextWidth.of("a\u{00AD}b") == 2, "a soft hyphen draws nothing")
        #expect(TextWidth.of("─│…") == 3)
    }

    @Test func theShortcutsForNarrowAndWideCharactersAgreeWithUnicodesTables() {
        let shortcut = (0...0x2FFFF).compactMap(Unicode.Scalar.init).filter { TextWidth.plainWidth($0.value) != nil }
        #expect(shortcut.filter { TextWidth.narrowWithoutLookup($0.value) }.count == 854 + 61 + 131 + 27 + 43 + 39 + 2)
        #expect(shortcut.count > 30_000, "kana, CJK ideographs and Hangul syllables too")
        for scalar in shortcut where TextWidth.lookedUp(scalar) != TextWidth.plainWidth(scalar.value) {
            Issue.record("U+\(String(scalar.value, radix: 16)): \(TextWidth.lookedUp(scalar)) columns by the tables")
        }
        // The terminal check passes over them: cleaning must leave each alone, first or not.
        for scalar in shortcut {
            for text in ["\(scalar)", "a\(scalar)", "\(scalar)a"]
            where SafeText.cleanEachCharacter(text, keepingLines: false) != text || !SafeText.isClean(text, keepingLines: false) {
                Issue.record("U+\(String(scalar.value, radix: 16)) in \(text.unicodeScalars.map(\.value)) is changed by cleaning, or not passed")
            }
        }
    }

    @Test func truncateFitAndWrapCountColumnsNotCharacters() {
        #expect(TerminalText.truncate("東京オフィス", to: 7) == "東京オ…")
        #expect(TextWidth.of(TerminalText.fit("東京オフィス", to: 8)) == 8)
        #expect(TerminalText.fit("ab", to: 4) == "ab  ")
        #expect(TerminalText.wrap("one two three four", width: 9) == ["one two", "three", "four"])
        #expect(TerminalText.wrap("abcdefghijkl", width: 5).allSatisfy { TextWidth.of($0) <= 5 })
    }

    @Test func theBufferKeepsWideCharactersWholeAndDiffsByRuns() {
        var screen = ScreenBuffer(columns: 10, rows: 2)
        #expect(screen.put("東京abc", x: 0, y: 0) == 7)
        #expect(screen.line(0) == "東京abc   ")
        #expect(screen[1, 0].isContinuation)
        let before = screen
        screen.put("X", x: 1, y: 0)
        #expect(screen.line(0) == " X京abc   ", "overwriting half of a wide character blanks the other half")
        let runs = screen.changes(from: before)
        #expect(runs.count == 1)
        #expect(runs[0].x == 0 && runs[0].y == 0 && runs[0].cells.count == 2)
        var clipped = ScreenBuffer(columns: 5, rows: 1)
        clipped.put("abcd東", x: 0, y: 0)
        #expect(clipped.line(0) == "abcd ", "a wide character that does not fit becomes a space")
        #expect(ScreenBuffer(columns: 3, rows: 2).changes(from: nil).count == 2)
    }
}

@Suite struct GraphemeTests {
    @Test func joinedEmojiAreOneCellOfTwoColumnsThatNeedsTheWholeSequence() {
        var screen = ScreenBuffer(columns: 10, rows: 1)
        let used = screen.put("a👩‍💻b🇯🇵c", x: 0, y: 0)
        #expect(used == 7)
        #expect(screen[1, 0].text == "👩‍💻")
        #expect(screen[2, 0].isContinuation)
        #expect(screen[3, 0].text == "b")
        #expect(screen[1, 0].joinsSpacingCharacters, "curses keeps only 👩 of it, so it is written whole over the cell")
        #expect(screen[4, 0].joinsSpacingCharacters, "a flag is two regional indicators: curses would keep one")
        #expect(!Cell("e\u{301}").joinsSpacingCharacters, "a combining mark fits in a curses cell")
        #expect(!Cell("👍🏽").joinsSpacingCharacters, "a skin tone modifier fits too")
        #expect(TextWidth.of("👩‍👩‍👧‍👦") == 2)
        #expect(TerminalText.truncate("ab👩‍💻cd", to: 4) == "ab…")
        #expect(TerminalText.wrap("x 👩‍💻👩‍💻👩‍💻", width: 4) == ["x", "👩‍💻👩‍💻", "👩‍💻"])
    }
}

@Suite struct HostileGraphemeTests {
    @Test func anEndlessJoinerChainIsNotWrittenWhole() {
        let chain = String(repeating: "👩\u{200D}", count: 200) + "💻"
        var screen = ScreenBuffer(columns: 10, rows: 1)
        screen.put("a" + chain + "b", x: 0, y: 0)
        #expect(screen[1, 0].text.unicodeScalars.count == Cell.cursesCharacters, "the cell keeps what a curses cell takes of it")
        #expect(!screen[1, 0].joinsSpacingCharacters, "a chain no emoji has would be drawn as hundreds of glyphs")
        #expect(screen[3, 0].text == "b")
        #expect(Cell("👨\u{200D}👩\u{200D}👧\u{200D}👦").joinsSpacingCharacters)
        #expect(!Cell(String(repeating: "👩\u{200D}", count: 7) + "👩").joinsSpacingCharacters, "eight people are no emoji; a terminal draws sixteen columns")
        #expect(!Cell("a" + String(repeating: "\u{0903}", count: 14)).joinsSpacingCharacters, "spacing marks piled on a letter are not written whole")
        #expect(!Cell(String(repeating: "\u{1100}", count: 15)).joinsSpacingCharacters, "nor a run of jamo")
        #expect(!Cell("1\u{200D}2").joinsSpacingCharacters, "digits are not emoji here")
        let dressed = "👨\u{FE0F}\u{FE0F}\u{FE0F}\u{200D}👩\u{FE0F}\u{FE0F}\u{FE0F}\u{200D}👧\u{FE0F}\u{FE0F}\u{FE0F}\u{200D}👦"
        #expect(dressed.unicodeScalars.count > Cell.longestJoinedEmoji && !Cell(dressed).joinsSpacingCharacters, "longer than any emoji sequence")
        let scotland = "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}"
        #expect(Cell(scotland).text.unicodeScalars.count == Cell.cursesCharacters, "a subdivision flag (tags, no joiner) is cut as curses cuts it")
    }

    /// A cell keeps what a curses cell takes of a character that is no joined emoji (its first five
    /// characters; curses then keeps fewer when a second is spacing), and a joined emoji whole,
    /// longer than a glyph holds inline too.
    @Test func aCellKeepsWhatACursesCellTakes() {
        let family = "👨\u{200D}👩\u{200D}👧\u{200D}👦"
        #expect(Cell(family).text == family && Cell(family).joinsSpacingCharacters)
        #expect(Cell("a" + String(repeating: "\u{301}", count: 9)).text == "a" + String(repeating: "\u{301}", count: 4))
        #expect(Cell("\u{1112}\u{1161}\u{11AB}").text == "\u{1112}\u{1161}\u{11AB}", "decomposed Hangul: curses keeps the jamo after the first")
        #expect(Cell("👍🏽").text == "👍🏽")
    }

    /// A character is as wide as what reaches the terminal: a selector asking for an emoji's picture
    /// does nothing on a letter, and a wide character cut to a narrow one leaves a space beside it,
    /// not a half nothing draws (the old column would stay on screen).
    @Test func aCharacterTakesTheColumnsOfWhatIsDrawn() {
        #expect(TextWidth.of("a\u{FE0F}") == 1 && TextWidth.of("❤\u{FE0F}") == 2)
        let marks = String(repeating: "\u{301}", count: 5)
        var letter = ScreenBuffer(columns: 6, rows: 1)
        letter.put("xxxxxx", x: 0, y: 0)
        letter.put("a" + marks + "\u{FE0F}b", x: 0, y: 0)
        #expect(letter[1, 0].text == "b")
        var heart = ScreenBuffer(columns: 6, rows: 1)
        heart.put("xxxxxx", x: 0, y: 0)
        heart.put("❤" + marks + "\u{FE0F}b", x: 0, y: 0)
        #expect(heart[0, 0].text == "❤" + String(repeating: "\u{301}", count: 4))
        #expect(heart[1, 0].isSpace && heart[2, 0].text == "b", "\(heart.line(0))")
    }

    /// A width below zero writes nothing and uses no columns; one past any screen writes to its edge.
    @Test func aWidthBelowZeroOrPastAnyScreenIsHeldToTheScreen() {
        var screen = ScreenBuffer(columns: 6, rows: 1)
        #expect(screen.put("abc", x: 2, y: 0, width: -5) == 0 && screen.line(0) == "      ")
        #expect(screen.put("abc", x: 1, y: 0, width: Int.max) == 3 && screen.line(0) == " abc  ")
        #expect(screen.put("xyz", x: Int.min, y: 0, width: -1) == 0)
        #expect(screen.put("東京東", x: 1, y: 0, width: 4) == 4 && screen.line(0) == " 東京 ")
    }

    /// A rectangle partly or wholly off the screen, or of a size below zero or past any screen, fills
    /// only what lies on it.
    @Test func aFillOffTheScreenFillsOnlyWhatIsOnIt() {
        var screen = ScreenBuffer(columns: 4, rows: 2)
        screen.put("abcd", x: 0, y: 0)
        screen.put("efgh", x: 0, y: 1)
        for (x, y, width, height) in [(0, 2, 4, 1), (0, 5, 4, 3), (0, -3, 4, 2), (0, 0, 4, -1), (0, 1, -2, 1), (4, 0, 2, 2), (Int.max, 0, Int.max, 1),
                                      (0, Int.max, 4, Int.max), (Int.min, Int.min, 1, 1), (-2, -1, 2, 1)] {
            screen.fill(x: x, y: y, width: width, height: height)
            #expect(screen.line(0) == "abcd" && screen.line(1) == "efgh", "\((x, y, width, height))")
        }
        screen.fill(x: 3, y: 1, width: Int.max, height: Int.max)
        screen.fill(x: -5, y: -5, width: 6, height: 6)
        #expect(screen.line(0) == " bcd" && screen.line(1) == "efg ")
    }

    /// A wide character written from left of the screen leaves a space in column 0, its right half.
    @Test func aWideCharacterFromLeftOfTheScreenLeavesASpace() {
        for text in ["東c", "😀c"] {
            var screen = ScreenBuffer(columns: 4, rows: 1)
            screen.put("Zb", x: 0, y: 0)
            screen.put(text, x: -1, y: 0)
            #expect(screen.line(0) == " c  ", "\(text): \(screen.line(0))")
        }
    }

    /// A wide character written over the left half of another blanks that one's right half.
    @Test func aWideCharacterOverHalfOfAnotherLeavesNoStrayHalf() {
        for text in ["京", "京x"] {
            var screen = ScreenBuffer(columns: 5, rows: 1)
            screen.put("a東b", x: 0, y: 0)
            screen.put(text, x: 0, y: 0)
            #expect(!screen[2, 0].isContinuation, "\(text): \(screen.line(0))")
            #expect(screen.line(0).hasPrefix("京"))
        }
    }

    /// A wide character that does not fit becomes a space, and a space written over half of a wide
    /// character blanks its other half too; so does a filled rectangle's edge.
    @Test(arguments: ["京", "😀"]) func aWideCharacterCutToASpaceLeavesNoStrayHalf(wide: String) {
        var overLeftHalf = ScreenBuffer(columns: 5, rows: 1)
        overLeftHalf.put("東東", x: 0, y: 0)
        overLeftHalf.put("a" + wide, x: 1, y: 0, width: 2)
        #expect(!overLeftHalf[3, 0].isContinuation, "\(overLeftHalf.line(0))")
        var overRightHalf = ScreenBuffer(columns: 4, rows: 1)
        overRightHalf.put("ab東", x: 0, y: 0)
        overRightHalf.put(wide, x: 3, y: 0)
        #expect(overRightHalf.line(0) == "ab  ", "\(overRightHalf.line(0))")
        var filled = ScreenBuffer(columns: 6, rows: 1)
        filled.put("東東東", x: 0, y: 0)
        filled.fill(x: 1, y: 0, width: 4, height: 1)
        #expect(filled.line(0) == "      " && !filled[5, 0].isContinuation, "\(filled.line(0))")
    }
}

extension Cell {
    var unicodeScalars: String.UnicodeScalarView { text.unicodeScalars }
}

@Suite struct WrapTests {
    @Test func wordsWrapAtSpacesAndLongWordsAtTheirBreaks() {
        #expect(TerminalText.wrap("the quick brown fox", width: 10) == ["the quick", "brown fox"])
        #expect(TerminalText.wrap("write to jane.doe.personal-backup@example.com today", width: 26)
                == ["write to", "jane.doe.personal-backup@", "example.com today"], "an email breaks after its @, not mid-word")
        #expect(TerminalText.wrap("  indented item that wraps", width: 12) == ["  indented", "item that", "wraps"])
        #expect(TerminalText.wrap("a  b", width: 10) == ["a  b"])
        #expect(TerminalText.wrap("one\ntwo", width: 10) == ["one", "two"])
        #expect(TerminalText.wrap("接続できません", width: 4) == ["接続", "でき", "ませ", "ん"])
        #expect(TerminalText.wrap("", width: 4) == [""])
        #expect(TerminalText.wrap("x", width: 0) == [])
    }

    @Test func aLimitStopsAtOneLineMoreThanAsked() {
        let huge = String(repeating: "接", count: 20_000)
        let lines = TerminalText.wrap(huge, width: 10, maxLines: 3)
        #expect(lines == ["接接接接接", "接接接接接", "接接接接接", "接接接接接"], "three lines and one to show there is more")
        #expect(TerminalText.wrap(huge, width: 10).count == 4_000)
        #expect(TerminalText.wrap("short", width: 10, maxLines: 3) == ["short"])
    }

    @Test func aLetterUnderThousandsOfMarksIsWrappedWithItsFirstScalars() {
        let piled = "e" + String(repeating: "\u{301}", count: 5_000)
        let kept = "e" + String(repeating: "\u{301}", count: TerminalText.mostScalarsDrawn - 1)
        let lines = TerminalText.wrap("a " + piled + " b", width: 10)
        #expect(lines.count == 1 && lines[0].unicodeScalars.elementsEqual(("a " + kept + " b").unicodeScalars),
                "\(lines.map(\.unicodeScalars.count)) scalars")
        // Cut where a joiner follows the last kept mark: the joiner goes, or the next emoji would join it.
        let joined = "👩" + String(repeating: "\u{301}", count: TerminalText.mostScalarsDrawn - 2) + "\u{200D}" + String(repeating: "\u{301}", count: 5)
        let after = TerminalText.wrap("ab " + joined + "💻XY", width: 20)
        #expect(after.count == 1 && after[0].hasSuffix("💻XY") && after[0].count == 7, "\(after.map { $0.unicodeScalars.count })")
        let family = "👨🏽\u{200D}👩🏽\u{200D}👧🏽\u{200D}👦🏽"
        let emoji = TerminalText.wrap(family + " x", width: 10)
        #expect(emoji.count == 1 && emoji[0].unicodeScalars.elementsEqual((family + " x").unicodeScalars), "an emoji sequence is kept whole")
    }
}

@Suite struct OutputSanitizerTests {
    @Test func plainLinesPassAsTheyAreAndEverythingElseIsStillCleaned() {
        #expect(SafeText.forOutput("{\"a\":1}\n{\"b\":2}\n\tindented\n") == "{\"a\":1}\n{\"b\":2}\n\tindented\n")
        #expect(SafeText.forOutput("a\r\nb") == "a\nb", "CRLF still becomes a line feed")
        #expect(SafeText.forOutput("a\rb") != "a\rb", "a lone carriage return is shown, not obeyed")
        #expect(SafeText.forOutput("x\u{1b}[2Jy\n") == "x␛[2Jy\n")
        #expect(SafeText.forTerminal("a\nb") == "a␊b", "one screen line never keeps a line feed")
    }
}

@Suite struct QuickTextTests {
    /// Every scalar the quick way takes makes the cell and takes the columns the character-by-
    /// character way gives it (both place characters through one function; where they go is held by
    /// the tests of wide characters above): between letters, doubled, over wide characters,
    /// clipped and from left of the screen.
    @Test func textTheQuickWayTakesIsDrawnAsEachCharacterWouldBe() {
        var background = ScreenBuffer(columns: 12, rows: 1)
        background.put("東京a東京", x: 0, y: 0)
        var taken = 0
        for value in UInt32(0)..<0x30000 {
            guard let scalar = Unicode.Scalar(value), TextWidth.isEveryScalarPlain("a\(scalar)b") else { continue }
            taken += 1
            // Ideographs and syllables behave alike: a sample of them, and each range's ends.
            if value >= 0x4E00, value % 61 != 0, ![0x4E00, 0x9FFF, 0xAC00, 0xD7A3].contains(value) { continue }
            for text in ["a\(scalar)b", "\(scalar)\(scalar)"] {
                for (x, width) in [(0, nil), (1, 2), (3, 1), (2, 3), (-1, nil), (10, nil), (11, nil)] as [(Int, Int?)] {
                    var quick = background, each = background
                    let limit = min(12, x + (width ?? 12))
                    #expect(quick.put(text, x: x, y: 0, width: width) == each.putEachCharacter(text, x: x, y: 0, limit: limit, style: .plain))
                    let same = quick == each
                    #expect(same, "U+\(String(value, radix: 16)) in \(text) at \(x): \(quick.line(0)) against \(each.line(0))")
                }
            }
        }
        #expect(taken == 95 + 13 + 594 + 61 + 131 + 27 + 43 + 24 + 39 + 128 + 2 + 86 + 101 + 20_992 + 11_172,
                "printable ASCII, Latin-1 and the letters after it, Greek, Cyrillic, Hebrew and Arabic letters, punctuation, control pictures, box drawing, ◌ and �, kana, CJK ideographs, Hangul syllables")
        for text in ["e\u{301}", "a\u{AD}b", "a\tb", "a\u{2028}b", "か\u{3099}", "가\u{11A8}", "a\u{200D}b", "\u{3400}"] {
            #expect(!TextWidth.isEveryScalarPlain(text), "\(text.unicodeScalars.map(\.value))")
        }
    }
}

@Suite struct LongGlyphsTests {
    /// A long text has one number while it is kept and no two texts share one. A frame keeps every
    /// text it draws, past the limit too; when the next begins over the limit, the texts the last
    /// one did not draw go, and drawn again such a text gets a new number (its cell is sent again).
    @Test func longTextsAreNumberedOnceAndThoseNotDrawnLetGo() {
        let table = LongGlyphs(limit: 2)
        let texts = ["👨\u{200D}👩\u{200D}👧\u{200D}👦", "🧑🏽\u{200D}🤝\u{200D}🧑🏻", "👩🏻\u{200D}❤️\u{200D}💋\u{200D}👨🏼", "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}"]
        let first = texts.prefix(3).map(table.number(for:))
        #expect(texts.prefix(3).map(table.number(for:)) == first && Set(first).count == 3)
        table.beginFrame()
        #expect(table.count == 3 && zip(first, texts).allSatisfy { table.text($0) == $1 }, "all three were drawn in the last frame")
        let kept = table.number(for: texts[0])
        let fourth = table.number(for: texts[3])
        table.beginFrame()
        #expect(table.count == 2 && table.text(kept) == texts[0] && table.text(fourth) == texts[3])
        #expect(table.text(first[1]) == nil && table.text(first[2]) == nil, "not drawn in the last frame")
        let again = table.number(for: texts[1])
        #expect(!first.contains(again) && again != fourth && table.text(again) == texts[1])
        #expect(Glyph(texts[1][...].unicodeScalars, in: table).text(in: table) == texts[1])
    }
}

/// Text cut where it is written: one pass gives what cleaning, truncating and then writing gave,
/// and text far longer than a row is read only as far as it shows.
@Suite struct CutTextTests {
    /// What the widgets did before writing cut text in one pass.
    static func truncatedThenPut(_ screen: inout ScreenBuffer, _ text: String, x: Int, width: Int) -> Int {
        let clean = TerminalText.sanitize(text)
        let piece = TextWidth.of(clean) > width ? TerminalText.truncate(clean, to: width) : clean
        return screen.put(piece, x: x, y: 0, width: width)
    }

    /// A row of 16 columns of wide characters with a letter between some, offset from the even columns.
    static let wideCharacters: ScreenBuffer = {
        var background = ScreenBuffer(columns: 16, rows: 1)
        background.put("東京a東京b東京c東", x: 0, y: 0)
        return background
    }()

    /// Up to `count` of `pieces`, joined.
    static func randomText(of pieces: [String], upTo count: Int, _ generator: inout SeededRandom) -> String {
        (0..<Int.random(in: 0...count, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
    }

    @Test func textCutInOnePassIsTheTextTruncatedThenWritten() {
        let pieces = ["a", "bc", " ", "東", "京都", "e\u{301}\u{302}", "👨\u{200D}👩\u{200D}👧", "1🏽", "\u{202E}", "\u{7}", "é", "\u{301}", "ok…", "🇫🇷", "か\u{3099}"]
        var generator = SeededRandom(seed: 7)
        let background = Self.wideCharacters
        for _ in 0..<3_000 {
            let text = Self.randomText(of: pieces, upTo: 9, &generator)
            let x = Int.random(in: -2...15, using: &generator)
            // Widgets cut text to widths within the screen; past its edge the mark is at the edge.
            let width = min(Int.random(in: -1...14, using: &generator), 16 - x)
            var cut = background, truncated = background
            let used = cut.put(text, x: x, y: 0, width: width, markingCut: true)
            #expect(used == Self.truncatedThenPut(&truncated, text, x: x, width: width))
            #expect(cut == truncated, "\(text.unicodeScalars.map(\.value)) at \(x) in \(width): \(cut.line(0)) against \(truncated.line(0))")
        }
    }

    /// What reading text only as far as a row shows relies on: once cleaned, no character is
    /// without width, alone or after a letter.
    @Test func everyCleanedCharacterTakesAColumn() {
        for value in UInt32(0)..<0x110000 where value < 0x30000 || value % 97 == 0 || value >= 0xE0000 && value < 0xE0200 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            for text in ["\(scalar)", "a\(scalar)", "\(scalar)\(scalar)"] {
                for character in TerminalText.sanitize(text) where TextWidth.of(character) < 1 {
                    Issue.record("U+\(String(value, radix: 16)) in \(text.unicodeScalars.map(\.value)) cleans to a character without width")
                }
            }
        }
    }

    @Test func aCardsListOfThousandsIsJoinedOnlyAsFarAsItsRowShows() {
        let lists: [[String]] = [
            (1...5_000).map { "Ingénierie é\u{301} \($0) " + String(repeating: "ü", count: 200) },
            ["e" + String(repeating: "\u{301}", count: 5_000)] + (1...300).map { "Group \($0)" },
            (1...2_000).map { "開発\($0)" }, (1...40).map { "👨\u{200D}👩\u{200D}👧\u{7}\($0)" }, ["\u{202E}", "", "", "x"], ["one"], [],
        ]
        for names in lists {
            for width in [1, 12, 40, 79, 120] {
                var listed = ScreenBuffer(columns: 130, rows: 1), joined = ScreenBuffer(columns: 130, rows: 1)
                DetailView.put(&listed, [("Groups  ", .dim), (RequesterCardView.listed(names, width: width), .plain)], x: 0, y: 0, width: width)
                DetailView.put(&joined, [("Groups  ", .dim), (names.joined(separator: ", "), .plain)], x: 0, y: 0, width: width)
                #expect(listed == joined, "\(names.count) names in \(width): \(listed.line(0)) against \(joined.line(0))")
            }
        }
        #expect(RequesterCardView.listed((1...5_000).map { "Group \($0)" }, width: 80).count < 100)
    }

    @Test func textManyRowsLongIsCutAsIfReadWhole() {
        for name in ["Engineering", "Ingénierie", "e\u{301}\u{302}ngineering", "開発チーム", "👨\u{200D}👩\u{200D}👧 team", String(repeating: "x", count: 250)] {
            for count in [1, 3, 40, 5_000] {
                let text = Array(repeating: name, count: count).joined(separator: ", ")
                for (x, width) in [(0, 80), (3, 20), (0, 1), (5, 0)] {
                    var cut = ScreenBuffer(columns: 90, rows: 1), truncated = ScreenBuffer(columns: 90, rows: 1)
                    #expect(cut.put(text, x: x, y: 0, width: width, markingCut: true) == Self.truncatedThenPut(&truncated, text, x: x, width: width))
                    #expect(cut == truncated, "\(count) × \(name) at \(x) in \(width)")
                    var clipped = ScreenBuffer(columns: 90, rows: 1), whole = ScreenBuffer(columns: 90, rows: 1)
                    clipped.put(text, x: x, y: 0, width: width)
                    _ = whole.putEachCharacter(text, x: x, y: 0, limit: x + width, style: .plain)
                    #expect(clipped == whole, "clipped without the mark: \(count) × \(name)")
                }
                var edge = ScreenBuffer(columns: 10, rows: 1)
                edge.put(text, x: 4, y: 0, width: 20, markingCut: true)
                #expect(count == 1 || edge.line(0).contains("…"), "cut at the screen's edge: \(edge.line(0))")
            }
        }
    }
}

/// Text whose characters cleaning joins (a prepended letter before a control character, a name
/// that starts with a mark after a comma's space): what is read only as far as it shows still
/// shows what the whole text would, with its mark.
@Suite struct JoinedByCleaningTests {
    @Test func aPrependedLetterBeforeAControlDoesNotHalveWhatALongRowShows() {
        let text = String(repeating: "\u{0D4E}\u{7}", count: 400)
        for width in [20, 40, 80] {
            var cut = ScreenBuffer(columns: 90, rows: 1), truncated = ScreenBuffer(columns: 90, rows: 1)
            let used = cut.put(text, x: 0, y: 0, width: width, markingCut: true)
            #expect(used == CutTextTests.truncatedThenPut(&truncated, text, x: 0, width: width) && cut == truncated, "width \(width): \(cut.line(0))")
            var clipped = ScreenBuffer(columns: 90, rows: 1), whole = ScreenBuffer(columns: 90, rows: 1)
            clipped.put(text, x: 0, y: 0, width: width)
            _ = whole.putEachCharacter(text, x: 0, y: 0, limit: width, style: .plain)
            #expect(clipped == whole, "clipped at \(width) without the mark")
        }
    }

    @Test func namesThatCleaningJoinsToTheirCommasAreListedAsTheWholeListShows() {
        let lists: [[String]] = [
            (1...300).map { "\u{301}g\($0)" }, (1...300).map { "g\($0)\u{0D4E}" },
            ["Everyone" + String(repeating: "\u{0D4E}\u{7}", count: 40), "Domain Admins"],
            (1...200).map { _ in String(repeating: "\u{0D4E}\u{7}", count: 30) },
        ]
        for names in lists {
            for width in [20, 40, 79, 120] {
                var listed = ScreenBuffer(columns: 130, rows: 1), joined = ScreenBuffer(columns: 130, rows: 1)
                DetailView.put(&listed, [("Groups  ", .dim), (RequesterCardView.listed(names, width: width), .plain)], x: 0, y: 0, width: width)
                DetailView.put(&joined, [("Groups  ", .dim), (names.joined(separator: ", "), .plain)], x: 0, y: 0, width: width)
                #expect(listed == joined, "\(names.count) names in \(width): \(listed.line(0)) against \(joined.line(0))")
            }
        }
    }

    @Test func aHostileCardShowsTheMarkWhereItsRowsAreCut() {
        var state = ConsoleFixtures.queueState(columns: 120, rows: 30)
        let pairs = { (count: Int) in String(repeating: "\u{0D4E}\u{7}", count: count) }
        let jane = ConsoleFixtures.jane
        let user = DirectoryUser(id: jane.id, login: jane.login, email: jane.email, firstName: "Jane", lastName: "Doe", status: .active,
                                 title: "Engineer " + pairs(1000) + " SUPER ADMIN", department: "Sales")
        let card = RequesterCard(user: user, manager: nil,
                                 groups: [DirectoryGroup(id: "00g1", name: "Everyone" + pairs(40), type: .okta), DirectoryGroup(id: "00g2", name: "Domain Admins", type: .okta)],
                                 apps: [], factors: [], signIns: [])
        state.card = .loaded(Fixtures.email("jane.doe@example.com"), card)
        let screen = ConsoleRenderer.render(state)
        let rows = (0..<screen.rows).map { String(screen.line($0).split(separator: "│")[0]) }
        let role = rows.first { $0.contains("Engineer") } ?? ""
        let groups = rows.first { $0.contains("Groups") } ?? ""
        #expect(role.contains("…"), "the role row is cut without its mark: \(role)")
        #expect(groups.contains("Domain Admins") || groups.contains("…"), "the second group is gone without a mark: \(groups)")
    }
}

/// Letters with marks on them are written straight from their UTF-8 as far as the text is such
/// letters, and a character at a time after: the same cells as a character at a time throughout.
@Suite struct MarkedLetterTests {
    static func eachCharacter(_ screen: inout ScreenBuffer, _ text: String, x: Int, limit: Int, cut: Bool) -> Int {
        screen.putCharacters(TerminalText.sanitize(text), x: x, y: 0, limit: limit, style: .warning, cut: cut ? ScreenBuffer.Cut(limit: limit) : nil)
    }

    static func expectSame(_ background: ScreenBuffer, _ text: String, x: Int, limit: Int, cut: Bool) {
        var quick = background, each = background
        let used = quick.putEachCharacter(text, x: x, y: 0, limit: limit, style: .warning, cut: cut ? ScreenBuffer.Cut(limit: limit) : nil)
        #expect(used == eachCharacter(&each, text, x: x, limit: limit, cut: cut))
        #expect(quick == each, "\(text.unicodeScalars.map { String($0.value, radix: 16) }) at \(x) to \(limit), cut \(cut): \(quick.line(0)) against \(each.line(0))")
    }

    @Test func markedLettersAmongAnyCharactersAreDrawnAsEachCharacterWouldBe() {
        let pieces = ["a", "Z", " ", "é", "ß", "Ω", "Ж", "א", "ع", "界", "가", "か", "─", "\u{301}", "\u{302}", "\u{36F}", "\u{370}", "\u{AD}",
                      "\u{7}", "\t", "\n", "\u{200D}", "\u{FE0F}", "👩", "🇫", "🇷", "\u{0D4E}", "\u{0903}", "\u{11A8}", "\u{1160}", "\u{202E}",
                      "\u{2028}", "\u{0915}\u{094D}", "e\u{301}\u{302}\u{303}\u{304}\u{305}\u{306}", "\u{3099}", "\u{1F3FD}"]
        var generator = SeededRandom(seed: 11)
        let background = CutTextTests.wideCharacters
        for _ in 0..<4_000 {
            let text = CutTextTests.randomText(of: pieces, upTo: 12, &generator)
            let x = Int.random(in: -2...15, using: &generator)
            let limit = min(16, x + Int.random(in: 0...16, using: &generator))
            Self.expectSame(background, text, x: x, limit: limit, cut: Bool.random(using: &generator))
        }
    }

    /// Any scalar after a letter's marks, before them and on its own: where a character ends is
    /// Unicode's, whatever the scalar.
    @Test func anyScalarBesideMarkedLettersEndsCharactersWhereUnicodeDoes() {
        var background = ScreenBuffer(columns: 12, rows: 1)
        background.put("東京a東京", x: 0, y: 0)
        // Every scalar of the scripts before CJK, the selectors, tags, regional indicators, skin
        // tones and Hangul's trailing letters, and a sample of the rest.
        let whole: [ClosedRange<UInt32>] = [0...0x33FF, 0xD7B0...0xD7FF, 0xFE00...0xFE0F, 0x1F1E6...0x1F1FF, 0x1F3FB...0x1F3FF, 0xE0000...0xE01EF]
        for value in UInt32(0)..<0x110000 where value % 251 == 0 || whole.contains(where: { $0.contains(value) }) {
            guard let scalar = Unicode.Scalar(value) else { continue }
            for text in ["a\u{301}\(scalar)b", "界\u{301}\u{302}\(scalar)", "\(scalar)\u{301}x", "가\(scalar)"] {
                Self.expectSame(background, text, x: 1, limit: 6, cut: true)
            }
        }
    }
}
