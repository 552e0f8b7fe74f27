import Foundation
import HelpdeskCore

/// `helpdesk export`: the timeline as JSON lines, one event per line, for a SIEM or an auditor.
enum ExportCommand {
    static let pageSize = LocalHelpdeskService.pageLimit.upperBound

    static let spec = CommandSpec(
        name: "export",
        summary: "print timeline events as JSON lines (for a SIEM or an audit)",
        synopsis: "[--since DATE] [--after EVENT_ID] [--request REQ]",
        options: [
            .value("since", "DATE", "only events at or after DATE: 2026-11-01, 2026-11-01T09:00:00Z, or a span back from now such as 24h or 7d"),
            .value("after", "EVENT_ID", "only events with a larger id than EVENT_ID (resume from the last line a previous export printed)"),
            .value("request", "REQ", "only this request's events"),
            .flag("json", "accepted for uniformity; the output is always JSON lines"),
            .db, .config, .socket,
        ],
        discussion: """
        Each line is one object: {"id": 4711, "request": "REQ-12", "kind": "action-succeeded", "actor": "alex",
        "at": "2026-11-23T14:02:31.120Z", "details": {…}, "oktaRequestId": "…" or null}, oldest first.
        Event ids only grow, so a collector can keep the last id and pass it to --after next time.
        """
    ) { invocation in
        let since = try invocation.arguments.value("since").map { try sinceDate($0, now: invocation.now) }
        let after = try invocation.arguments.value("after").map(eventID)
        let request = try invocation.arguments.value("request").map(invocation.requestID)
        let service = try invocation.service()
        func read(after cursor: Int64?) -> Task<ExportPage, any Error> {
            Task { try await service.exportEvents(EventQuery(since: since, request: request, afterEventID: cursor, limit: pageSize)) }
        }
        // The next page is asked for as soon as a page arrives, so the service reads it while this
        // one is written out.
        var next = read(after: after)
        while true {
            let page = try await next.value
            // Output that cannot be written ends the export (the run then fails, saying so):
            // reading on would be for nothing.
            let more = page.more && page.lastEventID != nil && invocation.out.failure == nil
            if more { next = read(after: page.lastEventID) }
            invocation.out.write(String(decoding: page.text, as: UTF8.self))
            guard more else { return ExitCode.success }
        }
    }

    /// An ISO 8601 date or time, or a span back from now (`24h`, `7d`, `2w`).
    static func sinceDate(_ text: String, now: Date) throws(CLIError) -> Date {
        if let date = Timestamp.parse(text) { return date }
        if AccessDuration.looksLikeSpan(text) {
            do {
                let span = try AccessDuration(typed: text)
                return now.addingTimeInterval(-span.end(from: now).timeIntervalSince(now))
            } catch {
                throw .usage("--since: \(error.message)", command: "export")
            }
        }
        throw .usage("--since \(TextSafetyForCLI.quoted(text)) is not a date (expected 2026-11-01, 2026-11-01T09:00:00Z, or a span such as 24h or 7d)", command: "export")
    }

    private static func eventID(_ text: String) throws(CLIError) -> Int64 {
        guard let id = Int64(text), id >= 0 else {
            throw .usage("--after \(TextSafetyForCLI.quoted(text)) is not an event id (expected a number from an earlier export)", command: "export")
        }
        return id
    }
}
