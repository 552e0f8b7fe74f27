@testable import ConsoleViewModel
import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import Testing

/// The timeline's text is read only as far as it can show, and wrapped once per timeline, width
/// and limit: a long body or note costs a frame what its shown lines cost.
@Suite struct TimelineWrappingTests {
    /// What wrapping gave when it read the whole text: cleaned, split at line feeds, wrapped, cut
    /// to `limit` lines with the same marks.
    static func wholeTextWrapped(_ text: String, width: Int, limit: Int?) -> [String] {
        let cap = limit ?? TimelineLayout.wholeLines
        var lines: [String] = []
        for paragraph in SafeText.forOutput(text).split(separator: "\n", omittingEmptySubsequences: false) {
            lines += TerminalText.wrap(TerminalText.sanitize(String(paragraph)), width: width)
        }
        guard lines.count > cap else { return lines }
        var kept = Array(lines.prefix(cap))
        kept[cap - 1] = limit == nil
            ? TerminalText.prefix("… (helpdesk show prints the rest)", columns: width)
            : TerminalText.prefix(kept[cap - 1], columns: width - 2) + " …"
        return kept
    }

    /// Words of several scripts, marks, emoji, line feeds and tabs, single spaces between them.
    static func text(words: Int, seed: UInt64) -> String {
        var generator = SeededRandom(seed: seed)
        let pieces = ["access", "e\u{301}\u{302}", "無法登入", "👨\u{200D}👩\u{200D}👧", "a.very-long_address@example.com", "\n", "\t", "x",
                      "ИТ", "مرحبا", "1🏽", "\u{7}", String(repeating: "w", count: 70)]
        return (0..<words).map { _ in pieces.randomElement(using: &generator)! }.joined(separator: " ")
    }

    @Test(arguments: [(12, 3), (40, 4), (56, nil), (119, nil), (10, 1)] as [(Int, Int?)])
    func readingOnlyTheStartGivesTheLinesTheWholeTextGave(width: Int, limit: Int?) {
        for seed in UInt64(1)...12 {
            for words in [3, 40, 400, 2_000] {
                let text = Self.text(words: words, seed: seed &* 31 &+ UInt64(words))
                let lines = TimelineLayout.wrapped(text, width: width, limit: limit)
                #expect(lines == Self.wholeTextWrapped(text, width: width, limit: limit), "seed \(seed), \(words) words")
            }
        }
    }

    @Test func aTextCutForItsLengthEndsWithTheMarkEvenWhenItsStartFillsFewerLines() {
        let spaces = "first words" + String(repeating: " ", count: 20_000) + "last words"
        let collapsed = TimelineLayout.wrapped(spaces, width: 20, limit: 4)
        #expect(collapsed.count == 1 && collapsed[0].hasPrefix("first words") && collapsed[0].hasSuffix(" …"))
        let whole = TimelineLayout.wrapped(spaces, width: 20, limit: nil)
        #expect(whole.count == 2 && whole[0].hasPrefix("first words") && whole[1] == "… (helpdesk show pri", "read whole, the pointer follows what is shown: \(whole)")
        let short = TimelineLayout.wrapped("first words" + String(repeating: " ", count: 50) + "last words", width: 20, limit: 4)
        #expect(short.count == 2 && short[1] == "last words" && !short.joined().contains("…"), "read whole: not cut")
    }

    @Test func aTextOfExactlyTheLinesKeptIsNotCut() {
        // Each line is ten columns and the space that breaks it: the start read must hold both.
        let word = String(repeating: "a", count: 10)
        let text = Array(repeating: word, count: TimelineLayout.wholeLines).joined(separator: " ")
        #expect(TimelineLayout.wrapped(text, width: 10, limit: nil) == Array(repeating: word, count: TimelineLayout.wholeLines))
        #expect(TimelineLayout.wrapped(text + " b", width: 10, limit: nil).last == "… (helpdes")
    }

