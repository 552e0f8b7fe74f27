import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import helpdesk
import SQLiteStore
import Testing

/// The real binary in child processes: the operator is the OS login, and a crash between
/// "action started" and Okta's answer leaves a run that reconcile settles without repeating it.
@Suite struct ProcessTests {
    let folder = TemporaryDirectory("helpdesk-process")
    let binary = BuiltProducts.executable("helpdesk")
    var db: String { folder.file("helpdesk.db") }

    static var osLogin: String {
        guard let record = getpwuid(getuid()), let name = record.pointee.pw_name else { return "?" }
        return String(cString: name)
    }

    func configuration(agent login: String) throws -> String {
        let path = folder.file("config.json")
        try """
        {"operators": {"\(login)": {"email": "alex.kim@example.com", "roles": ["agent"]}}}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theOperatorIsTheLoginOfTheRealUserIDWhateverTheEnvironmentSays() async throws {
        // A configuration of its own, so a /etc/helpdesk/config.json on the machine does not decide the result.
        let environment = ["HOME": folder.path, "USER": "mallory", "LOGNAME": "mallory", "HELPDESK_USER": "mallory",
                           "HELPDESK_CONFIG": try configuration(agent: Self.osLogin)]
        let created = try await offPool { [binary, db] in try ChildProcess.run(binary, ["new", "--db", db, "--requester", "jane@example.com", "--subject", "Who am I"], environment: environment) }
        #expect(created.status == 0, "\(created.err)")
        let noted = try await offPool { [binary, db] in try ChildProcess.run(binary, ["note", "REQ-1", "--db", db, "hello"], environment: environment) }
        #expect(noted.status == 0, "\(noted.err)")
        let timeline = try SQLiteRequestStore(path: db).read { try $0.timeline(of: RequestID(1)) }
        #expect(timeline.map(\.actor) == [Self.osLogin, Self.osLogin])
        #expect(!timeline.contains { $0.actor == "mallory" })
    }

    /// `TZ` as the C library reads it: a zone's name, a `:` and a name, or a POSIX rule (which
    /// Foundation's time zones would take for UTC), each beside the zone it names, to check by.
    /// One request, shown under each in turn.
    @Test func timesArePrintedInTheZoneTheCLibraryReadsFromTZ() async throws {
        let environment = ["HOME": folder.path, "HELPDESK_CONFIG": try configuration(agent: Self.osLogin)]
        let created = try await offPool { [binary, db] in try ChildProcess.run(binary, ["new", "--db", db, "--requester", "jane@example.com", "--subject", "When"], environment: environment) }
        #expect(created.status == 0, "\(created.err)")
        let request = try #require(try SQLiteRequestStore(path: db).read { try $0.request(RequestID(1)) })
        let zones = [("Asia/Kolkata", TimeZone(identifier: "Asia/Kolkata")), (":America/St_Johns", TimeZone(identifier: "America/St_Johns")),
                     ("IST-5:30", TimeZone(secondsFromGMT: 19_800)), ("UTC", TimeZone(identifier: "UTC"))]
        for (zone, named) in zones {
            let zoned = environment.merging(["TZ": zone]) { $1 }
            let shown = try await offPool { [binary, db] in try ChildProcess.run(binary, ["show", "REQ-1", "--db", db], environment: zoned) }
            #expect(shown.status == 0, "\(shown.err)")
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = try #require(named)
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: request.createdAt)
            let expected = String(format: "Created    %04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
            #expect(shown.out.contains(expected), "TZ=\(zone): \(shown.out)")
        }
    }

    @Test func anImportGoesOnWhenTheReaderOfItsOutputGoesAway() async throws {
        // Every fifth line is refused, so the import writes to standard error all along; `head`
        // reads ten bytes and leaves.
        var feed = Data()
        for line in 1...5_000 {
            feed.append(line % 5 == 0 ? Data([0xFF, 0x0A]) : Data(#"{"externalId": "P-\#(line)", "requester": "a@example.com", "subject": "line \#(line)"}"#.utf8 + [0x0A]))
        }
        let input = folder.file("feed.jsonl")
        try feed.write(to: URL(fileURLWithPath: input))
        let environment = ["HOME": folder.path, "HELPDESK_CONFIG": try configuration(agent: Self.osLogin)]
        let command = "'\(binary.path)' import '\(input)' --db '\(db)' 2>&1 | head -c 10"
        let result = try await offPool { try ChildProcess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", command], environment: environment) }
        #expect(result.status == 0, "\(result.err)")
        #expect(try SQLiteRequestStore(path: db).read { try $0.count(.all) } == 4_000)
    }

    /// Started with a standard descriptor closed (`>&-`, `<&-`), the program does not hand its
    /// number to the next file it opens: output meant for the terminal fails and says so, and
    /// input ends at once.
    @Test func aClosedStandardDescriptorFailsOutputAndEndsInput() async throws {
        let environment = ["HOME": folder.path, "HELPDESK_CONFIG": try configuration(agent: Self.osLogin)]
        let created = try await offPool { [binary, db] in try ChildProcess.run(binary, ["new", "--db", db, "--requester", "jane@example.com", "--subject", "Closed"], environment: environment) }
        #expect(created.status == 0, "\(created.err)")
        let script = "'\(binary.path)' list --db '\(db)' >&-; echo \"list $?\"; '\(binary.path)' import - --db '\(db)' <&-; echo \"import $?\""
        let result = try await offPool { try ChildProcess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", script], environment: environment) }
        #expect(result.out == "list 1\nImported 0, already imported 0, refused 0 lines.\nimport 0\n", "\(result.err)")
        #expect(result.err == "helpdesk: the command ran, but its output could not all be written (\(String(cString: strerror(EBADF))))\n")
        #expect(try SQLiteRequestStore(path: db).read { try $0.count(.all) } == 1)
    }

    /// A stop signal ends an import between batches, and it says so: what it wrote, the line it
    /// stopped before, the shell's status for the signal. Importing again writes the rest, once.
    @Test(.serialized, arguments: [SIGTERM, SIGINT, SIGHUP])
    func anImportStoppedByASignalSaysWhatItWroteAndWhereItStopped(signal: Int32) async throws {
        let lines = 20_000
        let (input, environment, store) = try await importSetting(lines: lines)
        let stopped = try await importUntil(signals: [signal], "exec '\(binary.path)' import '\(input)' --db '\(db)'", environment: environment, store: store)
        let written = try store.read { try $0.count(.all) } - 1
        #expect(stopped.status == 128 + signal, "\(stopped.err)")
        #expect(written > 0 && written < lines && written % ImportCommand.batchSize == 0, "\(written)")
        #expect(stopped.out == "Before it stopped: Imported \(written), already imported 0, refused 0 lines. New: REQ-2 to REQ-\(written + 1).\n")
        let name = StopSignals.name(signal)
        #expect(stopped.err == "helpdesk import: \(name): stopping once the batch with the store is written; a second signal stops at once\n"
            + "helpdesk: stopped by \(name): line \(written + 1) and the lines after it were not sent; importing the same input again skips what was written\n")
        let again = try await offPool { [binary, db] in try ChildProcess.run(binary, ["import", input, "--db", db], environment: environment) }
        #expect(again.out.hasPrefix("Imported \(lines - written), already imported \(written), refused 0 lines."), "\(again.out)")
        #expect(try store.read { try $0.count(.all) } == lines + 1)
    }

    /// A feed that trickles is written as it comes: when the input pauses, the lines that came are
    /// written, and a refused one reported, without waiting for a full batch. A stop signal while
    /// it waits ends it at once, saying what it wrote.
    @Test func aFeedThatPausesIsWrittenAsItComesAndAStopWhileWaitingSaysWhatItWrote() async throws {
        let lines = ImportCommand.batchSize * 3 / 2
        let (input, environment, store) = try await importSetting(lines: lines)
        let feed = try String(contentsOfFile: input, encoding: .utf8) + "not JSON\n"
        let refusal = "helpdesk import: line \(lines + 1): not valid JSON: unexpected n where a value should be\n"
        let fifo = folder.file("input.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let (out, err) = (folder.file("waiting.out"), folder.file("waiting.err"))
        let pid = try ChildProcess.spawn(URL(fileURLWithPath: "/bin/sh"), ["-c", "exec '\(binary.path)' import - --db '\(db)' <'\(fifo)' >'\(out)' 2>'\(err)'"],
                                         environment: environment)
        let (written, reported, status) = try await offPool { () -> (Int, Bool, Int32) in
            let writer = open(fifo, O_WRONLY)
            defer { close(writer) }
            _ = feed.utf8CString.withUnsafeBytes { write(writer, $0.baseAddress, $0.count - 1) }
            // A full batch and half of one, then nothing; the writer stays, so the input has not
            // ended. 30 s: the machine may be busy with the rest of the suite.
            let deadline = Date().addingTimeInterval(30)
            func reported() -> Bool { ((try? String(contentsOfFile: err, encoding: .utf8)) ?? "").contains(refusal) }
            while try store.read({ try $0.count(.all) }) <= lines || !reported(), Date() < deadline { usleep(2_000) }
            let written = try store.read { try $0.count(.all) } - 1
            let wasReported = reported()
            kill(pid, SIGTERM)
            return (written, wasReported, ChildProcess.wait(pid, deadline: Date().addingTimeInterval(30)))
        }
        #expect(written == lines, "the half batch was written while the input paused")
        #expect(reported, "the refused line was reported while the input paused")
        #expect(status == 128 + SIGTERM, "the first signal ended an import waiting on input")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "Before it stopped: Imported \(lines), already imported 0, refused 1 line. New: REQ-2 to REQ-\(lines + 1).\n")
        #expect(try String(contentsOfFile: err, encoding: .utf8) == refusal
            + "helpdesk import: SIGTERM: stopping once the batch with the store is written; a second signal stops at once\n"
            + "helpdesk: stopped by SIGTERM while waiting for line \(lines + 2); importing the same input again skips what was written\n")
    }

    /// A feed that never pauses long (a line every 50 ms) is written as it comes too, and its
    /// refusals said: nothing waits more than about a second or two. Line 5 is refused by the
    /// store's side, line 10 and every line from 31 on (not UTF-8) by the command itself, so in
    /// the end nothing is sent and only refusals are held. Without the hold, nothing would be
    /// written or said until the feed ends.
    @Test func aFeedThatTricklesWithoutPausingIsWrittenAsItComes() async throws {
        let (_, environment, store) = try await importSetting(lines: 1)
        let fifo = folder.file("trickle.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let err = folder.file("trickle.err")
        let pid = try ChildProcess.spawn(URL(fileURLWithPath: "/bin/sh"), ["-c", "exec '\(binary.path)' import - --db '\(db)' <'\(fifo)' >/dev/null 2>'\(err)'"],
                                         environment: environment)
        let (writtenWhileFeeding, saidWhileFeeding, status) = try await offPool { () -> (Int, String, Int32) in
            let writer = open(fifo, O_WRONLY)
            var writtenWhileFeeding = 0
            var saidWhileFeeding = ""
            // Lines 1–30, then refused lines until every refusal so far has been said and lines
            // written (up to 20 s: the machine may be busy with the rest of the suite).
            let deadline = Date().addingTimeInterval(20)
            var line = 0
            func seen() -> Bool {
                ["line 5: not valid JSON", "line 10: not UTF-8 text", "line 31: not UTF-8 text"].allSatisfy(saidWhileFeeding.contains) && writtenWhileFeeding > 0
            }
            while line < 30 || (!seen() && Date() < deadline) {
                line += 1
                let text = switch line {
                case 5: Data("not JSON\n".utf8)
                case 10, 31...: Data([0xFF, 0xFE, 0x0A])
                default: Data((#"{"externalId": "T-\#(line)", "requester": "a@example.com", "subject": "line \#(line)"}"# + "\n").utf8)
                }
                _ = text.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
                usleep(50_000)
                writtenWhileFeeding = try store.read { try $0.count(.all) } - 1
                saidWhileFeeding = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
            }
            close(writer)
            return (writtenWhileFeeding, saidWhileFeeding, ChildProcess.wait(pid, deadline: Date().addingTimeInterval(30)))
        }
        #expect(writtenWhileFeeding > 0, "lines were written while the feed went on")
        #expect(saidWhileFeeding.contains("line 5: not valid JSON") && saidWhileFeeding.contains("line 10: not UTF-8 text")
                && saidWhileFeeding.contains("line 31: not UTF-8 text"), "refusals were said while the feed went on: \(saidWhileFeeding)")
        #expect(status == 1, "lines were refused")
        #expect(try store.read { try $0.count(.all) } == 29)
    }

    /// A line that comes slowly, a few bytes at a time with no pause between them, holds back
    /// neither the lines before it nor a stop signal.
    @Test func aLineThatComesSlowlyHoldsNothingBack() async throws {
        let (_, environment, store) = try await importSetting(lines: 1)
        let fifo = folder.file("slow.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let (out, err) = (folder.file("slow.out"), folder.file("slow.err"))
        let pid = try ChildProcess.spawn(URL(fileURLWithPath: "/bin/sh"), ["-c", "exec '\(binary.path)' import - --db '\(db)' <'\(fifo)' >'\(out)' 2>'\(err)'"],
                                         environment: environment)
        let (written, status) = try await offPool { () -> (Int, Int32) in
            let writer = open(fifo, O_WRONLY)
            defer { close(writer) }
            func send(_ text: String) { _ = text.utf8CString.withUnsafeBytes { write(writer, $0.baseAddress, $0.count - 1) } }
            send(#"{"externalId": "S-1", "requester": "a@example.com", "subject": "first"}"# + "\n" + #"{"externalId": "S-2", "requester": "a@example.com", "subject": ""#)
            // Ten bytes every 50 ms: never a pause of a fifth of a second, never a line's end.
            var deadline = Date().addingTimeInterval(30)
            while try store.read({ try $0.count(.all) }) < 2, Date() < deadline { send("xxxxxxxxxx"); usleep(50_000) }
            let written = try store.read { try $0.count(.all) } - 1
            kill(pid, SIGTERM)
            deadline = Date().addingTimeInterval(30)
            var status: Int32 = 0
            while waitpid(pid, &status, WNOHANG) == 0 {
                guard Date() < deadline else { return (written, ChildProcess.wait(pid, deadline: Date())) }
                send("xxxxxxxxxx")
                usleep(50_000)
            }
            return (written, ChildProcess.exitStatus(status))
        }
        #expect(written == 1, "the line before the slow one was written while it came")
        #expect(status == 128 + SIGTERM, "the first signal ended the import")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "Before it stopped: Imported 1, already imported 0, refused 0 lines. New: REQ-2.\n")
        #expect(try String(contentsOfFile: err, encoding: .utf8).hasSuffix("helpdesk: stopped by SIGTERM while reading line 2; importing the same input again skips what was written\n"))
    }

    /// An import the store keeps waiting (another process holds its write lock) cannot stop
    /// between batches: the first signal is acknowledged, and a second ends it at once, with
    /// nothing written.
    @Test func aSecondSignalEndsAnImportTheStoreKeepsWaitingAtOnce() async throws {
        let (input, environment, store) = try await importSetting(lines: ImportCommand.batchSize)
        let err = folder.file("held.err")
        let holder = try SQLiteRequestStore(path: db)
        let (binary, db) = (binary, db)
        let (opened, acknowledged, status) = try await offPool { () throws -> (Bool, Bool, Int32) in
            // This process holds the store's write lock from before the import starts until it has ended.
            let (held, release, done) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
            Thread {
                _ = try? holder.write { _ in held.signal(); release.wait() }
                done.signal()
            }.start()
            held.wait()
            defer { release.signal(); done.wait() }
            let pid = try ChildProcess.spawn(URL(fileURLWithPath: "/bin/sh"), ["-c", "exec '\(binary.path)' import '\(input)' --db '\(db)' >/dev/null 2>'\(err)'"],
                                             environment: environment)
            // The import watches its signals before it opens the store.
            var deadline = Date().addingTimeInterval(30)
            var opened = false
            while !opened, Date() < deadline {
                let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
                opened = descriptors.contains { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)"))?.hasSuffix("/helpdesk.db") == true }
                usleep(2_000)
            }
            usleep(100_000)
            kill(pid, SIGTERM)
            deadline = Date().addingTimeInterval(8)
            var acknowledged = false
            while !acknowledged, Date() < deadline {
                acknowledged = ((try? String(contentsOfFile: err, encoding: .utf8)) ?? "").contains("a second signal stops at once")
                usleep(2_000)
            }
            kill(pid, SIGTERM)
            // The store's own wait for the lock gives up after 10 s, with another status.
            return (opened, acknowledged, ChildProcess.wait(pid, deadline: Date().addingTimeInterval(30)))
        }
        #expect(opened, "the import opened the store")
        #expect(acknowledged, "the first signal was acknowledged")
        #expect(status == 128 + SIGTERM, "the second signal ended it: \((try? String(contentsOfFile: err, encoding: .utf8)) ?? "")")
        #expect(try store.read { try $0.count(.all) } == 1, "nothing was written")
    }

    /// The setting of the import tests: a store holding one request (made by the binary), and a
    /// feed of `lines` new ones in a file.
    func importSetting(lines: Int) async throws -> (input: String, environment: [String: String], store: SQLiteRequestStore) {
        var feed = ""
        for line in 1...lines { feed += #"{"externalId": "G-\#(line)", "requester": "a@example.com", "subject": "line \#(line)"}"# + "\n" }
        let input = folder.file("feed.jsonl")
        try feed.write(toFile: input, atomically: true, encoding: .utf8)
        let environment = ["HOME": folder.path, "HELPDESK_CONFIG": try configuration(agent: Self.osLogin)]
        let created = try await offPool { [binary, db] in try ChildProcess.run(binary, ["new", "--db", db, "--requester", "jane@example.com", "--subject", "First"], environment: environment) }
        #expect(created.status == 0, "\(created.err)")
        return (input, environment, try SQLiteRequestStore(path: db))
    }

    /// Runs `script` in a shell started with every signal at its default (children of this
    /// process inherit what commands run in it have set), sends `signals` once the import has
    /// written its first batch, and waits: the status (128 and the signal when one ended it) and
    /// what it printed.
    func importUntil(signals: [Int32], _ script: String, environment: [String: String], store: SQLiteRequestStore) async throws -> (status: Int32, out: String, err: String) {
        let out = folder.file("import-\(UUID()).out")
        let err = folder.file("import-\(UUID()).err")
        let pid = try ChildProcess.spawn(URL(fileURLWithPath: "/bin/sh"), ["-c", "\(script) >'\(out)' 2>'\(err)'"], environment: environment)
        // Watched from a thread of its own: the shared pool is busy with the rest of the suite.
        let (signalled, code) = try await offPool {
            var status: Int32 = 0
            while try store.read({ try $0.count(.all) }) <= ImportCommand.batchSize {
                guard waitpid(pid, &status, WNOHANG) == 0 else { return (false, ChildProcess.exitStatus(status)) }
                usleep(2_000)
            }
            for number in signals { kill(pid, number) }
            return (true, ChildProcess.wait(pid))
        }
        #expect(signalled, "the import ended before it was signalled")
        return (code, try String(contentsOfFile: out, encoding: .utf8), try String(contentsOfFile: err, encoding: .utf8))
    }

    /// Started with a stop signal ignored (`nohup`, `trap '' HUP`, a background job), the import
    /// keeps it ignored and runs to its end.
    @Test func anImportStartedWithASignalIgnoredKeepsItIgnored() async throws {
        let lines = 20_000
        let (input, environment, store) = try await importSetting(lines: lines)
        let finished = try await importUntil(signals: [SIGHUP, SIGINT], "trap '' HUP INT; exec '\(binary.path)' import '\(input)' --db '\(db)'",
                                             environment: environment, store: store)
        #expect(finished.status == 0, "\(finished.err)")
        #expect(finished.out.hasPrefix("Imported \(lines), already imported 0, refused 0 lines."), "\(finished.out)")
        #expect(try store.read { try $0.count(.all) } == lines + 1)
    }

    @Test func aCrashAfterActionStartedIsReconciledFromOktasStateAndNotRepeated() async throws {
        let posts = Counter()
        let suspended = Flag()
        let server = try LoopbackHTTPServer { request in
            let status = suspended.isSet ? "SUSPENDED" : "ACTIVE"
            let tom = #"{"id":"00utom","status":"\#(status)","profile":{"login":"tom@example.com","email":"tom@example.com","firstName":"Tom","lastName":"B"}}"#
            switch (request.method, request.path) {
            case ("GET", "/api/v1/users"):
                return .json(200, "[\(tom)]")
            case ("GET", _) where request.path.hasPrefix("/api/v1/users/"):
                return .json(200, tom)
            case ("POST", "/api/v1/users/00utom/lifecycle/suspend"):
                posts.add()
                suspended.set()
                Thread.sleep(forTimeInterval: 30)  // Okta did it; the answer never comes back in time.
                return .json(200, "{}")
            default:
                return .json(404, #"{"errorCode":"E0000007"}"#)
            }
        }
        defer { server.stop() }
        let config = try configuration(agent: Self.osLogin)
        let environment = ["HOME": folder.path, "OKTA_CLIENT_ORGURL": server.baseURL, "OKTA_CLIENT_TOKEN": "00crashTOKEN"]
        let created = try await offPool { [binary, db] in try ChildProcess.run(binary, ["new", "--db", db, "--config", config, "--requester", "tom@example.com", "--subject", "Odd sign-in"], environment: environment) }
        #expect(created.status == 0, "\(created.err)")

        let act = try ChildProcess.start(binary, ["act", "REQ-1", "suspend", "--reason", "odd sign-in", "--db", db, "--config", config], environment: environment)
        let store = try SQLiteRequestStore(path: db)
        var started = false
        for _ in 0..<200 where !started {
            started = try store.read { try $0.timeline(of: RequestID(1)) }.contains { $0.kind == .actionStarted } && posts.value == 1
            if !started { try await Task.sleep(nanoseconds: 50_000_000) }
        }
        #expect(started, "the child committed action-started and called Okta")
        kill(act.process.processIdentifier, SIGKILL)
        let killed = act.process
        try await offPool { killed.waitUntilExit() }
        #expect(act.process.terminationReason == .uncaughtSignal)

        let runs = try store.read { try $0.unfinishedRuns(of: nil) }
        #expect(runs.map(\.state) == [.started])
        #expect(runs.first?.runner?.hasSuffix(":\(act.process.processIdentifier)") == true)

        let shown = try await offPool { [binary, db] in try ChildProcess.run(binary, ["show", "REQ-1", "--db", db, "--config", config], environment: environment) }
        #expect(shown.out.contains("Runs\n  RUN-1  outcome unknown (helpdesk reconcile REQ-1)  Suspend the account — started by \(Self.osLogin)"))

        // The process that started the run is gone, so reconcile need not wait for a timeout.
        let reconciled = try await offPool { [binary, db] in try ChildProcess.run(binary, ["reconcile", "--db", db, "--config", config], environment: environment) }
        #expect(reconciled.status == 0, "\(reconciled.err)")
        #expect(reconciled.out == "REQ-1 RUN-1 Suspend the account: applied — the account is SUSPENDED\n")
        let kinds = try store.read { try $0.timeline(of: RequestID(1)) }.map(\.kind)
        #expect(kinds == [.created, .actionStarted, .actionReconciled])
        #expect(posts.value == 1, "nothing repeated the suspend")
    }
}

/// A count shared with a server thread.
final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

/// A flag shared with a server thread.
final class Flag: Sendable {
    private let state = Mutex(false)
    func set() { state.withLock { $0 = true } }
    var isSet: Bool { state.withLock { $0 } }
}

import Synchronization

/// Another process opening the store while this one keeps it open must never take the WAL from
/// under this one's writes (closing any second descriptor on the file would drop this process's
/// locks, and the other process would then delete the WAL as the last one out).
@Suite struct SharedStoreFileTests {
    @Test func writesSurviveAnotherOpenOfTheFileHereAndAReaderElsewhere() async throws {
        let folder = TemporaryDirectory("helpdesk-locks")
        let path = folder.file("helpdesk.db")
        let service = try SQLiteRequestStore(path: path)
        _ = try service.create(Fixtures.newRequest("first"), by: "alex", at: Date())
        // What doctor did inside the service: open the same file again, then let go of it.
        do { _ = try SQLiteRequestStore(path: path).read { try $0.count(.all) } }
        let binary = BuiltProducts.executable("helpdesk")
        let listed = try await offPool { try ChildProcess.run(binary, ["list", "--db", path, "--json"], environment: ["HOME": folder.path]) }
        #expect(listed.status == 0, "\(listed.err)")
        _ = try service.create(Fixtures.newRequest("second"), by: "alex", at: Date())
        let wal = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)") }
            .filter { $0.hasPrefix(path) }
        #expect(!wal.contains { $0.hasSuffix("(deleted)") }, "\(wal)")
        let fresh = try SQLiteRequestStore(path: path)
        #expect(try fresh.read { try $0.count(.all) } == 2, "the second write is in the file other processes see")
    }
}
