import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import SQLiteStore
import Testing

@Suite struct ConcurrencyTests {
    let folder = TemporaryDirectory()

    @Test func twoWritersCreatingAThousandEachGetUniqueIncreasingNumbers() async throws {
        let path = folder.file("shared.db")
        _ = try SQLiteRequestStore(path: path)
        let perWriter = 1_000
        let results = try await withThrowingTaskGroup(of: [RequestID].self) { group in
            for writer in 0..<2 {
                group.addTask {
                    // Each writer has its own connection and thread, as two processes would.
                    try await offPool {
                        let store = try SQLiteRequestStore(path: path)
                        var ids: [RequestID] = []
                        for index in 0..<perWriter {
                            let request = try store.create(Fixtures.newRequest("writer \(writer) #\(index)"), by: "w\(writer)", at: Date())
                            ids.append(request.id)
                        }
                        return ids
                    }
                }
            }
            var all: [[RequestID]] = []
            for try await ids in group { all.append(ids) }
            return all
        }
        for ids in results {
            #expect(ids == ids.sorted(), "one writer's numbers must increase")
        }
        let all = results.flatMap { $0 }
        #expect(Set(all).count == 2 * perWriter)
        #expect(all.map(\.number).sorted() == Array(1...Int64(2 * perWriter)))

        let store = try SQLiteRequestStore(path: path)
        #expect(try store.read { try $0.count(.all) } == 2 * perWriter)
        let events = try store.read { try $0.events(since: nil, request: nil, afterEventID: nil, limit: 10_000) }
        #expect(events.count == 2 * perWriter)
        #expect(Set(events.map(\.requestID)).count == 2 * perWriter)
    }

    @Test func anotherConnectionsCommitChangesTheToken() throws {
        let path = folder.file("watch.db")
        let console = try SQLiteRequestStore(path: path)
        let other = try SQLiteRequestStore(path: path)
        let before = try console.changeToken()
        #expect(try console.changeToken() == before, "nothing changed yet")
        _ = try other.create(Fixtures.newRequest(), by: "cli", at: Date())
        let after = try console.changeToken()
        #expect(after != before)
        #expect(try console.changeToken() == after)
    }
}
