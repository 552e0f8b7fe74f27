import HelpdeskCore

/// `helpdesk list`: the queue, most urgent and oldest first.
enum ListCommand {
    static let spec = CommandSpec(
        name: "list",
        summary: "list requests, most urgent and oldest first",
        synopsis: "[--status S[,S…]|all] [--assignee LOGIN] [--search TEXT] [--limit N] [--after REQ] [--json]",
        options: [
            .value("status", "S", "new, open, awaiting-approval, resolved, closed, comma-separated, or all (default: new, open, awaiting-approval)"),
            .value("assignee", "LOGIN", "only requests assigned to LOGIN"),
            .value("search", "TEXT", "full-text search over subject, body and requester; every word must match"),
            .value("limit", "N", "at most N requests, 1–1000 (default 50)"),
            .value("after", "REQ", "the requests after REQ in queue order: the next page, given the last one shown"),
            .json, .db, .config, .socket,
        ],
        discussion: """
        With --json, prints a JSON array of request objects. The next page: list again with --after and the
        last request of the page, and the same filters, until a page has fewer than --limit. Each page is
        the queue as it is then: a request whose priority changes between pages may be missed or shown
        twice (export lists every request's events once). When more match, the text form says so on
        standard error.
        """
    ) { invocation in
        let filter = QueueFilter(
            statuses: try invocation.parsing { try statuses(invocation.arguments.value("status")) },
            assignee: invocation.arguments.value("assignee"),
            text: invocation.arguments.value("search")
        )
        let limit = try limit(invocation.arguments.value("limit"))
        let after = try invocation.arguments.value("after").map(invocation.requestID)
        let service = try invocation.service()
        var cursor: QueueCursor?
        if let after { cursor = QueueCursor(try await service.detail(of: after).request) }
        let page = try await service.queue(QueueQuery(filter: filter, after: cursor, limit: limit))
        if invocation.wantsJSON {
            try invocation.printJSON(page.requests.map { RequestJSON(request: $0) })
        } else {
            invocation.out.write(RequestTable.render(page.requests, now: invocation.now))
            if page.next != nil, let last = page.requests.last {
                invocation.err.line("helpdesk list: more requests match; --after \(last.id) with the same options lists the next \(limit)")
            }
        }
        return ExitCode.success
    }

    static func statuses(_ text: String?) throws -> Set<RequestStatus>? {
        guard let text else { return RequestStatus.active }
        if text.lowercased() == "all" { return nil }
        var statuses: Set<RequestStatus> = []
        for word in text.split(separator: ",") {
            statuses.insert(try RequestStatus.parse(String(word)))
        }
        guard !statuses.isEmpty else { throw ValidationError("--status needs at least one status") }
        return statuses
    }

    static func limit(_ text: String?) throws -> Int {
        guard let text else { return 50 }
        guard let value = Int(text), (1...1000).contains(value) else {
            throw CLIError.usage("--limit must be a number from 1 to 1000, not \(TextSafetyForCLI.quoted(text))", command: "list")
        }
        return value
    }
}
