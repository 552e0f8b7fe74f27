import HelpdeskCore

/// `helpdesk list`: the queue, most urgent and oldest first.
enum ListCommand {
    static let spec = CommandSpec(
        name: "list",
        summary: "list requests, most urgent and oldest first",
        synopsis: "[--status S[,S…]|all] [--assignee LOGIN] [--search TEXT] [--limit N] [--json]",
        options: [
            .value("status", "S", "new, open, awaiting-approval, resolved, closed, comma-separated, or all (default: new, open, awaiting-approval)"),
            .value("assignee", "LOGIN", "only requests assigned to LOGIN"),
            .value("search", "TEXT", "full-text search over subject, body and requester; every word must match"),
            .value("limit", "N", "at most N requests, 1–1000 (default 50)"),
            .json, .db, .config, .socket,
        ],
        discussion: "With --json, prints a JSON array of request objects."
    ) { invocation in
        let filter = QueueFilter(
            statuses: try invocation.parsing { try statuses(invocation.arguments.value("status")) },
            assignee: invocation.arguments.value("assignee"),
            text: invocation.arguments.value("search")
        )
        let limit = try limit(invocation.arguments.value("limit"))
        let page = try await invocation.service().queue(QueueQuery(filter: filter, limit: limit))
        if invocation.wantsJSON {
            try invocation.printJSON(page.requests.map { RequestJSON(request: $0) })
        } else {
            invocation.out.write(RequestTable.render(page.requests, now: invocation.now))
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
