import HelpdeskCore

/// `helpdesk show REQ`: a request with its approvals and timeline (the newest entries when there
/// are very many; `export --request` prints every one).
enum ShowCommand {
    static let spec = CommandSpec(
        name: "show",
        summary: "show a request, its approvals and its timeline",
        synopsis: "REQ [--json]",
        options: [.json, .db, .config, .socket],
        arguments: [ArgumentSpec(name: "REQ", help: "the request, e.g. REQ-12 or 12")],
        discussion: "Lists the Okta runs with Okta's request id for each answer. A timeline of more than \(RequestDetail.timelineLimit) entries (or 2 MiB) "
            + "shows its newest and says how many earlier ones are left out; export --request REQ prints every one. With --json, prints the request "
            + "object with a \"timeline\" array (kind, actor, at, details), \"earlierEvents\" (how many entries before it were left out), "
            + "an \"approvals\" array (every pending one and the newest \(RequestDetail.decidedApprovalLimit) decided), \"earlierApprovals\", a \"runs\" array (every open one and the newest \(RequestDetail.endedLimit) ended), \"earlierRuns\", and a \"grants\" array "
            + "(temporary access: state, revokeAt, attempts, nextAttemptAt)."
    ) { invocation in
        let id = try invocation.requestID(at: 0)
        let detail = try await invocation.service().detail(of: id)
        let (request, timeline, approvals, runs) = (detail.request, detail.timeline, detail.approvals, detail.runs)
        let unknown = { (run: ActionRun) in detail.unknownRuns.contains(run.id) }
        if invocation.wantsJSON {
            var json = RequestJSON(request: request)
            json.timeline = try timeline.map(EventJSON.init)
            json.earlierEvents = detail.earlierEvents
            json.approvals = approvals.map(ApprovalJSON.init)
            json.earlierApprovals = detail.earlierApprovals
            json.earlierRuns = detail.earlierRuns
            json.runs = runs.map { RunJSON($0, outcomeUnknown: unknown($0)) }
            json.grants = detail.grants.map(GrantJSON.init)
            try invocation.printJSON(json)
        } else {
            invocation.out.write(RequestDetailText.render(request, timeline: timeline, earlier: detail.earlierEvents, approvals: approvals, earlierApprovals: detail.earlierApprovals, now: invocation.now))
            invocation.out.write(RequestDetailText.runs(runs, earlier: detail.earlierRuns, timeline: timeline, earlierEvents: detail.earlierEvents,
                                                         unknown: Set(detail.unknownRuns), request: id))
            invocation.out.write(RequestDetailText.grants(detail.grants))
        }
        return ExitCode.success
    }
}
