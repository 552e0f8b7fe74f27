import ConsoleView
import ConsoleViewModel
import HelpdeskTestSupport
import Testing

@Suite struct FrameDiffTests {
    @Test func onlyWhatChangedIsSentUntilTheFrameIsForgotten() {
        var state = ConsoleFixtures.queueState(columns: 80, rows: 24)
        var frames = FrameDiff()
        #expect(frames.needsFullFrame)
        let first = frames.next(state)
        #expect(first.reduce(0) { $0 + $1.cells.count } == 80 * 24, "the first frame is whole")
        #expect(!frames.needsFullFrame)
        #expect(frames.next(state).isEmpty, "nothing changed, nothing sent")

        _ = Console.update(&state, .key(.down))
        let moved = frames.next(state)
        #expect(!moved.isEmpty)
        #expect(moved.reduce(0) { $0 + $1.cells.count } < 80 * 24 / 2, "a move sends part of the screen")

        frames.forget()
        #expect(frames.needsFullFrame)
        #expect(frames.next(state).reduce(0) { $0 + $1.cells.count } == 80 * 24)
    }
}

/// Blanks between cells of one style take that style when it cannot show on a blank.
@Suite struct BlankStyleTests {
    static func styles(_ screen: ScreenBuffer, row: Int) -> [Style] { (0..<screen.columns).map { screen[$0, row].style } }

    @Test func aShortRunBetweenOneStyleTakesItAndNothingThatShowsOnABlankChanges() {
        var screen = ScreenBuffer(columns: 40, rows: 4)
        screen.put("│", x: 0, y: 0, style: .dim)
        screen.put("f", x: 2, y: 0, style: .dim)
        screen.put("Reset", x: 4, y: 0, style: .dim)
        screen.put("a", x: 0, y: 1, style: .selected)
        screen.put("b", x: 2, y: 1, style: .selected)
        screen.put("key", x: 0, y: 2, style: .key)
        screen.put("label", x: 4, y: 2, style: .dim)
        screen.put("x", x: 0, y: 3, style: .dim)
        screen.put("y", x: 10, y: 3, style: .dim)
        screen.put("Timeline", x: 20, y: 3, style: .dim)
        let text = screen.text
        screen.matchBlankStyles()
        #expect(Self.styles(screen, row: 0)[0..<9].allSatisfy { $0 == .dim }, "│ f Reset is one dim run")
        #expect(Self.styles(screen, row: 0)[9...].allSatisfy { $0 == .plain }, "the blanks to the end of the row stay plain")
        #expect(screen[1, 1].style == .plain, "a blank next to reversed cells would show: it stays")
        #expect(screen[3, 2].style == .plain, "between two styles: nothing gained, nothing changed")
        #expect(Self.styles(screen, row: 3)[1..<10].allSatisfy { $0 == .plain }, "nine blanks: erased faster plain than sent dim")
        #expect(screen.text == text, "the text is the same")
    }

    @Test func blanksFilledInAStyleThatCannotShowBecomePlainSoTheTerminalCanEraseThem() {
        var screen = ScreenBuffer(columns: 30, rows: 3)
        screen.fill(x: 0, y: 0, width: 30, height: 1, style: .dim)
        screen.put("1 Queue", x: 0, y: 0, style: .plain)
        screen.fill(x: 0, y: 1, width: 30, height: 1, style: .selected)
        screen.put("  REQ-4", x: 0, y: 1, style: .selected)
        screen.fill(x: 0, y: 2, width: 30, height: 1, style: .warning)
        screen.put("x", x: 12, y: 2, style: .warning)
        screen.matchBlankStyles()
        #expect(Self.styles(screen, row: 0)[7...].allSatisfy { $0 == .plain }, "a dim fill to the row's end")
        #expect(Self.styles(screen, row: 1).allSatisfy { $0 == .selected }, "reversed blanks show and stay")
        #expect(Self.styles(screen, row: 2)[0..<12].allSatisfy { $0 == .plain }, "blanks at the row's start")
        #expect(Self.styles(screen, row: 2)[13...].allSatisfy { $0 == .plain })
        #expect(screen[12, 2].style == .warning)
    }
}
