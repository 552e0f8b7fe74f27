import Foundation
import Synchronization
@testable import HelpdeskCore
import HelpdeskTestSupport
import Testing

/// `importLines` as the service runs it, on the store the suite runs on (SQLite, or PostgreSQL
/// with HELPDESK_TEST_STORE=postgresql): lines read on their own thread in chunks, written in
/// one transaction, each reported by its number.
@Suite struct ImportServiceTests {
    /// Lines of `batch()` that are refused.
    static let refusedLines = (1...LocalHelpdeskService.importBatchLimit).filter { $0 % 101 == 0 || $0 == 7 }

    /// A full batch: bad lines (one in the first, short, reading chunk), repeats inside the batch
    /// (across reading chunks and statements of 128), an id already in the store, ids equal only
    /// as Swift strings.
    static func batch() -> [ImportInput] {
        (1...LocalHelpdeskService.importBatchLimit).map { line in
            if refusedLines.contains(line) { return ImportInput(line: line, text: "{not json") }
            let id: String
            switch line {
            case 40: id = "ZD-20"
            case 300, 700: id = "ZD-5"
            case 999: id = "ZD-old"
            case 10: id = "ZD-café"
            case 11: id = "ZD-cafe\u{301}"
            default: id = "ZD-\(line)"
            }
            return ImportInput(line: line, text: #"{"externalId": "\#(id)", "requester": "user\#(line % 9)@example.com", "subject": "line \#(line)"}"#)
        }
    }

    /// The service for agent alex of the demo team, on the fixture's store.
    static func service(on fixture: EngineFixture) throws -> any HelpdeskService {
        let backend = HelpdeskBackend(engine: fixture.engine) { login in
            guard let member = DemoTeamFixture.team.member(login) else { throw Refusal("\(login) is not an operator") }
            return member
        }
        return try backend.service(for: "alex")
    }

    @Test func aBatchIsReportedLineByLineAndWrittenOnce() async throws {
        let fixture = try EngineFixture()
        let old = try fixture.store.create(Fixtures.newRequest("older", externalID: "ZD-old"), by: "intake", at: fixture.clock.now())
        let service = try Self.service(on: fixture)
        let report = try await service.importLines(Self.batch())

        let refused = Self.refusedLines
        #expect(report.refused.map(\.line) == refused)
        #expect(report.refused.allSatisfy { $0.reason == "not valid JSON: a key must be a string in double quotes" })
        #expect(report.alreadyImported.map(\.line) == [40, 300, 700, 999])
        let five = try #require(report.imported.first { $0.externalId == "ZD-5" })
        let twenty = try #require(report.imported.first { $0.externalId == "ZD-20" })
        #expect(report.alreadyImported.map(\.id) == [twenty.id, five.id, five.id, old.id.description])
        // New requests are numbered in the order of their lines, after the one already there.
        #expect(report.imported.map(\.line) == (1...LocalHelpdeskService.importBatchLimit).filter { !refused.contains($0) && ![40, 300, 700, 999].contains($0) })
        #expect(report.imported.map(\.id) == (0..<report.imported.count).map { RequestID(old.id.number + 1 + Int64($0)).description })
        for created in report.imported {
            let stored = try #require(try fixture.store.read { try $0.request(externalID: created.externalId) })
            #expect(stored.id.description == created.id && stored.subject == "line \(created.line)")
        }
        #expect(try fixture.store.read { try $0.count(.all) } == 1 + report.imported.count)
        #expect(try fixture.store.read { try $0.lastEventID() } == Int64(1 + report.imported.count))

        let again = try await service.importLines(Self.batch())
        #expect(again.imported.isEmpty && again.alreadyImported.count == LocalHelpdeskService.importBatchLimit - refused.count)
        #expect(try fixture.store.read { try $0.count(.all) } == 1 + report.imported.count)
    }

    @Test func aBatchIsReadInAShortFirstChunkThenFullOnes() {
        let ranges = ImportReading.chunkRanges(count: 1_000)
        #expect(ranges.first == 0..<ImportReading.firstChunkLines)
        #expect(ranges.dropFirst().dropLast().allSatisfy { $0.count == ImportReading.chunkLines })
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound } && ranges.last?.upperBound == 1_000)
        #expect(ImportReading.chunkRanges(count: 0).isEmpty)
        #expect(ImportReading.chunkRanges(count: 5) == [0..<5])
        #expect(ImportReading.chunkRanges(count: 33) == [0..<32, 32..<33])
    }

    @Test func aReadingThreadThatNeverRunsLeavesTheChunksToTheWriter() {
        let lines = Self.batch()
        let expected = ImportReading(lines)
        let reading = ImportReading(lines, startingThread: { _, _ in })
        for index in 0..<reading.chunkCount {
            #expect(reading.chunk(index).map(\.line) == expected.chunk(index).map(\.line))
        }
        #expect(reading.refusedLines().map(\.line) == Self.refusedLines)
    }

    @Test func aReadingThreadThatStartsLateFindsNothingLeftAndEnds() {
        let late = Mutex<(@Sendable () -> Void)?>(nil)
        let reading = ImportReading(Self.batch(), startingThread: { _, work in late.withLock { $0 = work } })
        #expect(reading.refusedLines().map(\.line) == Self.refusedLines)
        late.withLock { $0 }?()
        #expect(reading.chunk(reading.chunkCount - 1).last?.line == LocalHelpdeskService.importBatchLimit)
    }

    @Test func aBatchPastTheLimitIsRefusedWhole() async throws {
        let fixture = try EngineFixture()
        let service = try Self.service(on: fixture)
        let lines = (1...LocalHelpdeskService.importBatchLimit + 1).map { ImportInput(line: $0, text: "{}") }
        await #expect(throws: Refusal.self) { try await service.importLines(lines) }
        #expect(try fixture.store.read { try $0.count(.all) } == 0)
    }
}
