import Foundation
import HelpdeskCore

/// One run of `import`: lines gathered into batches, one batch with the service while the next is
/// read (never more: the next is sent only once the one before is answered, so batches are written
/// in the order of the input), every line's result reported as it comes; and, when the run stops
/// early, what it wrote and what it may have.
final class ImportRun {
    private let invocation: Invocation
    private var service: (any HelpdeskService)?
    /// Text output keeps counts and prints refusals as it goes, so memory stays flat at any input
    /// size; --json keeps every line's result for the one object it prints.
    private var tally: ImportTally
    /// Lines refused by the command itself, reported with the batch they precede (or alone).
    private var refusedSoFar: [ImportReport.Refused] = []
    /// The lines of a batch the service may have written, with no answer that says so.
    private var unanswered: [Int] = []
    private var batch: [ImportInput] = []
    /// Lines a batch holds: this build's, or fewer when the service takes fewer.
    private var batchSize = ImportCommand.batchSize
    private var batchBytes = 0
    /// Since when something has been held: lines not sent, refusals or an answer not reported.
    /// Sending a batch, or catching up, starts it again. By the invocation's clock.
    private var heldSince: Date?
    /// The batch with the service: the refusals before it (still in `refusedSoFar`) and its lines.
    private var sending: (task: Task<ImportReport, any Error>, refusedBefore: Int, lines: [Int])?

    init(_ invocation: Invocation) {
        self.invocation = invocation
        tally = ImportTally(keepingLines: invocation.wantsJSON)
    }

    /// Reaches the service (and is known to it) before any batch is sent, so a batch that goes
    /// unanswered is one the service had.
    func connect(_ service: any HelpdeskService) async throws {
        let session = try await service.session()
        batchSize = max(1, min(batchSize, session.importBatchLines ?? ImportCommand.batchSizeOfEarlierServices))
        self.service = service
    }

    /// The next line of the input. When the input fails, the batch already sent is still written
    /// and reported first.
    func next(from lines: inout LineStream) async throws -> LineStream.Line? {
        do {
            return try lines.next()
        } catch {
            try await finishSending()
            throw error
        }
    }

    /// Adds one line: refused by number, skipped when blank, or put in the batch (sending the
    /// batch before it when full). A pause in the input sends what came before it, and so does
    /// anything held a second.
    func take(_ next: LineStream.Line) async throws {
        if refusedSoFar.count - (sending?.refusedBefore ?? 0) >= batchSize {
            if batch.isEmpty { try await reportRefusals() } else { try await send() }
        }
        switch next {
        case .text(let number, let line): try await add(line, number: number)
        case .tooLong(let number): refusedSoFar.append(.init(line: number, reason: "the line is longer than \(ImportLine.maxLineBytes / 1024) KiB"))
        case .waiting: try await catchUp()
        case .reading: break
        }
        try await catchUpWhenHeldLong()
    }

    private func add(_ line: Data, number: Int) async throws {
        guard let text = String(validating: line, as: UTF8.self) else {
            refusedSoFar.append(.init(line: number, reason: "not UTF-8 text"))
            return
        }
        guard !text.allSatisfy(\.isWhitespace) else { return }
        // Batches are measured as they travel: each quote, backslash or control character is
        // escaped again in the request. A line of JSON at most doubles; one that would not fit a
        // batch holds raw control characters, which JSON text cannot.
        let size = ImportCommand.escapedBytes(line)
        guard size <= ImportCommand.maxBatchBytes else {
            refusedSoFar.append(.init(line: number, reason: "the line is longer than \(ImportCommand.maxBatchBytes / 1024) KiB once its control characters are escaped; JSON text holds none"))
            return
        }
        if batch.count == batchSize || batchBytes + size > ImportCommand.maxBatchBytes { try await send() }
        batch.append(ImportInput(line: number, text: text))
        batchBytes += size
    }

    /// A feed that never pauses long still has its lines sent, and its refusals and answers
    /// reported, within about a second: anything held (lines, refusals, an answer not yet
    /// reported) since `ImportCommand.longestHold` is caught up with as at a pause.
    private func catchUpWhenHeldLong() async throws {
        guard !batch.isEmpty || !refusedSoFar.isEmpty || sending != nil else {
            heldSince = nil
            return
        }
        guard let since = heldSince else {
            heldSince = invocation.now
            return
        }
        // A clock set back counts as time passed: the hold must not last until it catches up.
        let held = invocation.now.timeIntervalSince(since)
        if held >= ImportCommand.longestHold || held < 0 { try await catchUp() }
    }

    /// At a pause in the input, or when something has been held a second: the lines gathered are
    /// sent without waiting for a full batch, and at the next catch-up the answer to them is
    /// reported, so a feed that trickles is written, and its refusals said, as it comes.
    private func catchUp() async throws {
        heldSince = invocation.now
        if !batch.isEmpty {
            try await send()
        } else if !refusedSoFar.isEmpty {
            try await reportRefusals()
        } else {
            try await finishSending()
        }
    }

