import Foundation
@testable import HelpdeskSocket
import HelpdeskTestSupport
import OktaClient
import SQLiteStore
import Testing

/// The real `helpdesk serve`, reached through a proxy that passes everything but the answer to the
/// import's second batch: the service has written the batch, the client never hears so. The
/// import must say which lines may have been written.
@Suite struct ImportUnansweredTests {
    let folder = TemporaryDirectory("hd-import-unanswered")

    @Test func aBatchWrittenButNotAnsweredIsNamedAsPerhapsWritten() async throws {
        let standIn = try OktaStandIn()
        defer { standIn.stop() }
        let token = folder.file("okta.token")
        try Data(standIn.token.utf8).write(to: URL(fileURLWithPath: token))
        chmod(token, 0o600)
        let (db, socket, proxySocket) = (folder.file("helpdesk.db"), folder.file("helpdesk.sock"), folder.file("proxy.sock"))
        let config = folder.file("config.json")
        try #"""
        {"okta": {"orgUrl": "\#(standIn.orgURL)", "tokenFile": "\#(token)"}, "store": {"path": "\#(db)"}, "service": {"socket": "\#(socket)"},
         "operators": {"\#(ServiceSmokeTests.currentLogin)": {"email": "alex.kim@example.com", "roles": ["agent"]}}}
        """#.write(toFile: config, atomically: true, encoding: .utf8)
        let service = try ChildProcess.spawn(BuiltProducts.executable("helpdesk"), ["serve", "--config", config], environment: ["HOME": folder.path],
                                             log: folder.file("serve.log"))
        defer { kill(service, SIGKILL); _ = ChildProcess.wait(service) }
        #expect(await eventually(30) { FileManager.default.fileExists(atPath: socket) })
        let proxy = try SwallowingProxy(listening: proxySocket, service: socket, swallowAnswerTo: 2)
        defer { proxy.stop() }

        var feed = ""
        for line in 1...2_500 { feed += #"{"externalId": "U-\#(line)", "requester": "a@example.com", "subject": "line \#(line)"}"# + "\n" }
        let input = folder.file("feed.jsonl")
        try feed.write(toFile: input, atomically: true, encoding: .utf8)
        let home = folder.path
        let text = try await offPool { try ChildProcess.run(BuiltProducts.executable("helpdesk"), ["import", input, "--socket", proxySocket], environment: ["HOME": home]) }
        #expect(text.status != 0)
        #expect(text.out.contains("Before the failure: Imported 1000, already imported 0, refused 0 lines."), "\(text.out)")
        #expect(text.out.contains("Lines 1001 to 2000 (1000) were with the service when it stopped answering: they may have been written"), "\(text.out)")
        // The service did write them: a rerun finds them imported already.
        #expect(await eventually(30) { (try? SQLiteRequestStore(path: db).read { try $0.count(.all) }) == 2_000 })
    }
}

/// Passes frames between one client and the service, except the answer to the `importLines` call
/// numbered `swallowAnswerTo`: then it closes the client's connection instead.
final class SwallowingProxy: @unchecked Sendable {
    private let listener: Int32
    private let thread: Thread

    init(listening path: String, service: String, swallowAnswerTo call: Int) throws {
        let listener = try UnixSocket.make()
        let bound = try UnixSocket.withAddress(path) { bind(listener, $0, $1) }
        guard bound == 0, Glibc.listen(listener, 1) == 0 else { throw UnixSocket.Failure("proxy listen", errno: errno) }
        self.listener = listener
        thread = Thread {
            let client = accept(listener, nil, nil)
            guard client >= 0, let upstream = try? UnixSocket.connect(service, timeout: 5) else { return }
            defer { close(client); close(upstream) }
            var fromClient = FrameDecoder(maximum: 8 << 20)
            var fromService = FrameDecoder(maximum: 8 << 20)
            var imports = 0
            var swallowed: Int?
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                var descriptors = [pollfd(fd: client, events: Int16(POLLIN), revents: 0), pollfd(fd: upstream, events: Int16(POLLIN), revents: 0)]
                guard poll(&descriptors, 2, 30_000) > 0 else { return }
                for (index, from, to) in [(0, client, upstream), (1, upstream, client)] where descriptors[index].revents != 0 {
                    let count = read(from, &buffer, buffer.count)
                    guard count > 0 else { return }
                    let frames = (try? (index == 0 ? fromClient.push(buffer[0..<count]) : fromService.push(buffer[0..<count]))) ?? []
                    for frame in frames {
                        let object = (try? JSONSerialization.jsonObject(with: frame)) as? [String: Any]
                        let id = (object?["id"] as? NSNumber)?.intValue
                        if index == 0, object?["method"] as? String == "importLines" {
                            imports += 1
                            if imports == call { swallowed = id }
                        }
                        if index == 1, let id, id == swallowed { return }
                        _ = UnixSocket.writeAll(to, Frame.encode(frame))
                    }
                }
            }
        }
        thread.start()
    }

    func stop() {
        close(listener)
    }
}
