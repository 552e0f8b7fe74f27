import Foundation
import HelpdeskCore

/// `helpdesk import FILE|-`: requests from another system, as JSON lines, created once each.
enum ImportCommand {
    /// Lines sent (and written in one transaction) at a time: short enough that consoles writing
    /// beside a large import wait milliseconds, not seconds. A crash leaves whole batches; running
    /// again finishes the rest.
    static let batchSize = LocalHelpdeskService.importBatchLimit

    static let spec = CommandSpec(
        name: "import",
        summary: "create requests from JSON lines (a file, or - for standard input); safe to run again",
        synopsis: "FILE|- [--json]",
        options: [.json, .db, .config, .socket],
        arguments: [ArgumentSpec(name: "FILE", help: "one JSON object per line; - reads standard input")],
        discussion: """
        Each line: {"externalId": "ZD-1042", "requester": "jane@example.com", "subject": "Lost my phone",
        "body": "…", "category": "mfa", "priority": "high"}. externalId, requester and subject are required;
        category defaults to general and priority to normal. Blank lines are ignored.
        A line whose externalId is already in the store is skipped, so a feed can be imported again.
        Refused lines are reported by number with the reason as the import goes; the good lines are still
        created. The input is read a piece at a time, so any size imports in the same memory; with --json
        the result of every line is kept for the one object printed at the end. An import that stops early
        says what it wrote, and which lines were on their way when the service stopped answering (they may
        have been written; importing again skips those that were); with --json, as "unanswered" line numbers
        and "failure", the reason.
        Exit 0 when no line was refused, 1 otherwise.
        """
    ) { invocation in
        // The work is the store's, not the output's: a reader that goes away (`| head`) does not
        // stop an import half way; what cannot be written is dropped.
        signal(SIGPIPE, SIG_IGN)
        // Text output keeps counts and prints refusals as it goes, so memory stays flat at any
        // input size; --json keeps every line's result for the one object it prints.
        var tally = ImportTally(keepingLines: invocation.wantsJSON)
        var refusedSoFar: [ImportReport.Refused] = []
        // The lines of a batch the service may have written, with no answer that says so.
        var unanswered: [Int] = []
        var batch: [ImportInput] = []
        var batchBytes = 0
        // One batch is with the service while the next is read: never more, so batches are
        // written in the order of the input. The lines refused before it are reported with it,
        // and stay in `refusedSoFar` until then.
        var sending: (task: Task<ImportReport, any Error>, refusedBefore: Int, lines: [Int])?
        /// Reports a batch's results (or refusals alone, for a feed of unreadable lines) as it goes.
        func report(_ batchReport: ImportReport, refusedBefore: [ImportReport.Refused]) {
            var report = batchReport
            report.refused += refusedBefore
            report.refused.sort { $0.line < $1.line }
            if !invocation.wantsJSON {
                for refused in report.refused { invocation.err.line("helpdesk import: line \(refused.line): \(refused.reason)") }
            }
            tally.add(report)
        }
        func finishSending() async throws {
            guard let batch = sending else { return }
            sending = nil
            let answer: ImportReport
            do {
                answer = try await batch.task.value
            } catch {
                if outcomeUnknown(error) { unanswered = batch.lines }
                throw error
            }
            // An answer gives every line sent one result, or none of it can be trusted.
            let results = (answer.imported + answer.alreadyImported).map(\.line) + answer.refused.map(\.line)
            guard results.count == batch.lines.count, Set(results) == Set(batch.lines) else {
                unanswered = batch.lines
                throw CLIError.failed("the helpdesk service's answer did not give each of the \(batch.lines.count) lines sent one result; run the same helpdesk build on both sides")
            }
            report(answer, refusedBefore: Array(refusedSoFar.prefix(batch.refusedBefore)))
            refusedSoFar.removeFirst(batch.refusedBefore)
        }
        /// Says what was done before a failure, and what may have been, for the failure to end the command.
        func stopped(by error: any Error) -> any Error {
            // Lines this command refused itself are refused still, whatever became of their batch.
            if !refusedSoFar.isEmpty { report(ImportReport(), refusedBefore: refusedSoFar) }
            refusedSoFar = []
            if invocation.wantsJSON {
                // A script gets every line's result so far, the lines whose fate is unknown, and the reason.
                try? invocation.printJSON(StoppedImport(report: tally.report, unanswered: unanswered, failure: "\(error)"))
                return error
            }
            // So a rerun's "already imported" is no surprise.
            if tally.imported + tally.alreadyImported + tally.refused > 0 {
                invocation.out.line("Before the failure: " + tally.summary)
            }
            if let first = unanswered.first, let last = unanswered.last {
                invocation.out.line("\(unanswered.count) lines from line \(first) to line \(last) may have been written: they were on their way "
                    + "when the service stopped answering, and importing again skips those that were.")
            }
            return error
        }
        let service: any HelpdeskService
        var lines: LineStream
        do {
            lines = try input(invocation)
            service = try invocation.service()
            // The service is reached (and this login known to it) before any batch is sent, so a
            // batch that goes unanswered is one the service had.
            _ = try await service.session()
        } catch {
            throw stopped(by: error)
        }
        func reportRefusals() async throws {
            try await finishSending()
            report(ImportReport(), refusedBefore: refusedSoFar)
            refusedSoFar = []
        }
        func send() async throws {
            try await finishSending()
            let lines = batch
            sending = (Task { try await service.importLines(lines) }, refusedSoFar.count, lines.map(\.line))
            batch = []
            batchBytes = 0
        }
        func readNext() async throws -> LineStream.Line? {
            do {
                return try lines.next()
            } catch {
                // The batch already sent is still written and reported before the reading fails.
                try await finishSending()
                throw error
            }
        }
        do {
            while let next = try await readNext() {
                if refusedSoFar.count - (sending?.refusedBefore ?? 0) >= batchSize {
                    if batch.isEmpty { try await reportRefusals() } else { try await send() }
                }
                guard case .text(let number, let line) = next else {
                    if case .tooLong(let number) = next {
                        refusedSoFar.append(.init(line: number, reason: "the line is longer than \(ImportLine.maxLineBytes / 1024) KiB"))
                    }
                    continue
                }
                guard let text = String(validating: line, as: UTF8.self) else {
                    refusedSoFar.append(.init(line: number, reason: "not UTF-8 text"))
                    continue
                }
                guard !text.allSatisfy(\.isWhitespace) else { continue }
                // Batches are measured as they travel: each quote, backslash or control character
                // is escaped again in the request.
                // (A line of JSON at most doubles; one that would not fit a batch holds raw control
                // characters, which JSON text cannot.)
                let size = escapedBytes(line)
                guard size <= maxBatchBytes else {
                    refusedSoFar.append(.init(line: number, reason: "the line is longer than \(maxBatchBytes / 1024) KiB once its control characters are escaped; JSON text holds none"))
                    continue
                }
                if batch.count == batchSize || batchBytes + size > maxBatchBytes { try await send() }
                batch.append(ImportInput(line: number, text: text))
                batchBytes += size
            }
            if !batch.isEmpty { try await send() }
            try await finishSending()
            if !refusedSoFar.isEmpty { try await reportRefusals() }
        } catch {
            throw stopped(by: error)
        }
        if invocation.wantsJSON {
            try invocation.printJSON(tally.report)
        } else {
            invocation.out.line(tally.summary)
        }
        return tally.refused == 0 ? ExitCode.success : ExitCode.failure
    }

