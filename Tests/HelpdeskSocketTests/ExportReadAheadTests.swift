import Foundation
import HelpdeskCore
@testable import HelpdeskSocket
import Synchronization
import Testing

/// The page after the last one sent is read before it is asked for, and only used for that question.
@Suite struct ExportReadAheadTests {
    /// A store of events 1...25 read in pages, recording every read.
    final class Reads: Sendable {
        let asked = Mutex<[Int64?]>([])

        func read(_ query: EventQuery) throws -> ExportPage {
            asked.withLock { $0.append(query.afterEventID) }
            let first = (query.afterEventID ?? 0) + 1
            let ids = Array(first...min(first + Int64(query.limit) - 1, 25))
            let text = Data(ids.map { "{\"id\":\($0)}\n" }.joined().utf8).base64EncodedString()
            let more = ids.last.map { $0 < 25 } ?? false
            let json = #"{"text":"\#(text)","more":\#(more)"# + (ids.last.map { #","lastEventID":\#($0)"# } ?? "") + "}"
            return try JSONDecoder().decode(ExportPage.self, from: Data(json.utf8))
        }
    }

    @Test func onceOnePageFollowsAnotherEachIsReadOnceBeforeItIsAskedFor() async throws {
        let reads = Reads()
        let ahead = ExportReadAhead()
        var cursor: Int64?
        var lines: [String] = []
        var pages = 0
        while true {
            let page = try await ahead.page(for: EventQuery(afterEventID: cursor, limit: 5)) { try reads.read($0) }
            pages += 1
            lines += String(decoding: page.text, as: UTF8.self).split(separator: "\n").map(String.init)
            guard page.more else { break }
            cursor = page.lastEventID
            if pages >= 2 {
                // From the second page on, the next was asked for when this one was answered.
                #expect(await eventually { reads.asked.withLock { $0.last } == cursor })
            } else {
                #expect(reads.asked.withLock { $0 } == [nil], "a first page alone starts no read-ahead")
            }
        }
        #expect(lines == (1...25).map { "{\"id\":\($0)}" })
        #expect(reads.asked.withLock { $0 } == [nil, 5, 10, 15, 20], "each page read once; none after the last")
    }

    @Test func aQuestionForAnotherPageIsReadAsAskedAndDropsTheHeldOne() async throws {
        let reads = Reads()
        let ahead = ExportReadAhead()
        _ = try await ahead.page(for: EventQuery(limit: 10)) { try reads.read($0) }
        _ = try await ahead.page(for: EventQuery(afterEventID: 10, limit: 10)) { try reads.read($0) }
        #expect(await eventually { reads.asked.withLock { $0 } == [nil, 10, 20] }, "the third page is read ahead")
        let other = try await ahead.page(for: EventQuery(afterEventID: 3, limit: 5)) { try reads.read($0) }
        #expect(other.lastEventID == 8, "answered as asked, not with the page held for another question")
        _ = try await ahead.page(for: EventQuery(afterEventID: 20, limit: 10)) { try reads.read($0) }
        try await Task.sleep(nanoseconds: 20_000_000)
        #expect(reads.asked.withLock { $0 } == [nil, 10, 20, 3, 20],
                "the held page was dropped and read again when asked; questions that do not follow start no read-ahead")
    }

    @Test func randomQuestionsStartNoReadAhead() async throws {
        let reads = Reads()
        let ahead = ExportReadAhead()
        for cursor: Int64 in [7, 2, 19, 11, 0, 4] {
            _ = try await ahead.page(for: EventQuery(afterEventID: cursor, limit: 3)) { try reads.read($0) }
        }
        try await Task.sleep(nanoseconds: 20_000_000)
        #expect(reads.asked.withLock { $0 } == [7, 2, 19, 11, 0, 4], "one read per question")
    }

    @Test func theSameFollowingQuestionSentManyTimesAtOnceReadsOnePageAhead() async throws {
        let reads = Reads()
        let ahead = ExportReadAhead()
        _ = try await ahead.page(for: EventQuery(limit: 2)) { try reads.read($0) }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask { _ = try? await ahead.page(for: EventQuery(afterEventID: 2, limit: 2)) { try reads.read($0) } }
            }
        }
        #expect(await eventually { reads.asked.withLock { $0 }.contains(4) }, "the page after is read ahead")
        try await Task.sleep(nanoseconds: 50_000_000)
        let asked = reads.asked.withLock { $0 }
        #expect(asked.filter { $0 == 4 }.count == 1, "one read ahead for sixteen copies of one question: \(asked)")
        #expect(asked.filter { $0 == 2 }.count == 16)
    }

    private func eventually(_ condition: @escaping () -> Bool) async -> Bool {
        for _ in 0..<5_000 {
            if condition() { return true }
            try? await Task.sleep(nanoseconds: 2_000_000)
        }
        return condition()
    }
}
