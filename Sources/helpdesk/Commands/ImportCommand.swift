import Foundation
import HelpdeskCore

/// `helpdesk import FILE|-`: requests from another system, as JSON lines, created once each.
enum ImportCommand {
    /// Lines written per transaction: short enough that consoles writing beside a large import
    /// wait milliseconds, not seconds. A crash leaves whole batches; running again finishes the rest.
    static let batchSize = 500

    static let spec = CommandSpec(
        name: "import",
        summary: "create requests from JSON lines (a file, or - for standard input); safe to run again",
        synopsis: "FILE|- [--json]",
        options: [.json, .db, .config],
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
        let runtime = try Runtime.load(invocation)
        let actor = try runtime.requireOperator(forOkta: false)
        let store = try runtime.openStore()
        var report = ImportReport()
        var good: [(line: Int, request: NewRequest)] = []
        for (number, line) in lines(of: data) {
            guard let text = String(bytes: line, encoding: .utf8) else {
                report.refused.append(.init(line: number, reason: "not UTF-8 text"))
                continue
            }
            guard !text.allSatisfy(\.isWhitespace) else { continue }
            do throws(ValidationError) {
                good.append((number, try ImportLine.parse(Substring(text))))
            } catch {
                report.refused.append(.init(line: number, reason: error.message))
            }
        }
        let now = invocation.now
        var rest = good[...]
        while !rest.isEmpty {
            let batch = rest.prefix(batchSize)
            rest = rest.dropFirst(batchSize)
            try store.write { writer in
                for (number, new) in batch {
                    let externalID = new.externalID ?? ""
                    if let existing = try writer.request(externalID: externalID) {
                        report.alreadyImported.append(.init(line: number, id: existing.id.description, externalId: externalID))
                    } else {
                        let request = try writer.create(new, by: actor.login, at: now)
                        report.imported.append(.init(line: number, id: request.id.description, externalId: externalID))
                    }
                }
            }
        }
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

    private static func input(_ invocation: Invocation) throws -> Data {
        let source = invocation.arguments.positional(0) ?? "-"
        if source == "-" { return invocation.environment.readStandardInput() }
        if invocation.environment.isSetGroupID {
            throw CLIError.usage("this helpdesk runs set-group-id and reads imports only from standard input: helpdesk import - < \(TextSafetyForCLI.bare(source))", command: "import")
        }
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

/// What `import` did with each line; `--json` prints it as it is.
struct ImportReport: Encodable {
    struct Created: Encodable {
        let line: Int
        let id: String
        let externalId: String
    }

    struct Refused: Encodable {
        let line: Int
        let reason: String
    }

    var imported: [Created] = []
    var alreadyImported: [Created] = []
    var refused: [Refused] = []

    var summary: String {
        let lines = refused.count == 1 ? "line" : "lines"
        return "Imported \(imported.count), already imported \(alreadyImported.count), refused \(refused.count) \(lines)."
            + newRange
    }

    /// ` New: REQ-4, REQ-5.` or, for many, ` New: REQ-4 to REQ-1003.`
    private var newRange: String {
        guard let first = imported.first, let last = imported.last else { return "" }
        return imported.count <= 5 ? " New: \(imported.map(\.id).joined(separator: ", "))." : " New: \(first.id) to \(last.id)."
    }
}