    /// Bytes of lines sent in one batch, as escaped in the request: well inside the largest request
    /// the service reads.
    static let maxBatchBytes = 640 << 10

    /// The bytes `line` takes as a JSON string in a request: a quote or backslash is two, a line
    /// break, tab, backspace or form feed two, any other control character six (`\u001b`).
    static func escapedBytes(_ line: Data) -> Int {
        line.withUnsafeBytes { bytes in
            var extra = 0
            for byte in bytes where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x08, 0x09, 0x0A, 0x0C, 0x0D: extra += 1
                default: extra += 5
                }
            }
            return bytes.count + extra
        }
    }

    /// True when a batch may have been written though no answer said so: the service went away or
    /// stopped answering mid-call, or its answer could not be read. An error the service answered
    /// with (the store, a refusal) is the batch's whole transaction undone.
    static func outcomeUnknown(_ error: any Error) -> Bool {
        guard let error = error as? ServiceError else { return false }
        return [.unavailable, .protocolError, .internal].contains(error.code)
    }

    /// How much input is read at a time.
    static let chunkBytes = 256 << 10

    /// Up to `chunkBytes` from a descriptor (empty at its end), or the system's reason it cannot be read.
    static func readChunk(_ descriptor: Int32) throws(CLIError) -> Data {
        var buffer = [UInt8](repeating: 0, count: chunkBytes)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count >= 0 { return Data(buffer[0..<count]) }
            if errno != EINTR { throw CLIError.failed(String(cString: strerror(errno))) }
        }
    }

    /// The input as a stream of lines: a file, or standard input for `-`.
    private static func input(_ invocation: Invocation) throws -> LineStream {
        let source = invocation.arguments.positional(0) ?? "-"
        if source == "-" {
            let read = invocation.environment.readStandardInput
            return LineStream(maxLineBytes: ImportLine.maxLineBytes) {
                do { return try read(chunkBytes) } catch { throw CLIError.failed("cannot read standard input: \(error)") }
            }
        }
        guard let file = FileHandle(forReadingAtPath: source) else {
            let reason = FileManager.default.fileExists(atPath: source) ? "it cannot be read by this user" : "there is no such file"
            throw CLIError.failed("cannot import \(TextSafetyForCLI.quoted(source)): \(reason)")
        }
        return LineStream(maxLineBytes: ImportLine.maxLineBytes) {
            do throws(CLIError) { return try readChunk(file.fileDescriptor) } catch {
                throw CLIError.failed("cannot read \(TextSafetyForCLI.quoted(source)): \(error.description)")
            }
        }
    }
}

