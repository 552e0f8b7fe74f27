import Testing
@testable import helpdesk_benchmarks

/// The benchmark's shortest writing must draw what ncurses drew, or its figures mean nothing: each
/// case draws a screen, changes it, and replays the writer's bytes on the screen before.
@Suite struct ShortestFrameTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let before: String
        let change: String
        var testDescription: String { name }
    }

    static let cases = [
        Case(name: "a line cleared", before: "abcdefgh", change: "\u{1B}[H\u{1B}[K"),
        Case(name: "one letter", before: "hello", change: "\u{1B}[Hjello"),
        Case(name: "two changes with a gap", before: "abcdefgh", change: "\u{1B}[HX\u{1B}[1;4HY"),
        Case(name: "a wide character over narrow ones", before: "abcd", change: "\u{1B}[H接"),
        Case(name: "a wide character's base under its mark", before: "接\u{301}x", change: "\u{1B}[H続\u{301}x"),
        Case(name: "a joined emoji's first person", before: "👩\u{200D}💻", change: "\u{1B}[H👨\u{200D}💻"),
        Case(name: "a narrow character over a wide one's first half", before: "接b", change: "\u{1B}[Ha\u{1B}[1;3Hz"),
        Case(name: "rapid blink dropped, bold kept", before: "\u{1B}[6;1mab", change: "\u{1B}[H\u{1B}[0;1mab\u{1B}[6;1m"),
        Case(name: "blink dropped, rapid blink kept", before: "\u{1B}[5;6mab", change: "\u{1B}[H\u{1B}[0;6mab\u{1B}[0m"),
        Case(name: "bold dropped, dim kept", before: "\u{1B}[1;2mab", change: "\u{1B}[H\u{1B}[0;2mab\u{1B}[0m"),
        Case(name: "a scrolling region set", before: "\u{1B}[1;1r\u{1B}[2;1Hq", change: "\u{1B}[1;1Hz\u{1B}[2;1Hw"),
        Case(name: "colours, 256 and direct", before: "\u{1B}[31mab\u{1B}[0m", change: "\u{1B}[H\u{1B}[38;5;200ma\u{1B}[48;2;1;2;3mb\u{1B}[0m"),
        Case(name: "rows apart", before: "", change: "\u{1B}[1;3Ha\u{1B}[3;1Hb\u{1B}[2;9Hc"),
        Case(name: "blanks in the middle and at both ends", before: "abcdefghijklmnopqrst", change: "\u{1B}[1;3H\u{1B}[1K\u{1B}[1;8H\u{1B}[6X\u{1B}[1;18H\u{1B}[K"),
        Case(name: "a line's beginning erased", before: "abcdefghijklmnopqrst", change: "\u{1B}[1;9H\u{1B}[1K"),
        Case(name: "a run of blanks in a line", before: "abcdefghijklmnopqrst", change: "\u{1B}[1;4H\u{1B}[8X"),
        Case(name: "a mark on a wide character", before: "接\u{301}x", change: "\u{1B}[H接\u{300}x"),
    ]

    @Test(arguments: cases)
    func theShortestWritingDrawsTheSameScreen(_ test: Case) {
        var before = TerminalScreen(columns: 20, rows: 3)
        before.feed(Array(test.before.utf8))
        var after = before
        after.feed(Array(test.change.utf8))
        let written = ShortestFrame.write(from: before, to: after.picture)
        var replay = before
        replay.feed(written)
        #expect(replay.picture == after.picture, "wrote \(FrameLog.visible(written)); drew \(replay.cells[0]) \(replay.attributes[0].prefix(3)), not \(after.cells[0]) \(after.attributes[0].prefix(3))")
        #expect(after.unknown.isEmpty)
    }

    @Test func itIsShorterThanWritingEveryCellAbsolutely() {
        var before = TerminalScreen(columns: 20, rows: 3)
        before.feed(Array("abcdefghijklmnopqrst".utf8))
        var after = before
        after.feed(Array("\u{1B}[1;2HX\u{1B}[1;4HY\u{1B}[1;18H\u{1B}[K".utf8))
        // X, one rewritten letter, Y, then an erase two cells on: no absolute move but the first.
        let written = FrameLog.visible(ShortestFrame.write(from: before, to: after.picture))
        #expect(written.filter { $0 == "H" }.count <= 1, "\(written)")
        #expect(written.hasSuffix("⎋[K"), "\(written)")
        #expect(ShortestFrame.ownText(before.picture, after.picture) == 5)
    }
}
