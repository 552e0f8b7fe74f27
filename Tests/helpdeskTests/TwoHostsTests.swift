import Foundation
import HelpdeskCore
import HelpdeskSocket
import HelpdeskTestSupport
import Testing

/// Two real `helpdesk serve` processes, as two jump hosts would run them, on one PostgreSQL store:
/// what an operator does through one is pushed to the consoles of the other.
@Suite(.enabled(if: TestPostgres.url != nil, "no PostgreSQL server: set HELPDESK_TEST_POSTGRES"))
struct TwoHostsTests {
    final class Service {
        let folder = TemporaryDirectory("hd-two-hosts")
        let pid: pid_t
        var socket: String { folder.file("helpdesk.sock") }

        init(storeURL: String) async throws {
            let token = folder.file("okta.token")
            try Data("00two-hosts-token".utf8).write(to: URL(fileURLWithPath: token))
            chmod(token, 0o600)
            let config = folder.file("config.json")
            try #"{"okta": {"orgUrl": "http://127.0.0.1:9", "tokenFile": "\#(token)"}, "store": {"url": "\#(storeURL)"}, "service": {"socket": "\#(folder.file("helpdesk.sock"))"}, "operators": {"\#(ServiceSmokeTests.currentLogin)": {"email": "alex.kim@example.com", "roles": ["agent"]}}}"#
                .write(toFile: config, atomically: true, encoding: .utf8)
            pid = try ChildProcess.spawn(BuiltProducts.executable("helpdesk"), ["serve", "--config", config], environment: ["HOME": folder.path], log: folder.file("serve.log"))
            let socket = folder.file("helpdesk.sock")
            #expect(await eventually(30) { FileManager.default.fileExists(atPath: socket) }, "\((try? String(contentsOfFile: folder.file("serve.log"), encoding: .utf8)) ?? "")")
        }

        func stop() {
            kill(pid, SIGTERM)
            _ = ChildProcess.wait(pid)
        }
    }

    /// What a console subscribed to a service heard, by request.
    final class Heard: @unchecked Sendable {
        // Behind the lock.
        private let lock = NSLock()
        private var requests: Set<RequestID> = []
        private var events: Int64 = 0

        func add(_ notice: ChangeNotice) { lock.withLock { requests.formUnion(notice.requests); events = max(events, notice.lastEventID) } }
        func has(_ id: RequestID, through event: Int64) -> Bool { lock.withLock { requests.contains(id) && events >= event } }
    }

    @Test func workThroughOneServiceIsPushedToTheOthersConsoles() async throws {
        let url = try #require(TestPostgres.scratchURL("twohosts"))
        let first = try await Service(storeURL: url)
        defer { first.stop() }
        let second = try await Service(storeURL: url)
        defer { second.stop() }
        let east = RemoteHelpdeskService(path: first.socket)
        let west = RemoteHelpdeskService(path: second.socket)
        let heardWest = Heard()
        let heardEast = Heard()
        let westSubscription = await west.subscribe(after: nil) { event in if case .changed(let notice) = event { heardWest.add(notice) } }
        let eastSubscription = await east.subscribe(after: nil) { event in if case .changed(let notice) = event { heardEast.add(notice) } }
        defer {
            westSubscription.cancel()
            eastSubscription.cancel()
        }
        try await Task.sleep(nanoseconds: 200_000_000)

        let created = try await east.create(Fixtures.newRequest("Need Salesforce", requester: "jane.doe@example.com"))
        let createdEvent = try await east.detail(of: created.id).timeline.last?.id ?? 0
        #expect(await eventually { heardWest.has(created.id, through: createdEvent) }, "the other host's console hears the new request")
        let note = try await west.note(created.id, "called her back")
        #expect(await eventually { heardEast.has(created.id, through: note.id) }, "and the first hears the other's note")
        let seen = try await east.detail(of: created.id)
        #expect(seen.timeline.map(\.id).contains(note.id))
    }
}