    @Test func windowsLineEndsAreLineBreaksAndAMarkAfterASpaceStaysOnIt() {
        #expect(TimelineLayout.wrapped("one\r\ntwo", width: 20, limit: 4) == ["one", "two"])
        let marked = TimelineLayout.wrapped("a \u{301}b", width: 20, limit: 4)
        #expect(marked.count == 1 && marked[0].unicodeScalars.map(\.value) == [0x61, 0x20, 0x301, 0x62], "\(marked)")
    }

    @Test func anEntryBesideThePanelAndReadWholeIsWrappedToEachWidthAndLimit() {
        var state = ConsoleFixtures.queueState()
        let id = state.selectedRequest!.id
        let note = (1...120).map { "word\($0)" }.joined(separator: " ")
        state.detail.timeline = [TimelineEvent(id: 1, requestID: id, actor: "alex", at: state.now, payload: .note(text: note))]
        let beside = TimelineLayout.lines(state)
        state.focus = .detail
        let whole = TimelineLayout.lines(state)
        let besideWidth = DetailLayout(ConsoleFixtures.queueState()).textWidth
        let wholeWidth = DetailLayout.wholeTextWidth(columns: state.columns)
        #expect(besideWidth < wholeWidth)
        #expect(beside.count == 3 && beside.allSatisfy { TextWidth.of($0[2].text) <= besideWidth }, "three lines beside the panel")
        #expect(whole.count > 3 && whole.contains { TextWidth.of($0[2].text) > besideWidth }, "read whole: every line, as wide as the screen")
        #expect(Self.text(whole).contains("word120"))
        state.focus = .queue
        #expect(TimelineLayout.lines(state) == beside)
    }

    @Test func theCountOfLinesIsTheNumberOfLinesLaidOut() {
        var state = Self.longTimeline()
        state.detail.earlierEvents = 7
        for focus in [AppState.Focus.queue, .detail] {
            state.focus = focus
            #expect(TimelineLayout.lineCount(state) == TimelineLayout.lines(state).count, "\(focus)")
        }
        state.detail.timeline = []
        #expect(TimelineLayout.lineCount(state) == TimelineLayout.lines(state).count)
    }

    @Test func aWindowOfLinesIsThoseLinesOfTheWholeTimeline() {
        var state = Self.longTimeline()
        state.detail.earlierEvents = 7
        let selected = state.selectedRequest!
        let run = ActionRun(id: ActionRunID(3), requestID: selected.id, action: .unlock, targetUserID: "00u1", approvalID: nil, revokesGrant: nil,
                            startedBy: "alex", startedAt: state.now, state: .unknown, finishedAt: nil)
        state.detail.runs = [run]
        state.detail.unknownRuns = [run.id]
        for focus in [AppState.Focus.queue, .detail] {
            state.focus = focus
            let all = TimelineLayout.lines(state)
            #expect(Self.text(all).hasPrefix("7 earlier") && Self.text(all).contains("outcome unknown"), "every kind of line is in the walk")
            for window in [0..<0, 0..<1, 0..<5, 1..<3, 2..<40, all.count - 9..<all.count, all.count - 1..<all.count + 20, 30..<all.count - 2, all.count..<all.count + 3] {
                let expected = Array(all[min(window.lowerBound, all.count)..<min(window.upperBound, all.count)])
                #expect(TimelineLayout.lines(state, in: window) == expected, "\(focus) \(window) of \(all.count)")
            }
            state.detail.timeline = state.detail.timeline  // starts the wrapped lines afresh
            _ = TimelineLayout.lines(state, in: 0..<4)
            #expect(state.detail.wrapped.count <= 3, "the entries after the window are not laid out: \(state.detail.wrapped.count)")
        }
    }

