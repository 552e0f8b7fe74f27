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
