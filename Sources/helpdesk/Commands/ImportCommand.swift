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
        Refused lines are reported by number with the reason; the good lines are still created.
        Exit 0 when no line was refused, 1 otherwise.
        """
    ) { invocation in
        let data = try input(invocation)
        let service = try invocation.service()
        var report = ImportReport()
        var batch: [ImportInput] = []
        var batchBytes = 0
        for (number, line) in lines(of: data) {
            guard line.count <= ImportLine.maxLineBytes else {
                report.refused.append(.init(line: number, reason: "the line is longer than \(ImportLine.maxLineBytes / 1024) KiB"))
                continue
            }
            guard let text = String(bytes: line, encoding: .utf8) else {
                report.refused.append(.init(line: number, reason: "not UTF-8 text"))
                continue
            }
            guard !text.allSatisfy(\.isWhitespace) else { continue }
            if batch.count == batchSize || batchBytes + line.count > maxBatchBytes {
                report.add(try await service.importLines(batch))
                batch = []
                batchBytes = 0
            }
            batch.append(ImportInput(line: number, text: text))
            batchBytes += line.count
        }
        if !batch.isEmpty { report.add(try await service.importLines(batch)) }
        report.refused.sort { $0.line < $1.line }
        if invocation.wantsJSON {
            try invocation.printJSON(report)
        } else {
            for refused in report.refused {
                invocation.err.line("helpdesk import: line \(refused.line): \(refused.reason)")
            }
            invocation.out.line(report.summary)
        }
        return report.refused.isEmpty ? ExitCode.success : ExitCode.failure
    }

    /// Bytes of lines sent in one batch: well inside the largest request the service reads.
    static let maxBatchBytes = 640 << 10

    private static func input(_ invocation: Invocation) throws -> Data {
        let source = invocation.arguments.positional(0) ?? "-"
        if source == "-" { return invocation.environment.readStandardInput() }
        guard let data = FileManager.default.contents(atPath: source) else {
            let reason = FileManager.default.fileExists(atPath: source) ? "it cannot be read by this user" : "there is no such file"
            throw CLIError.failed("cannot import \(TextSafetyForCLI.quoted(source)): \(reason)")
        }
        return data
    }

    /// The input's lines with their 1-based numbers; a trailing carriage return is dropped.
    static func lines(of data: Data) -> [(Int, Data)] {
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated().map { ($0.offset + 1, Data($0.element)) }
        if lines.last?.1.isEmpty == true { lines.removeLast() }
        return lines.map { number, line in (number, line.last == UInt8(ascii: "\r") ? line.dropLast() : line) }
    }
}