/// `import --json` when the import stopped early: every line's result until then, the lines that
/// were on their way when the service stopped answering (they may have been written), and why.
struct StoppedImport: Encodable {
    let report: ImportReport
    let unanswered: [Int]
    let failure: String

    private enum Keys: String, CodingKey { case imported, alreadyImported, refused, unanswered, failure }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(report.imported, forKey: .imported)
        try container.encode(report.alreadyImported, forKey: .alreadyImported)
        try container.encode(report.refused, forKey: .refused)
        try container.encode(unanswered, forKey: .unanswered)
        try container.encode(failure, forKey: .failure)
    }
}

/// What an import came to: counts and the range of new requests, and with `keepingLines` every
/// line's result (for --json).
struct ImportTally {
    let keepingLines: Bool
    private(set) var report = ImportReport()
    private(set) var imported = 0
    private(set) var alreadyImported = 0
    private(set) var refused = 0
    private var firstNew: [String] = []
    private var lastNew: String?

    init(keepingLines: Bool) {
        self.keepingLines = keepingLines
    }

    mutating func add(_ batch: ImportReport) {
        imported += batch.imported.count
        alreadyImported += batch.alreadyImported.count
        refused += batch.refused.count
        for created in batch.imported where firstNew.count < 5 { firstNew.append(created.id) }
        if let last = batch.imported.last { lastNew = last.id }
        if keepingLines { report.add(batch) }
    }

    /// `Imported 3, already imported 1, refused 0 lines. New: REQ-4, REQ-5, REQ-6.`
    var summary: String {
        let lines = refused == 1 ? "line" : "lines"
        var text = "Imported \(imported), already imported \(alreadyImported), refused \(refused) \(lines)."
        if imported > 0, let first = firstNew.first, let last = lastNew {
            text += imported <= 5 ? " New: \(firstNew.joined(separator: ", "))." : " New: \(first) to \(last)."
        }
        return text
    }
}
