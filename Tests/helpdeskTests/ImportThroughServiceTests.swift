import Foundation
import HelpdeskCore
@testable import HelpdeskSocket
import HelpdeskTestSupport
import OktaClient
import SQLiteStore
import Synchronization
import Testing
@testable import helpdesk

/// `import` against the real `helpdesk serve`, reached through a proxy that can change the answer
/// to one batch: the service has written the batch, the client hears nothing, or something it
/// cannot read, or an answer that leaves lines out. The import must say which lines may have been
/// written; and batches must fit the service's requests whatever the lines hold.
@Suite struct ImportThroughServiceTests {
    let folder = TemporaryDirectory("hd-import-service")
    var db: String { folder.file("helpdesk.db") }
    let batch = ImportCommand.batchSize

    /// Starts the service, runs `import` through a proxy that hands the answer to the second batch
    /// to `changeAnswer` (nil: the connection is closed instead), and returns the command's result
    /// and the number of batches it sent.
    func importThroughProxy(_ feed: String, json: Bool = false, asAnEarlierService: Bool = false,
                            changeAnswer: (@Sendable ([String: Any]) -> [String: Any]?)? = nil) async throws
        -> (status: Int32, out: String, err: String, batchesSent: Int, largestBatch: Int) {
        let standIn = try OktaStandIn()
        defer { standIn.stop() }
        let token = folder.file("okta.token")
        try Data(standIn.token.utf8).write(to: URL(fileURLWithPath: token))
        chmod(token, 0o600)
        let (socket, proxySocket) = (folder.file("helpdesk.sock"), folder.file("proxy.sock"))
        unlink(socket)
        unlink(proxySocket)
        let config = folder.file("config.json")
        try #"""
        {"okta": {"orgUrl": "\#(standIn.orgURL)", "tokenFile": "\#(token)"}, "store": {"path": "\#(db)"}, "service": {"socket": "\#(socket)"},
         "operators": {"\#(ServiceSmokeTests.currentLogin)": {"email": "alex.kim@example.com", "roles": ["agent"]}}}
        """#.write(toFile: config, atomically: true, encoding: .utf8)
        let service = try ChildProcess.spawn(BuiltProducts.executable("helpdesk"), ["serve", "--config", config], environment: ["HOME": folder.path],
                                             log: folder.file("serve.log"))
        defer { kill(service, SIGKILL); _ = ChildProcess.wait(service) }
        #expect(await eventually(30) { FileManager.default.fileExists(atPath: socket) })
        let proxy = try AnswerChangingProxy(listening: proxySocket, service: socket, importCall: 2, sessionWithoutBatchSize: asAnEarlierService,
                                            change: changeAnswer ?? { $0 })
        defer { proxy.stop() }
        let input = folder.file("feed.jsonl")
        try feed.write(toFile: input, atomically: true, encoding: .utf8)
        let home = folder.path
        let result = try await offPool {
            try ChildProcess.run(BuiltProducts.executable("helpdesk"), ["import", input, "--socket", proxySocket] + (json ? ["--json"] : []), environment: ["HOME": home])
        }
        // Everything the command wrote has passed the proxy once the proxy has read to its end.
        #expect(await eventually(30) { proxy.passed.withLock { $0.clientGone } })
        return proxy.passed.withLock { (result.status, result.out, result.err, $0.importCalls, $0.largestBatch) }
    }

    static func feed(_ count: Int) -> String {
        (1...count).map { #"{"externalId": "U-\#($0)", "requester": "a@example.com", "subject": "line \#($0)"}"# + "\n" }.joined()
    }

    func stored() -> Int? { try? SQLiteRequestStore(path: db).read { try $0.count(.all) } }

    @Test func aBatchWrittenButNotAnsweredIsNamedAsPerhapsWritten() async throws {
        let result = try await importThroughProxy(Self.feed(batch * 5 / 2)) { _ in nil }
        #expect(result.status != 0)
        #expect(result.out.contains("Before it stopped: Imported \(batch), already imported 0, refused 0 lines."), "\(result.out)")
        #expect(result.out.contains("\(batch) lines from line \(batch + 1) to line \(2 * batch) may have been written: they were on their way when the service stopped answering"),
                "\(result.out)")
        // The service did write them.
        #expect(await eventually(30) { stored() == 2 * batch })
    }

    @Test func anAnswerThatCannotBeReadLeavesItsBatchPerhapsWritten() async throws {
        let result = try await importThroughProxy(Self.feed(batch * 5 / 2), json: true) { answer in
            var answer = answer
            answer["result"] = ["imported": 5]
            return answer
        }
        #expect(result.status != 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any], "\(result.out)")
        #expect((object["imported"] as? [Any])?.count == batch)
        #expect((object["unanswered"] as? [Int]) == Array(batch + 1...2 * batch))
    }

    /// An answer that does not give each line sent exactly one result: none of it is counted, the
    /// whole batch is named, the import stops.
    @Test(arguments: ["a line left out", "a line twice", "a line not sent", "a line imported and refused", "a line's result under another"])
    func anAnswerThatDoesNotAccountForEachLineOnceStopsTheImport(_ fault: String) async throws {
        let batch = batch
        let result = try await importThroughProxy(Self.feed(batch * 5 / 2), json: true) { answer in
            var answer = answer
            var report = answer["result"] as? [String: Any] ?? [:]
            var imported = report["imported"] as? [[String: Any]] ?? []
            switch fault {
            case "a line left out": imported.removeLast()
            case "a line twice": imported.append(imported[0])
            case "a line not sent": imported.append(["line": 987_654, "id": "REQ-987654", "externalId": "FAKE-1"])
            case "a line's result under another": imported[imported.count - 1]["line"] = batch + 1
            default: report["refused"] = [["line": batch + 1, "reason": "made up"]]
            }
            report["imported"] = imported
            answer["result"] = report
            return answer
        }
        #expect(result.status != 0)
        #expect(result.err.contains("the helpdesk service's answer did not give each of the \(batch) lines sent one result"), "\(result.err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any], "\(result.out)")
        #expect((object["imported"] as? [Any])?.count == batch)
        #expect((object["refused"] as? [Any])?.isEmpty == true)
        #expect((object["unanswered"] as? [Int]) == Array(batch + 1...2 * batch))
        // The third batch waited for the second's answer, and was never sent.
        #expect(result.batchesSent == 2)
    }

    /// As many lines as a batch holds, numbered as in a feed of ten billion lines, carrying as many
    /// escaped bytes as a batch may: with each line's number and keys, still one request the service reads.
    @Test func theFullestBatchFitsTheLargestRequestTheServiceReads() throws {
        let text = String(repeating: "\u{01}", count: ImportCommand.maxBatchBytes / batch / 6)
        let lines = (0..<batch).map { ImportInput(line: 9_999_999_000 + $0, text: text) }
        let escaped = lines.reduce(0) { $0 + ImportCommand.escapedBytes(Data($1.text.utf8)) }
        #expect(escaped <= ImportCommand.maxBatchBytes && escaped > ImportCommand.maxBatchBytes - batch * 6)
        let request = try WireProtocol.encoder.encode(WireRequest(id: Int64.max, method: .importLines, params: ImportParams(lines: lines)))
        #expect(request.count <= WireProtocol.maxRequestFrame, "\(request.count) bytes")
    }

    /// A service of an earlier build does not say how many lines it takes; it took 1,000, so this
    /// build's import sends it no more until it is restarted on this build.
    @Test func aServiceThatDoesNotSayItsBatchSizeIsSentBatchesOfAnEarlierBuild() async throws {
        let result = try await importThroughProxy(Self.feed(2 * batch + 10), asAnEarlierService: true)
        #expect(result.status == 0, "\(result.err)")
        #expect(result.largestBatch == ImportCommand.batchSizeOfEarlierServices)
        #expect(stored() == 2 * batch + 10)
        let now = try await importThroughProxy(Self.feed(2 * batch + 10))
        #expect(now.status == 0 && now.largestBatch == batch, "\(now.err)")
    }

    @Test func linesFullOfQuotesStillFitTheServicesRequests() async throws {
        // Each body is 20,000 quotes: 40,000 bytes as read, 80,000 in the request.
        let body = String(repeating: #"\""#, count: 20_000)
        let feed = (1...40).map { #"{"externalId": "Q-\#($0)", "requester": "a@example.com", "subject": "quotes", "body": "\#(body)"}"# + "\n" }.joined()
        let result = try await importThroughProxy(feed)
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.hasPrefix("Imported 40, already imported 0, refused 0 lines."), "\(result.out)")
        #expect(stored() == 40)
    }
}

/// Passes frames between one client and the service, but hands the answer to the client's
/// `importCall`th `importLines` call to `change`: what it returns is sent instead; nil closes the
/// client's connection.
final class AnswerChangingProxy: @unchecked Sendable {
    private let listener: Int32
    /// The client's `importLines` requests passed on so far, and whether the client has gone.
    let passed = Mutex<(importCalls: Int, largestBatch: Int, clientGone: Bool)>((0, 0, false))

    /// With `sessionWithoutBatchSize`, answers to `session` lose `importBatchLines`, as from a service
    /// of an earlier build.
    init(listening path: String, service: String, importCall: Int, sessionWithoutBatchSize: Bool = false,
         change: @escaping @Sendable ([String: Any]) -> [String: Any]?) throws {
        let listener = try UnixSocket.make()
        let bound = try UnixSocket.withAddress(path) { bind(listener, $0, $1) }
        guard bound == 0, Glibc.listen(listener, 1) == 0 else { throw UnixSocket.Failure("proxy listen", errno: errno) }
        self.listener = listener
        Thread { [self] in
            defer { passed.withLock { $0.clientGone = true } }
            let client = accept(listener, nil, nil)
            guard client >= 0, let upstream = try? UnixSocket.connect(service, timeout: 5) else { return }
            defer { close(client); close(upstream) }
            var decoders = [FrameDecoder(maximum: 8 << 20), FrameDecoder(maximum: 8 << 20)]
            var imports = 0
            var changed: Int?
            var sessions: Set<Int> = []
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                var descriptors = [pollfd(fd: client, events: Int16(POLLIN), revents: 0), pollfd(fd: upstream, events: Int16(POLLIN), revents: 0)]
                guard poll(&descriptors, 2, 30_000) > 0 else { return }
                for (index, from, to) in [(0, client, upstream), (1, upstream, client)] where descriptors[index].revents != 0 {
                    let count = read(from, &buffer, buffer.count)
                    guard count > 0, let frames = try? decoders[index].push(buffer[0..<count]) else { return }
                    for frame in frames {
                        var out = frame
                        let object = (try? JSONSerialization.jsonObject(with: frame)) as? [String: Any]
                        let id = (object?["id"] as? NSNumber)?.intValue
                        if index == 0, object?["method"] as? String == "importLines" {
                            imports += 1
                            let lines = ((object?["params"] as? [String: Any])?["lines"] as? [Any])?.count ?? 0
                            passed.withLock {
                                $0.importCalls = imports
                                $0.largestBatch = max($0.largestBatch, lines)
                            }
                            if imports == importCall { changed = id }
                        }
                        if index == 0, ["hello", "session"].contains(object?["method"] as? String), let id { sessions.insert(id) }
                        if index == 1, sessionWithoutBatchSize, let id, sessions.contains(id), let object {
                            out = (try? JSONSerialization.data(withJSONObject: Self.withoutBatchSize(object))) ?? frame
                        }
                        if index == 1, let id, id == changed, let object {
                            guard let replaced = change(object), let data = try? JSONSerialization.data(withJSONObject: replaced) else { return }
                            out = data
                        }
                        _ = UnixSocket.writeAll(to, Frame.encode(out), within: 60)
                    }
                }
            }
        }.start()
    }

    func stop() {
        close(listener)
    }

    /// An answer to `hello` or `session` as a service of an earlier build gave it.
    private static func withoutBatchSize(_ answer: [String: Any]) -> [String: Any] {
        var answer = answer
        guard var result = answer["result"] as? [String: Any] else { return answer }
        if var session = result["session"] as? [String: Any] {
            session["importBatchLines"] = nil
            result["session"] = session
        }
        result["importBatchLines"] = nil
        answer["result"] = result
        return answer
    }
}
