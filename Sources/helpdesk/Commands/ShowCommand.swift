import HelpdeskCore

/// `helpdesk show REQ`: a request with its approvals and whole timeline.
enum ShowCommand {
    static let spec = CommandSpec(
        name: "show",
        summary: "show a request, its approvals and its timeline",
        synopsis: "REQ [--json]",
        options: [.json, .db],
        arguments: [ArgumentSpec(name: "REQ", help: "the request, e.g. REQ-12 or 12")],
        discussion: "With --json, prints the request object with a \"timeline\" array (kind, actor, at, details) and an \"approvals\" array."
    ) { invocation in
        let id = try invocation.requestID(at: 0)
        let store = try invocation.openStore()
        let (request, timeline, approvals) = try store.read { reader in
            (try reader.existingRequest(id), try reader.timeline(of: id), try reader.approvals(of: id))
        }
        if invocation.wantsJSON {
            var json = RequestJSON(request: request)
            json.timeline = try timeline.map(EventJSON.init)
            json.approvals = approvals.map(ApprovalJSON.init)
            try invocation.printJSON(json)
        } else {
            invocation.out.write(RequestDetailText.render(request, timeline: timeline, approvals: approvals, now: invocation.now))
        }
        return ExitCode.success
    }
}
