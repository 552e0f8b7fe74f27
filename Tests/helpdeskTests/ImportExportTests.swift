import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import helpdesk
import SQLiteStore
import Synchronization
import Testing

@Suite struct ImportCommandTests {
    static let feed = """
    {"externalId": "ZD-1", "requester": "Jane.Doe@example.com", "subject": "Lost my phone", "body": "left it in a taxi", "category": "mfa", "priority": "high"}

    {"externalId": "ZD-2", "requester": "omar@example.com", "subject": "Need Salesforce"}
    {"externalId": "ZD-3", "requester": "not-an-email", "subject": "Locked out"}
    {"externalId": "ZD-4", "requester": "li@example.com", "subject": "VPN", "priority": "asap"}
    {"externalId": "ZD-5", "requester": "li@example.com"
    ["not", "an", "object"]
    {"requester": "li@example.com", "subject": "no id"}
    {"externalId": "ZD-6", "requester": "li@example.com", "subject": "x", "assignee": "alex"}
    {"externalId": 7, "requester": "li@example.com", "subject": "x"}
    {"externalId": "ZD-8", "requester": "li@example.com", "subject": "   "}
    {"externalId": "ZD-1", "requester": "jane.doe@example.com", "subject": "Lost my phone (again)"}\r

    """

    @Test func goodLinesAreCreatedAndBadLinesAreReportedByNumber() async throws {
        var cli = CLIHarness()
        cli.stdin = Data(Self.feed.utf8)
        let result = await cli.run(["import", "-"])
        #expect(result.status == 1)
        #expect(result.out == "Imported 2, already imported 1, refused 8 lines. New: REQ-1, REQ-2.\n")
        #expect(result.err == """
        helpdesk import: line 4: requester: "not-an-email" is not an email address (expected name@example.com)
        helpdesk import: line 5: unknown priority "asap" (expected low, normal, high or urgent)
        helpdesk import: line 6: not valid JSON: an object is not closed
        helpdesk import: line 7: expected a JSON object on the line
        helpdesk import: line 8: externalId is missing
        helpdesk import: line 9: unknown key "assignee"; expected body, category, externalId, priority, requester, subject
        helpdesk import: line 10: externalId must be a string
        helpdesk import: line 11: the subject is empty; say in a few words what the requester needs

        """)
        let store = try SQLiteRequestStore(path: cli.dbPath)
        let jane = try #require(try store.read { try $0.request(externalID: "ZD-1") })
        #expect(jane.requester.value == "jane.doe@example.com")
        #expect(jane.subject == "Lost my phone")
        #expect(jane.body == "left it in a taxi")
        #expect(jane.priority == .high)
        #expect(jane.category == "mfa")
        let omar = try #require(try store.read { try $0.request(externalID: "ZD-2") })
        #expect(omar.priority == .normal)
        #expect(omar.category == NewRequest.defaultCategory)
        #expect(try store.read { try $0.timeline(of: omar.id) }.map(\.kind) == [.created])
        #expect(try store.read { try $0.timeline(of: omar.id) }.first?.actor == "alex")
    }

    @Test func importingAgainCreatesNothingNew() async throws {
        var cli = CLIHarness()
        let path = cli.folder.file("feed.jsonl")
        try Self.feed.write(toFile: path, atomically: true, encoding: .utf8)
        _ = await cli.run(["import", path])
        cli.stdin = Data()
        let again = await cli.run(["import", path, "--json"])
        #expect(again.status == 1)
        assertSnapshot(again.out, named: "import-again-json")
        let store = try SQLiteRequestStore(path: cli.dbPath)
        #expect(try store.read { try $0.count(.all) } == 2)
    }

    @Test func aCleanFileExitsZeroAndAMissingFileIsAClearError() async throws {
        let cli = CLIHarness()
        let path = cli.folder.file("clean.jsonl")
        try #"{"externalId": "SN-9", "requester": "a@example.com", "subject": "Printer"}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let clean = await cli.run(["import", path])
        #expect(clean.status == 0, "\(clean.err)")
        #expect(clean.out == "Imported 1, already imported 0, refused 0 lines. New: REQ-1.\n")

        let missing = await cli.run(["import", cli.folder.file("nope.jsonl")])
        #expect(missing.status == 1)
        #expect(missing.err.contains("cannot import"))
        #expect(missing.err.contains("there is no such file"))

        let usage = await cli.run(["import"])
        #expect(usage.status == 2)
        #expect(usage.err.contains("needs FILE"))
    }

    @Test func aFeedOfOnlyBadLinesIsReportedAsItGoesAndAnUnreadableFileFails() async throws {
        let cli = CLIHarness()
        var bad = cli
        // More than a batch of them, so some are reported before the end.
        let count = ImportCommand.batchSize * 6 / 5
        bad.stdin = Data((0..<count).flatMap { _ in [UInt8(0xFF), UInt8(ascii: "\n")] })
        let result = await bad.run(["import", "-"])
        #expect(result.status == 1)
        #expect(result.out == "Imported 0, already imported 0, refused \(count) lines.\n")
        let numbers = result.err.split(separator: "\n").compactMap { $0.split(separator: " ").dropFirst(3).first.flatMap { Int($0.dropLast()) } }
        #expect(numbers == Array(1...count), "every refused line, in order")

        let folder = cli.folder
        let unreadable = await cli.run(["import", folder.path])
        #expect(unreadable.status == 1)
        #expect(unreadable.err.contains("cannot read") && unreadable.err.contains("Is a directory"), "\(unreadable.err)")
    }

    /// On a feed that never pauses, what is held is caught up with once a second, not at every
    /// line once a second has passed: refusals are said in one go a second. (Read by the
    /// program's clock: a line every 0.3 s.)
    @Test func aFeedThatNeverPausesIsCaughtUpWithOnceASecond() async throws {
        var cli = CLIHarness()
        let err = CapturedOutput()
        let clock = cli.clock
        let good = ImportCommand.batchSize
        let lines = Mutex((1...10).map { _ in Data([0xFF, 0x0A]) } + [Data((1...good).map { #"{"externalId": "N-\#($0)", "requester": "a@example.com", "subject": "s"}"# + "\n" }.joined().utf8)])
        // How many refusals had been said each time a line was read.
        let saidAtEachRead = Mutex<[Int]>([])
        cli.readStandardInput = { _ in
            saidAtEachRead.withLock { $0.append(err.text.components(separatedBy: "not UTF-8 text").count - 1) }
            clock.advance(by: 0.3)
            return lines.withLock { $0.isEmpty ? Data() : $0.removeFirst() }
        }
        let result = await cli.run(["import", "-"], err: err)
        #expect(result.status == 1)
        #expect(result.out.hasPrefix("Imported \(good), already imported 0, refused 10 lines."), "\(result.out)")
        let said = saidAtEachRead.withLock { $0 }
        #expect(Set(said).count <= 4, "refusals said in a few goes over three seconds, not at each line: \(said)")
        #expect(said.last ?? 0 >= 9, "the refusals were said before the end: \(said)")
        #expect(try SQLiteRequestStore(path: cli.dbPath).read { try $0.count(.all) } == good)
    }

    /// A long line that comes slowly, with no pause, is not a pause: the lines before it wait for
    /// their batch as on a fast feed (the program's clock stands still here, so the hold does not
    /// end), and are written at the end.
    @Test func aLineStillComingIsNotAPause() async throws {
        var cli = CLIHarness()
        let path = cli.dbPath
        let pieces = Mutex([Data(#"{"externalId": "W-1", "requester": "a@example.com", "subject": "s"}"#.utf8 + [0x0A] + #"{"externalId": "W-2", "#.utf8)]
            + (1...8).map { _ in Data("          ".utf8) } + [Data(#""requester": "a@example.com", "subject": "t"}"#.utf8 + [0x0A])])
        let writtenWhileComing = Mutex(0)
        cli.readStandardInput = { _ in
            let next = pieces.withLock { $0.isEmpty ? Data() : $0.removeFirst() }
            if next.first == UInt8(ascii: " ") {
                // 8 × 50 ms: the line has been read for longer than a pause, twice.
                usleep(50_000)
                let written = (try? SQLiteRequestStore(path: path).read { try $0.count(.all) }) ?? 0
                writtenWhileComing.withLock { $0 = max($0, written) }
            }
            return next
        }
        let result = await cli.run(["import", "-"])
        #expect(result.out.hasPrefix("Imported 2,"), "\(result.out)")
        #expect(writtenWhileComing.withLock { $0 } == 0, "nothing was sent while the second line came")
    }

    /// Two and a half batches and more: every 97th line not JSON, every 131st not UTF-8, and one
    /// in every later 500 repeating line 10's external id.
    static let feedLines = ImportCommand.batchSize * 13 / 5
    /// A cut in `longFeed` past its second batch.
    static let cutAt = ImportCommand.batchSize * 200

    static func longFeed() -> Data {
        var data = Data()
        for line in 1...feedLines {
            if line % 97 == 0 {
                data.append(Data("{not json\n".utf8))
            } else if line % 131 == 0 {
                data.append(contentsOf: [0xFF, 0x0A])
            } else {
                let id = line > 500 && line % 500 == 3 ? "L-10" : "L-\(line)"
                data.append(Data(#"{"externalId": "\#(id)", "requester": "user\#(line % 7)@example.com", "subject": "line \#(line)"}"#.utf8 + [0x0A]))
            }
        }
        return data
    }

    @Test func aLongFeedIsWrittenInTheOrderOfItsLinesAndReportedAsItGoes() async throws {
        var cli = CLIHarness()
        cli.stdin = Self.longFeed()
        let result = await cli.run(["import", "-"])
        let refused = (1...Self.feedLines).filter { $0 % 97 == 0 || $0 % 131 == 0 }
        let repeats = (501...Self.feedLines).filter { $0 % 500 == 3 && $0 % 97 != 0 && $0 % 131 != 0 }
        let created = Self.feedLines - refused.count - repeats.count
        #expect(result.status == 1)
        #expect(result.out == "Imported \(created), already imported \(repeats.count), refused \(refused.count) lines. New: REQ-1 to REQ-\(created).\n")
        let numbers = result.err.split(separator: "\n").compactMap { $0.split(separator: " ").dropFirst(3).first.flatMap { Int($0.dropLast()) } }
        #expect(numbers == refused, "every refused line, in order")
        // Request numbers follow the lines: the nth new line is REQ-n.
        let store = try SQLiteRequestStore(path: cli.dbPath)
        let newLines = (1...Self.feedLines).filter { !refused.contains($0) && !repeats.contains($0) }
        for (index, line) in newLines.enumerated() where index % 50 == 0 || index == newLines.count - 1 {
            #expect(try store.read { try $0.request(externalID: "L-\(line)") }?.id == RequestID(Int64(index + 1)), "line \(line)")
        }
    }

    @Test func aFeedThatCannotBeReadToItsEndKeepsTheBatchesSentBeforeTheFailure() async throws {
        var cli = CLIHarness()
        cli.stdin = Self.longFeed().prefix(Self.cutAt)
        cli.stdinFailsAtEnd = true
        let result = await cli.run(["import", "-"])
        #expect(result.status == 1)
        #expect(result.err.contains("cannot read standard input"), "\(result.err)")
        // Every batch sent before the failure is written before the command ends: a batch goes
        // when the text line after its last arrives, so the lines read (whole ones) tell how many.
        let read = Self.longFeed().prefix(Self.cutAt).split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
        let text = read.filter { line in String(validating: line, as: UTF8.self) != nil }
        let sent = text.prefix((text.count - 1) / ImportCommand.batchSize * ImportCommand.batchSize).map { String(decoding: $0, as: UTF8.self) }
        let created = Set(sent.filter { $0.hasPrefix(#"{"externalId""#) }.map { $0.split(separator: "\"")[3] }).count
        let store = try SQLiteRequestStore(path: cli.dbPath)
        #expect(sent.count >= 2 * ImportCommand.batchSize)
        #expect(try store.read { try $0.count(.all) } == created)
        #expect(result.out.hasPrefix("Before it stopped: Imported \(created), "), "\(result.out)")
    }

    @Test func withJSONAFeedThatCannotBeReadToItsEndPrintsWhatWasWrittenAndWhyItStopped() async throws {
        var cli = CLIHarness()
        cli.stdin = Self.longFeed().prefix(Self.cutAt)
        cli.stdinFailsAtEnd = true
        let result = await cli.run(["import", "-", "--json"])
        #expect(result.status == 1)
        #expect(result.err.contains("cannot read standard input"), "\(result.err)")
        struct Stopped: Decodable {
            let imported: [ImportReport.Created]
            let alreadyImported: [ImportReport.Created]
            let refused: [ImportReport.Refused]
            let failure: String
        }
        let stopped = try JSONDecoder().decode(Stopped.self, from: Data(result.out.utf8))
        let store = try SQLiteRequestStore(path: cli.dbPath)
        #expect(stopped.imported.count == (try store.read { try $0.count(.all) }))
        #expect(stopped.imported.count >= ImportCommand.batchSize)
        #expect(stopped.imported.first?.id == "REQ-1")
        #expect(stopped.failure.contains("cannot read standard input"), "\(stopped.failure)")
    }

    @Test func linesRefusedBeforeAFailureAreStillReported() async throws {
        // A batch goes when the line after it arrives; a line of the next batch is not UTF-8 and is
        // refused by the command itself; then the input cannot be read further.
        let batch = ImportCommand.batchSize
        let notText = batch + batch / 5
        var feed = Data()
        for line in 1...batch * 3 / 2 {
            feed.append(line == notText ? Data([0xFF, 0x0A]) : Data(#"{"externalId": "F-\#(line)", "requester": "a@example.com", "subject": "line \#(line)"}"#.utf8 + [0x0A]))
        }
        for json in [false, true] {
            var cli = CLIHarness()
            cli.stdin = feed
            cli.stdinFailsAtEnd = true
            let result = await cli.run(["import", "-"] + (json ? ["--json"] : []))
            #expect(result.status == 1)
            if json {
                let stopped = try JSONDecoder().decode(ImportReport.self, from: Data(result.out.utf8))
                #expect(stopped.refused.map(\.line) == [notText])
                #expect(stopped.imported.count == batch)
            } else {
                #expect(result.err.contains("line \(notText): not UTF-8 text"), "\(result.err)")
                #expect(result.out.hasPrefix("Before it stopped: Imported \(batch), already imported 0, refused 1 line."), "\(result.out)")
            }
        }
    }

    @Test func withJSONAnImportThatCannotStartStillPrintsItsObject() async throws {
        var cli = CLIHarness()
        let result = await cli.run(["import", "/no/such/feed.jsonl", "--json"])
        #expect(result.status != 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any], "\(result.out)")
        #expect((object["imported"] as? [Any])?.isEmpty == true)
        #expect((object["unanswered"] as? [Any])?.isEmpty == true)
        #expect((object["failure"] as? String)?.contains("there is no such file") == true, "\(object)")
        // A store that cannot be opened (here a folder): the same object, its reason.
        cli.stdin = Data(Self.feed.utf8)
        let noStore = await cli.run(["import", "-", "--db", cli.folder.path, "--json"])
        #expect(noStore.status != 0)
        let stopped = try #require(try JSONSerialization.jsonObject(with: Data(noStore.out.utf8)) as? [String: Any], "\(noStore.out) \(noStore.err)")
        #expect((stopped["imported"] as? [Any])?.isEmpty == true)
        #expect((stopped["failure"] as? String)?.isEmpty == false)
    }

    @Test func aServiceThatCannotBeReachedHadNoBatch() async throws {
        var cli = CLIHarness()
        cli.stdin = Data(Self.feed.utf8)
        let result = await cli.run(["import", "-", "--socket", cli.folder.file("nobody-listens.sock"), "--json"])
        #expect(result.status != 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any], "\(result.out)")
        #expect((object["unanswered"] as? [Any])?.isEmpty == true, "\(object)")
        #expect((object["failure"] as? String)?.contains("the helpdesk service is not running") == true, "\(object)")
    }

    @Test func linesAreMeasuredAsTheyTravelToTheService() async throws {
        #expect(ImportCommand.escapedBytes(Data(#"{"a": "b"}"#.utf8)) == 14)
        #expect(ImportCommand.escapedBytes(Data([0x0A, 0x09, 0x5C, 0x01, 0x1F, 0x7F, 0xC3, 0xA9, 0x08, 0x0C, 0x0D])) == 2 + 2 + 2 + 6 + 6 + 1 + 2 + 2 + 2 + 2)
        // A line of JSON at most doubles: 20,000 emoji written as escapes (240 KB) is a request the
        // service takes. Raw control characters (never JSON text) can make a line too long to send.
        var cli = CLIHarness()
        let emoji = String(repeating: #"\ud83d\ude00"#, count: 20_000)
        let controls = String(repeating: "\u{01}", count: 160_000)
        cli.stdin = Data((#"{"externalId": "E-1", "requester": "a@example.com", "subject": "emoji", "body": "\#(emoji)"}"# + "\n"
            + #"{"externalId": "C-1", "requester": "a@example.com", "subject": "s", "body": "\#(controls)"}"# + "\n").utf8)
        let result = await cli.run(["import", "-"])
        #expect(result.status == 1)
        #expect(result.err == "helpdesk import: line 2: the line is longer than 896 KiB once its control characters are escaped; JSON text holds none\n")
        #expect(result.out.hasPrefix("Imported 1, already imported 0, refused 1 line."))
    }

    @Test func aBatchTheServiceMayHaveWrittenIsToldFromOneItDidNot() {
        #expect(ImportCommand.outcomeUnknown(ServiceError(.unavailable, "the helpdesk service closed the connection")))
        #expect(ImportCommand.outcomeUnknown(ServiceError(.protocolError, "the answer could not be read")))
        #expect(!ImportCommand.outcomeUnknown(ServiceError(.store, "the store is read-only")))
        #expect(!ImportCommand.outcomeUnknown(ServiceError(.busy, "too much at once")))
        #expect(!ImportCommand.outcomeUnknown(ServiceError(.refused, "the request is too large")))
        #expect(!ImportCommand.outcomeUnknown(CLIError.failed("cannot read standard input")))
    }

    @Test func bytesThatAreNotUTF8AreRefusedByLine() async throws {
        var cli = CLIHarness()
        var data = Data(#"{"externalId": "A", "requester": "a@example.com", "subject": "ok"}"#.utf8)
        data.append(contentsOf: [0x0A, 0xFF, 0xFE, 0x7B, 0x0A])
        cli.stdin = data
        let result = await cli.run(["import", "-"])
        #expect(result.status == 1)
        #expect(result.err == "helpdesk import: line 2: not UTF-8 text\n")
        #expect(result.out.hasPrefix("Imported 1,"))
    }
}

@Suite struct ExportCommandTests {
    /// Two requests with a note and a resolve, a day apart.
    func populated() async throws -> CLIHarness {
        let cli = CLIHarness()
        _ = await cli.run(["new", "--requester", "jane@example.com", "--subject", "Lost my phone"])
        _ = await cli.run(["note", "REQ-1", "called her back"])
        cli.clock.advance(by: 86_400)
        _ = await cli.run(["new", "--requester", "omar@example.com", "--subject", "Need Salesforce"])
        _ = await cli.run(["resolve", "REQ-1", "--note", "new phone enrolled"])
        return cli
    }

    func lines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test func everyEventIsOneJSONLineOldestFirst() async throws {
        let cli = try await populated()
        let result = await cli.run(["export"])
        #expect(result.status == 0, "\(result.err)")
        assertSnapshot(result.out, named: "export-all")
        let events = try lines(result.out)
        #expect(events.map { $0["id"] as? Int } == Array(1...events.count))
        #expect(events.allSatisfy { Set($0.keys) == ["id", "request", "kind", "actor", "at", "details", "oktaRequestId"] })
    }

    @Test func sinceRequestAndAfterNarrowTheExport() async throws {
        let cli = try await populated()
        let start = Timestamp.iso8601(cli.clock.now().addingTimeInterval(-3_600))
        let recent = try lines(await cli.run(["export", "--since", start]).out)
        #expect(recent.map { $0["request"] as? String } == ["REQ-2", "REQ-1"])
        #expect(try lines(await cli.run(["export", "--since", "2h"]).out).count == recent.count)
        let one = try lines(await cli.run(["export", "--request", "REQ-2"]).out)
        #expect(one.map { $0["kind"] as? String } == ["created"])
        let after = try lines(await cli.run(["export", "--after", "2"]).out)
        #expect(after.first?["id"] as? Int == 3)
    }

    @Test func exportPagesThroughMoreEventsThanOnePage() async throws {
        var cli = CLIHarness()
        let feed = (1...(ExportCommand.pageSize + 5)).map { #"{"externalId": "E\#($0)", "requester": "u\#($0)@example.com", "subject": "s"}"# }
        cli.stdin = Data(feed.joined(separator: "\n").utf8)
        _ = await cli.run(["import", "-"])
        let events = try lines(await cli.run(["export"]).out)
        #expect(events.count == ExportCommand.pageSize + 5)
        #expect(Set(events.compactMap { $0["id"] as? Int }).count == events.count)
    }

    @Test func badInputIsAUsageErrorOrANamedMissingRequest() async throws {
        let cli = try await populated()
        let cases: [([String], Int32, String)] = [
            (["export", "--since", "last tuesday"], 2, "is not a date"),
            (["export", "--since", "30s"], 2, "--since: \"30s\" is in seconds; give minutes or more"),
            (["export", "--since", "1M"], 2, "could be minutes or months"),
            (["export", "--after", "-3"], 2, "is not an event id"),
            (["export", "--request", "ticket"], 2, "is not a request id"),
            (["export", "--request", "REQ-99"], 1, "no request REQ-99"),
        ]
        for (arguments, status, message) in cases {
            let result = await cli.run(arguments)
            #expect(result.status == status, "\(arguments)")
            #expect(result.err.contains(message), "\(arguments): \(result.err)")
            #expect(result.out.isEmpty)
        }
    }
}

/// A store path that names nothing, or a folder, is a mistake the reading commands say out loud.
@Suite struct StorePathMistakeTests {
    @Test(arguments: [["list"], ["show", "REQ-1"], ["export"], ["playbooks"], ["note", "REQ-1", "hello"], ["assign", "REQ-1", "me"],
                      ["resolve", "REQ-1"], ["deny", "REQ-1", "--reason", "no"], ["sweep"]])
    func aCommandThatDoesNotStartAStoreRefusesOneThatIsNotThere(command: [String]) async throws {
        let cli = CLIHarness()
        let missing = cli.folder.file("typo/helpdesk.db")
        let result = await cli.run(command + ["--db", missing])
        #expect(result.status == 1)
        #expect(result.err == "helpdesk: there is no store at \(missing); check --db or HELPDESK_DB (a store is made by helpdesk new, helpdesk import or the console)\n")
        #expect(!FileManager.default.fileExists(atPath: cli.folder.file("typo")), "nothing was created")
        var byVariable = cli
        byVariable.variables["HELPDESK_DB"] = missing
        #expect(await byVariable.run(command, db: false).status == 1)
        #expect(!FileManager.default.fileExists(atPath: cli.folder.file("typo")), "nothing was created")
    }

    @Test func anEmptyFileIsNoStoreToACommandThatDoesNotStartOne() async throws {
        let cli = CLIHarness()
        let empty = cli.folder.file("empty.db")
        #expect(FileManager.default.createFile(atPath: empty, contents: nil))
        let result = await cli.run(["list", "--db", empty])
        #expect(result.status == 1)
        #expect(result.err == "helpdesk: there is no store at \(empty) (the file is empty); check --db or HELPDESK_DB (a store is made by helpdesk new, helpdesk import or the console)\n")
        #expect(try FileManager.default.attributesOfItem(atPath: empty)[.size] as? Int == 0, "nothing was written into it")
        #expect(await cli.run(["new", "--requester", "jane.doe@example.com", "--subject", "Lost my phone", "--db", empty]).status == 0)
    }

    @Test func aLinkIsFollowedToWhatItNames() async throws {
        let cli = CLIHarness()
        let dangling = cli.folder.file("dangling.db")
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: cli.folder.file("nothing-here.db"))
        let toEmpty = cli.folder.file("to-empty.db")
        #expect(FileManager.default.createFile(atPath: cli.folder.file("empty.db"), contents: nil))
        try FileManager.default.createSymbolicLink(atPath: toEmpty, withDestinationPath: cli.folder.file("empty.db"))
        let noTarget = await cli.run(["list", "--db", dangling])
        #expect(noTarget.status == 1)
        #expect(noTarget.err.hasPrefix("helpdesk: there is no store at \(dangling);"), "\(noTarget.err)")
        #expect(!FileManager.default.fileExists(atPath: cli.folder.file("nothing-here.db")), "nothing was created")
        #expect(await cli.run(["show", "REQ-1", "--db", toEmpty]).err.hasPrefix("helpdesk: there is no store at \(toEmpty) (the file is empty);"))
        #expect(try FileManager.default.attributesOfItem(atPath: cli.folder.file("empty.db"))[.size] as? Int == 0)
    }

    @Test func aFolderIsNotAStore() async throws {
        let cli = CLIHarness()
        for command in [["list"], ["new", "--requester", "jane.doe@example.com", "--subject", "Lost my phone"]] {
            let result = await cli.run(command + ["--db", cli.folder.path])
            #expect(result.status == 1)
            #expect(result.err.contains("cannot open the store \(cli.folder.path): it is a folder, not a store file; name a file in it, such as \(cli.folder.path)/helpdesk.db"), "\(result.err)")
        }
    }

    @Test(arguments: [["new", "--requester", "jane.doe@example.com", "--subject", "Lost my phone"], ["import", "-"], ["list"], ["export"]])
    func aStoreInMemoryIsRefusedByACommand(command: [String]) async throws {
        var cli = CLIHarness()
        cli.stdin = Data(#"{"externalId": "SN-9", "requester": "a@example.com", "subject": "Printer"}"#.utf8)
        let result = await cli.run(command + ["--db", ":memory:"])
        #expect(result.status == 1)
        #expect(result.out == "")
        #expect(result.err == "helpdesk: :memory: is a store in memory, gone when the command ends; name a store file with --db or HELPDESK_DB\n")
        var byVariable = cli
        byVariable.variables["HELPDESK_DB"] = ":memory:"
        #expect(await byVariable.run(command, db: false).err == result.err)
    }

    @Test func aCommandThatWritesMakesTheStore() async throws {
        let cli = CLIHarness()
        let fresh = cli.folder.file("new/helpdesk.db")
        #expect(await cli.run(["new", "--requester", "jane.doe@example.com", "--subject", "Lost my phone", "--db", fresh]).status == 0)
        #expect(await cli.run(["list", "--db", fresh]).out.contains("REQ-1"))
    }
}