    @Test func anEntryIsWrappedOnceForItsTimelineWidthAndLimit() {
        let memo = WrappedLines()
        var calls = 0
        let wrap = { () -> [String] in calls += 1; return ["line \(calls)"] }
        #expect(memo.entry(0, width: 40, limit: 3, wrap: wrap) == ["line 1"])
        #expect(memo.entry(0, width: 40, limit: 3, wrap: wrap) == ["line 1"])
        #expect(memo.entry(0, width: 40, limit: nil, wrap: wrap) == ["line 2"], "read whole, a limit of its own")
        #expect(memo.entry(1, width: 40, limit: 3, wrap: wrap) == ["line 3"])
        #expect(memo.entry(0, width: 120, limit: nil, wrap: wrap) == ["line 4"], "another width")
        #expect(memo.entry(0, width: 40, limit: 3, wrap: wrap) == ["line 1"], "two widths are kept: beside the panel and whole")
        #expect(memo.entry(0, width: 90, limit: 3, wrap: wrap) == ["line 5"], "a third")
        #expect(memo.entry(0, width: 40, limit: 3, wrap: wrap) == ["line 6"], "a third width starts afresh")
        #expect(calls == 6)
    }

    @Test func aBodyIsWrappedAgainWhenAnyByteDiffers() {
        let memo = WrappedLines()
        var calls = 0
        let wrap = { () -> [String] in calls += 1; return ["wrap \(calls)"] }
        let body = String(repeating: "無法登入 ", count: 2_000)
        #expect(memo.body(body, width: 40, limit: 4, wrap: wrap) == ["wrap 1"])
        #expect(memo.body(String(decoding: Array(body.utf8), as: UTF8.self), width: 40, limit: 4, wrap: wrap) == ["wrap 1"], "the same bytes in another string")
        #expect(memo.body(body.dropLast() + "x", width: 40, limit: 4, wrap: wrap) == ["wrap 2"])
        // Equal by Unicode's equivalence, but other bytes: drawn as they are, so wrapped again.
        #expect(memo.body("caf\u{E9}", width: 40, limit: 4, wrap: wrap) == ["wrap 3"])
        #expect(memo.body("cafe\u{301}", width: 40, limit: 4, wrap: wrap) == ["wrap 4"])
        #expect(memo.body("cafe\u{301}", width: 120, limit: 4, wrap: wrap) == ["wrap 5"], "another width")
        #expect(memo.body("cafe\u{301}", width: 120, limit: nil, wrap: wrap) == ["wrap 6"], "read whole")
        #expect(calls == 6)
    }

    @Test func aTimelineThatChangesIsLaidOutAfresh() {
        var state = ConsoleFixtures.queueState()
        let id = state.selectedRequest!.id
        state.detail.timeline = [TimelineEvent(id: 1, requestID: id, actor: "alex", at: state.now, payload: .note(text: "the first note"))]
        #expect(Self.text(TimelineLayout.lines(state)).contains("the first note"))
        state.detail.timeline[0] = TimelineEvent(id: 1, requestID: id, actor: "alex", at: state.now, payload: .note(text: "another note"))
        #expect(Self.text(TimelineLayout.lines(state)).contains("another note"), "the same place in the timeline, another entry")
        let before = state.detail.wrapped
        state.detail.timeline.append(TimelineEvent(id: 2, requestID: id, actor: "alex", at: state.now, payload: .note(text: "a third")))
        #expect(state.detail.wrapped !== before)
    }

    @Test func aTimelineReadAgainKeepsWhatWasWrappedForItsEntries() {
        var state = ConsoleFixtures.queueState()
        let id = state.selectedRequest!.id
        state.detail.timeline = [TimelineEvent(id: 1, requestID: id, actor: "alex", at: state.now, payload: .note(text: "the first note"))]
        _ = TimelineLayout.lines(state)
        let memo = state.detail.wrapped
        let reread = state.detail.timeline + [TimelineEvent(id: 2, requestID: id, actor: "sam", at: state.now, payload: .note(text: "a second note"))]
        _ = Console.update(&state, .detailLoaded(id, DetailSnapshot(timeline: reread, approvals: [], runs: [])))
        #expect(state.detail.wrapped === memo && state.detail.timeline == reread)
        #expect(Self.text(TimelineLayout.lines(state)).contains("a second note"))
        // The same numbers, other entries: a store restored from a backup, a database that failed over.
        let restored = [reread[0], TimelineEvent(id: 2, requestID: id, actor: "sam", at: state.now.addingTimeInterval(60), payload: .note(text: "caller NOT verified"))]
        _ = Console.update(&state, .detailLoaded(id, DetailSnapshot(timeline: restored, approvals: [], runs: [])))
        #expect(state.detail.wrapped !== memo)
        #expect(Self.text(TimelineLayout.lines(state)).contains("caller NOT verified"))
    }

