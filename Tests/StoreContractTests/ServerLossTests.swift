import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import PostgreSQLStore
import Synchronization
import Testing

/// A PostgreSQL server that crashes under a writer and comes back: nothing the store said was
/// committed is lost, what it could not commit is said, and the store (its writes and its change
/// token) recovers by itself, without being opened again.
@Suite(.enabled(if: TestPostgres.url != nil, "no PostgreSQL server: set HELPDESK_TEST_POSTGRES (a server of its own is started from the same installation)"))
struct ServerLossTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("postgres-server")

    /// Outcomes of the writer's creates.
    final class Outcomes: @unchecked Sendable {
        // Behind the lock.
        private let lock = NSLock()
        private var committed: [String] = []
        private var failures: [(subject: String, error: String)] = []

        func committed(_ subject: String) { lock.withLock { committed.append(subject) } }
        func failed(_ subject: String, _ error: String) { lock.withLock { failures.append((subject, error)) } }
        var all: (committed: [String], failures: [(subject: String, error: String)]) { lock.withLock { (committed, failures) } }
    }

    /// Runs the server script, waiting for it alone (the server it starts lives on).
    func server(_ command: String, _ folder: String) throws {
        let status = try ChildProcess.runDetached(Self.script, [command, folder], environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"])
        let logs = ["initdb.log", "server.log"].compactMap { try? String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }.joined(separator: "\n")
        #expect(status == 0, "postgres-server \(command) \(folder):\n\(logs.suffix(2_000))")
    }

    @Test func aCrashedServerLosesNothingCommittedAndTheStoreRecoversByItself() async throws {
        let folder = TemporaryDirectory("hd-pg-crash")
        // The server runs as its own user, who must reach the folder whatever umask another test set.
        chmod(folder.path, 0o755)
        let data = folder.file("server")
        try await offPool { try server("start", data) }
        defer { try? server("stop", data) }
        let url = "postgresql://helpdesk@/helpdesk_test?host=\(data)"
        let store = try PostgreSQLRequestStore(url: url)
        let watcher = try PostgreSQLRequestStore(url: url)
        let outcomes = Outcomes()
        // The writer blocks on the store (and on the lost server) on a thread of its own, not on
        // one of the cooperative pool's few threads that the other tests share.
        let stop = Atomic(false)
        let writing = Task {
            try? await offPool {
                for index in 0..<4_000 {
                    let subject = "write \(index)"
                    do {
                        _ = try store.create(Fixtures.newRequest(subject), by: "writer", at: Date())
                        outcomes.committed(subject)
                    } catch {
                        outcomes.failed(subject, "\(error)")
                        usleep(20_000)
                    }
                    if stop.load(ordering: .relaxed) { break }
                }
            }
        }
        #expect(await eventually(60) { outcomes.all.committed.count >= 50 })
        try await offPool { try server("crash", data) }
        #expect(await eventually(60) { !outcomes.all.failures.isEmpty }, "writes fail while the server is down")
        try await offPool { try server("start", data) }
        let failedSoFar = outcomes.all.failures.count
        let committedBefore = outcomes.all.committed.count
        #expect(await eventually(60) { outcomes.all.committed.count > committedBefore + 50 }, "writes go on after the restart, on the same store")
        stop.store(true, ordering: .relaxed)
        _ = await writing.value

        let (committed, failures) = outcomes.all
        let stored = Set(try store.read { try $0.queue(QueueQuery(filter: .all, limit: 10_000)) }.requests.map(\.subject))
        #expect(Set(committed).isSubset(of: stored), "every create the store said was committed is there")
        // A create that failed is absent, unless it failed while committing (then the store said it may be there).
        let unknown = Set(failures.filter { $0.error.contains("whether it was saved is not known") }.map(\.subject))
        #expect(stored.subtracting(committed).isSubset(of: unknown))
        #expect(failedSoFar > 0)
        #expect(failures.allSatisfy { $0.error.contains("helpdesk_test") || $0.error.contains("connection") || $0.error.contains("not known") }, "\(failures.prefix(3))")

        // The watcher's listener reconnects and hears the next commit.
        let token = await eventually(60) { (try? watcher.changeToken()) != nil } ? try watcher.changeToken() : -1
        _ = try store.create(Fixtures.newRequest("after the crash"), by: "writer", at: Date())
        #expect(await eventually(60) { (try? watcher.changeToken()) != token })
    }
}
