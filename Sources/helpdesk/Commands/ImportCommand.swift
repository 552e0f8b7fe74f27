import Foundation
import HelpdeskCore

/// `helpdesk import FILE|-`: requests from another system, as JSON lines, created once each.
enum ImportCommand {
    /// Lines sent (and written in one transaction) at a time: short enough that consoles writing
    /// beside a large import wait milliseconds, not seconds. A crash leaves whole batches; running
    /// again finishes the rest.
    static let batchSize = LocalHelpdeskService.importBatchLimit
    /// What a service whose session does not say its batch size takes: a command of this build
    /// sends such a service batches it can take until it is restarted on this build.
    static let batchSizeOfEarlierServices = 1_000

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
        and "failure", the reason. Lines are written in batches; when the input pauses for a fifth of a second,
        or a line has waited a second for its batch to fill (a feed that trickles), the lines that came are
        written without waiting for more. Ctrl-C, SIGTERM or SIGHUP ends it between batches or while it waits
        for input, saying what it wrote and the line it stopped before; a second signal ends it at once, and
        one ignored when it started (nohup) stays ignored.
        Exit 0 when no line was refused, 1 otherwise, 128 and the signal's number when one stopped it.
        """
    ) { invocation in
        // The work is the store's, not the output's: a reader that goes away (`| head`) does not
        // stop an import half way; the report it could not write fails the run at the end.
        signal(SIGPIPE, SIG_IGN)
        // A stop signal ends the import between lines, or while it waits for input: the batch with
        // the service is answered and reported, and the summary says where it stopped (a second
        // signal ends it at once, as while the store keeps the batch waiting).
        let stop = StopSignals.watch { [err = invocation.err] signal in
            err.line("helpdesk import: \(StopSignals.name(signal)): stopping once the batch with the store is written; a second signal stops at once")
        }
        defer { stop.end() }
        let run = ImportRun(invocation)
        do {
            var lines = try input(invocation)
            try await run.connect(try invocation.service())
            while let next = try await run.next(from: &lines) {
                if let signal = stop.received { try await run.stop(by: signal, before: next) }
                try await run.take(next)
            }
            try await run.finish()
        } catch {
            throw run.stopped(by: error)
        }
        return try run.printResult()
    }

    /// Bytes of lines sent in one batch, as escaped in the request: inside the largest request the
    /// service reads with room for each line's number and keys.
    static let maxBatchBytes = 896 << 10

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

    /// How long input may be silent before the lines that came are sent without waiting for a
    /// full batch (a feed that trickles is written as it comes), and so how soon a stop signal
    /// ends an import waiting on input.
    static let pauseMilliseconds: Int32 = 200
    /// The same wait as a duration: how long a line may be read without its end coming before a
    /// stop signal and the hold are looked at.
    static let pause = Duration.milliseconds(pauseMilliseconds)

    /// How long a line may wait for its batch to fill when the input does not pause (a feed of a
    /// line every tenth of a second): the lines that came are then sent.
    static let longestHold: TimeInterval = 1

    /// Up to `chunkBytes` from a descriptor (empty at its end), nil when nothing came within
    /// `pauseMilliseconds`, or the system's reason it cannot be read.
    static func readChunk(_ descriptor: Int32) throws(CLIError) -> Data? {
        var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&waiting, 1, pauseMilliseconds)
        // Ready, at its end or in error: the read says which. A failed poll reads as well.
        if ready == 0 || (ready < 0 && errno == EINTR) { return nil }
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
            return LineStream(maxLineBytes: ImportLine.maxLineBytes, pause: pause) {
                do { return try read(chunkBytes) } catch { throw CLIError.failed("cannot read standard input: \(error)") }
            }
        }
        guard let file = FileHandle(forReadingAtPath: source) else {
            let reason = FileManager.default.fileExists(atPath: source) ? "it cannot be read by this user" : "there is no such file"
            throw CLIError.failed("cannot import \(TextSafetyForCLI.quoted(source)): \(reason)")
        }
        return LineStream(maxLineBytes: ImportLine.maxLineBytes, pause: pause) {
            do throws(CLIError) { return try readChunk(file.fileDescriptor) } catch {
                throw CLIError.failed("cannot read \(TextSafetyForCLI.quoted(source)): \(error.description)")
            }
        }
    }
}