    @Test func readingWholeIsWrappedAheadOnAThreadOfItsOwn() {
        var state = Self.longTimeline()
        let prewrap = TimelinePrewrap()
        prewrap.prepare(for: state)
        prewrap.waitUntilDone()
        let wrapped = state.detail.wrapped.count
        #expect(wrapped == state.detail.timeline.count + 1, "every entry and the body, read whole")
        state.focus = .detail
        _ = TimelineLayout.lines(state)
        #expect(state.detail.wrapped.count == wrapped, "Enter wraps nothing more")
        prewrap.prepare(for: state)
        prewrap.waitUntilDone()
        #expect(state.detail.wrapped.count == wrapped, "read whole already: nothing is asked")
    }

    @Test func aSelectionThatMovesOnStopsTheWrappingOfTheOneBefore() {
        let first = Self.longTimeline()
        let second = Self.longTimeline()
        let prewrap = TimelinePrewrap()
        prewrap.prepare(for: first)
        prewrap.prepare(for: second)
        prewrap.waitUntilDone()
        #expect(first.detail.wrapped.count == 0 && second.detail.wrapped.count > 0)
    }

    @Test func aSelectionWhoseTimelineIsOnItsWayStopsTheWrappingOfTheOneBefore() {
        let first = Self.longTimeline()
        var moved = first
        moved.detail = DetailState()
        moved.detail.requestID = RequestID(999)
        let prewrap = TimelinePrewrap()
        prewrap.prepare(for: first)
        prewrap.prepare(for: moved)
        prewrap.waitUntilDone()
        #expect(first.detail.wrapped.count == 0)
    }

    /// The selected request with a body and forty long notes.
    static func longTimeline() -> AppState {
        var state = ConsoleFixtures.queueState()
        let selected = state.selectedRequest!
        let index = state.queue.rows.firstIndex { $0.id == selected.id }!
        state.queue.rows[index] = ConsoleFixtures.request(selected.id.number, selected.subject, body: String(repeating: "無法登入 e\u{301} ", count: 300))
        state.detail.timeline = [TimelineEvent(id: 1, requestID: selected.id, actor: "alex", at: state.now,
                                               payload: .created(.init(requester: selected.requester, subject: selected.subject, priority: .normal, category: "general")))]
            + (2...41).map { TimelineEvent(id: $0, requestID: selected.id, actor: "alex", at: state.now, payload: .note(text: String(repeating: "note \($0) ", count: 300))) }
        return state
    }

    @Test func aBodyThatChangesUnderTheSameRequestIsLaidOutAfresh() {
        var state = ConsoleFixtures.queueState()
        let selected = state.selectedRequest!
        state.detail.timeline = [TimelineEvent(id: 1, requestID: selected.id, actor: "alex", at: state.now,
                                               payload: .created(.init(requester: selected.requester, subject: selected.subject, priority: .normal, category: "general")))]
        let index = state.queue.rows.firstIndex { $0.id == selected.id }!
        state.queue.rows[index] = ConsoleFixtures.request(selected.id.number, selected.subject, body: "the first body")
        #expect(Self.text(TimelineLayout.lines(state)).contains("the first body"))
        state.queue.rows[index] = ConsoleFixtures.request(selected.id.number, selected.subject, body: "the other body")
        #expect(Self.text(TimelineLayout.lines(state)).contains("the other body"), "same id and version, other bytes")
    }

    static func text(_ lines: [[StyledText]]) -> String {
        lines.map { $0.map(\.text).joined() }.joined(separator: "\n")
    }
}
