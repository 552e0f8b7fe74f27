import HelpdeskCore
@testable import helpdesk
import Testing

/// The summary an import prints names exactly the requests it made.
@Suite struct ImportTallyTests {
    static func batch(_ numbers: [Int64]) -> ImportReport {
        var report = ImportReport()
        report.imported = numbers.enumerated().map { ImportReport.Created(line: $0.offset + 1, id: "REQ-\($0.element)", externalId: "X-\($0.element)") }
        return report
    }

    @Test func consecutiveRequestsAreOneRun() {
        var tally = ImportTally(keepingLines: false)
        tally.add(Self.batch(Array(2...2001)))
        tally.add(Self.batch(Array(2002...3000)))
        #expect(tally.summary == "Imported 2999, already imported 0, refused 0 lines. New: REQ-2 to REQ-3000.")
    }

    @Test func requestsOthersWroteBetweenAreLeftOutOfTheRuns() {
        var tally = ImportTally(keepingLines: false)
        tally.add(Self.batch(Array(2...2001)))
        tally.add(Self.batch(Array(4002...6001)))
        tally.add(Self.batch([6003]))
        #expect(tally.summary == "Imported 4001, already imported 0, refused 0 lines. New: REQ-2 to REQ-2001, REQ-4002 to REQ-6001, REQ-6003.")
    }

    @Test func manyRunsAreCountedBeyondTheFirstFew() {
        var tally = ImportTally(keepingLines: false)
        for start in stride(from: Int64(1), through: 91, by: 10) { tally.add(Self.batch(Array(start...start + 4))) }
        #expect(tally.summary == "Imported 50, already imported 0, refused 0 lines. New: REQ-1 to REQ-5, REQ-11 to REQ-15, REQ-21 to REQ-25, REQ-31 to REQ-35, "
            + "and 6 more runs of them (others took the numbers between; --json lists each).")
    }

    @Test func aFewAreNamedOneByOne() {
        var tally = ImportTally(keepingLines: false)
        tally.add(Self.batch([4, 9, 10]))
        #expect(tally.summary == "Imported 3, already imported 0, refused 0 lines. New: REQ-4, REQ-9, REQ-10.")
    }
}