    /// Sends what is left and waits for every answer.
    func finish() async throws {
        if !batch.isEmpty { try await send() }
        try await finishSending()
        if !refusedSoFar.isEmpty { try await reportRefusals() }
    }

    /// Ends the import at a stop signal, before `line` (or while waiting for it): the batch with the
    /// service is answered and reported first, and the lines gathered for the next batch are not sent.
    func stop(by signal: Int32, before line: LineStream.Line) async throws -> Never {
        try await finishSending()
        if !refusedSoFar.isEmpty { try await reportRefusals() }
        let name = StopSignals.name(signal)
        let again = "importing the same input again skips what was written"
        switch (line, batch.first?.line) {
        case (.waiting(let next), nil):
            throw CLIError.stopped("stopped by \(name) while waiting for line \(next); \(again)", signal: signal)
        case (.reading(let next), nil):
            throw CLIError.stopped("stopped by \(name) while reading line \(next); \(again)", signal: signal)
        case (.text(let number, _), let held), (.tooLong(let number), let held), (.waiting(let number), let held), (.reading(let number), let held):
            throw CLIError.stopped("stopped by \(name): line \(held ?? number) and the lines after it were not sent; \(again)", signal: signal)
        }
    }

    /// Prints what the import came to; its exit code.
    func printResult() throws -> Int32 {
        if invocation.wantsJSON {
            try invocation.printJSON(tally.report)
        } else {
            invocation.out.line(tally.summary)
        }
        return tally.refused == 0 ? ExitCode.success : ExitCode.failure
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
            invocation.out.line("Before it stopped: " + tally.summary)
        }
        if let first = unanswered.first, let last = unanswered.last {
            invocation.out.line("\(unanswered.count) lines from line \(first) to line \(last) may have been written: they were on their way "
                + "when the service stopped answering, and importing again skips those that were.")
        }
        return error
    }

    /// Reports a batch's results (or refusals alone, for a feed of unreadable lines) as it goes.
    private func report(_ batchReport: ImportReport, refusedBefore: [ImportReport.Refused]) {
        var report = batchReport
        report.refused += refusedBefore
        report.refused.sort { $0.line < $1.line }
        if !invocation.wantsJSON {
            for refused in report.refused { invocation.err.line("helpdesk import: line \(refused.line): \(refused.reason)") }
        }
        tally.add(report)
    }

    /// Sends the batch once the one before it is answered with a result for each of its lines. The
    /// batch's task waits for that answer itself, so the service starts on it the moment the one
    /// before is answered, while this command reports that answer.
    private func send() async throws {
        guard let service else { throw CLIError.failed("the import has no service to send its lines to") }
        let lines = batch
        let (taskBefore, linesBefore) = (sending?.task, sending?.lines ?? [])
        let task = Task { () async throws -> ImportReport in
            if let taskBefore {
                let answer = try? await taskBefore.value
                guard let answer, answer.accountsFor(lines: linesBefore) else { throw NotSent() }
            }
            return try await service.importLines(lines)
        }
        let answered = try await answerOfSending()
        // The refusals reported with the batch before are removed from `refusedSoFar` just below.
        sending = (task, refusedSoFar.count - (answered?.refusedBefore ?? 0), lines.map(\.line))
        batch = []
        batchBytes = 0
        heldSince = invocation.now
        if let answered { reportAnswer(answered) }
    }

    /// A batch not sent because the one before it failed; the failure of the one before is the one reported.
    private struct NotSent: Error {}

    private func finishSending() async throws {
        if let answered = try await answerOfSending() { reportAnswer(answered) }
    }

    /// The answer to the batch with the service, once it has come and gives every line sent one
    /// result (or none of it can be trusted); nil when no batch is with the service.
    private func answerOfSending() async throws -> (report: ImportReport, refusedBefore: Int)? {
        guard let batch = sending else { return nil }
        sending = nil
        let answer: ImportReport
        do {
            answer = try await batch.task.value
        } catch {
            if ImportCommand.outcomeUnknown(error) { unanswered = batch.lines }
            throw error
        }
        guard answer.accountsFor(lines: batch.lines) else {
            unanswered = batch.lines
            throw CLIError.failed("the helpdesk service's answer did not give each of the \(batch.lines.count) lines sent one result; run the same helpdesk build on both sides")
        }
        return (answer, batch.refusedBefore)
    }

    private func reportAnswer(_ answered: (report: ImportReport, refusedBefore: Int)) {
        report(answered.report, refusedBefore: Array(refusedSoFar.prefix(answered.refusedBefore)))
        refusedSoFar.removeFirst(answered.refusedBefore)
    }

    private func reportRefusals() async throws {
        try await finishSending()
        report(ImportReport(), refusedBefore: refusedSoFar)
        refusedSoFar = []
    }
}

extension ImportReport {
    /// Whether the answer gives every line sent exactly one result; if not, none of it can be trusted.
    fileprivate func accountsFor(lines: [Int]) -> Bool {
        let results = (imported + alreadyImported).map(\.line) + refused.map(\.line)
        // Line numbers are never repeated in a batch: the same numbers sorted means one result each.
        return results.count == lines.count && results.sorted() == lines.sorted()
    }
}
