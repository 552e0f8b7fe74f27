import Foundation
import HelpdeskCore

/// `helpdesk playbooks`, `run`, `cancel` and `undo`: plans of several Okta actions, approved as one.
enum PlaybookCommands {
    static let list = CommandSpec(
        name: "playbooks",
        summary: "list the playbooks you may start, with their steps",
        synopsis: "[--json]",
        options: [.json, .db, .config, .socket],
        arguments: [],
        discussion: "Playbooks are defined in the configuration's \"playbooks\" section."
    ) { invocation in
        let playbooks = try await invocation.service().playbooks()
        if invocation.wantsJSON {
            try invocation.printJSON(playbooks.map(PlaybookJSON.init))
            return ExitCode.success
        }
        if playbooks.isEmpty { invocation.out.line("No playbooks are configured for you.") }
        for playbook in playbooks {
            let expiry = playbook.expiry.map { ", access ends after \($0.spoken)" } ?? ""
            invocation.out.line("\(playbook.name): \(playbook.title) (approval \(playbook.approval.rawValue)\(expiry))")
            for (index, step) in playbook.steps.enumerated() {
                invocation.out.line("  \(index + 1). \(step.summary)" + (step.skipOnFailure ? " (a failure does not stop the plan)" : ""))
            }
        }
        return ExitCode.success
    }

    static let run = CommandSpec(
        name: "run",
        summary: "start a playbook on a request's requester: previewed, approved as one plan, run now or at a time",
        synopsis: "REQ PLAYBOOK --reason TEXT [--at TIME] [--field NAME=VALUE]... [--json]",
        options: [.value("reason", "TEXT", "why (required; the approver reads it)"),
                  .value("at", "TIME", "run at this time instead of as soon as approved: 2026-12-04 17:00 (local), 2026-12-04T17:00:00Z, or a span such as 3d"),
                  .value("field", "NAME=VALUE", "a new hire's field, for a playbook that creates its user: firstName, lastName, login, manager (an email), department; repeat it"),
                  .json, .db, .config, .socket],
        arguments: [ArgumentSpec(name: "REQ", help: "the request, e.g. REQ-12"), ArgumentSpec(name: "PLAYBOOK", help: "the playbook's name (helpdesk playbooks)")],
        discussion: """
        The plan is resolved against the requester's Okta account now and printed; it is asked for exactly
        as printed (if Okta's state changes in between, nothing is asked and the command fails). When a step
        needs approval, one approval covers the plan. Exit 0 when the plan was asked for (and, run now,
        finished); 1 when refused or a step stopped it. A playbook that creates its user (a new hire whose
        email is the request's requester) needs --field firstName=… --field lastName=…; the login defaults to
        the email.
        """
    ) { invocation in
        let id = try invocation.requestID(at: 0)
        guard let name = invocation.arguments.positional(1) else { throw CLIError.usage("run needs a playbook's name (helpdesk playbooks lists them)", command: "run") }
        let reason = try invocation.required("reason")
        let runAt = try invocation.arguments.value("at").flatMap { text throws(CLIError) -> Date? in
            do {
                return try PlanTime.parse(text, now: invocation.now, zone: .system)
            } catch {
                throw .usage("--at: \((error as? Refusal)?.message ?? "\(error)")", command: "run")
            }
        }
        var fields: [String: String] = [:]
        for given in invocation.arguments.values("field") {
            guard let equals = given.firstIndex(of: "="), equals != given.startIndex else {
                throw CLIError.usage("--field \(TextSafetyForCLI.quoted(given)) is not NAME=VALUE (e.g. firstName=Ana)", command: "run")
            }
            fields[String(given[..<equals])] = String(given[given.index(after: equals)...])
        }
        let ask = PlanAsk(requestID: id, source: .playbook(name), reason: reason, runAt: runAt, fields: fields)
        return try await start(ask, invocation)
    }

    static let undo = CommandSpec(
        name: "undo",
        summary: "undo a plan that finished or stopped, by its inverse plan (previewed and approved like any plan)",
        synopsis: "REQ [--plan ID] --reason TEXT [--json]",
        options: [.value("plan", "ID", "which plan (default: the request's latest finished or stopped one)"),
                  .value("reason", "TEXT", "why (required)"), .json, .db, .config, .socket],
        arguments: [ArgumentSpec(name: "REQ", help: "the request, e.g. REQ-12")],
        discussion: "Groups and apps it removed are given back, a suspension or deactivation reversed; what cannot be undone is printed."
    ) { invocation in
        let id = try invocation.requestID(at: 0)
        let reason = try invocation.required("reason")
        let plans = try await invocation.service().detail(of: id).plans
        let plan = try chosen(invocation, plans, id: id) { $0.state == .finished || $0.state == .stopped }
        return try await start(PlanAsk(requestID: id, source: .undo(plan.id), reason: reason), invocation)
    }

    static let cancel = CommandSpec(
        name: "cancel",
        summary: "cancel a plan that has not started (waiting for approval or for its time)",
        synopsis: "REQ [--plan ID] --reason TEXT [--json]",
        options: [.value("plan", "ID", "which plan (default: the request's waiting one)"), .value("reason", "TEXT", "why (required)"), .json, .db, .config, .socket],
        arguments: [ArgumentSpec(name: "REQ", help: "the request, e.g. REQ-12")],
        discussion: "A plan that has started runs to its end or stops at a failed step; undo it afterwards."
    ) { invocation in
        let id = try invocation.requestID(at: 0)
        let reason = try invocation.required("reason")
        let service = try invocation.service()
        let plan = try chosen(invocation, try await service.detail(of: id).plans, id: id) { !$0.state.isFinal }
        let cancelled = try await service.cancelPlan(plan.id, reason: reason)
        if invocation.wantsJSON { try invocation.printJSON(cancelled) } else { invocation.out.line(cancelled.progressLine) }
        return ExitCode.success
    }

    /// Previews, prints the plan, and asks for exactly it.
    private static func start(_ ask: PlanAsk, _ invocation: Invocation) async throws -> Int32 {
        let service = try invocation.service()
        let preview = try await service.previewPlan(ask)
        if !invocation.wantsJSON { print(preview, invocation) }
        let plan = try await service.startPlan(ask.confirming(preview, reason: ask.reason), expecting: preview.steps)
        if invocation.wantsJSON {
            try invocation.printJSON(plan)
        } else {
            invocation.out.line(plan.progressLine)
        }
        return plan.state == .stopped ? ExitCode.failure : ExitCode.success
    }

    private static func print(_ preview: PlanPreview, _ invocation: Invocation) {
        invocation.out.line("\(preview.title) for \(preview.targetLogin) (\(preview.targetUserID)) on \(preview.requestID):")
        for (index, step) in preview.steps.enumerated() {
            invocation.out.line("  \(index + 1). \(step.action.summary)")
        }
        for note in preview.notes { invocation.out.line("  - \(note)") }
        invocation.out.line(preview.needsApproval ? "  Needs one approval, from: \(preview.approvers.joined(separator: ", "))" : "  Needs no approval.")
    }

    /// The plan named by --plan, or the request's latest one matching `fits`.
    private static func chosen(_ invocation: Invocation, _ plans: [Plan], id: RequestID, fits: (Plan) -> Bool) throws -> Plan {
        if let text = invocation.arguments.value("plan") {
            guard let planID = PlanID(parsing: text), let plan = plans.first(where: { $0.id == planID }) else {
                throw CLIError.usage("\(id) has no plan \(TextSafetyForCLI.quoted(text)) (helpdesk show \(id) lists its plans)", command: invocation.spec.name)
            }
            return plan
        }
        guard let plan = plans.last(where: fits) else {
            throw CLIError.failed("\(id) has no plan to \(invocation.spec.name)" + (plans.isEmpty ? "" : " (its plans: " + plans.map { "\($0.id) \($0.state.rawValue)" }.joined(separator: ", ") + ")"))
        }
        return plan
    }
}

/// A playbook as `playbooks --json` prints it.
struct PlaybookJSON: Encodable {
    let name: String
    let title: String
    let roles: [Role]
    let approval: Playbook.ApprovalRule
    let expiry: String?
    let steps: [String]

    init(_ playbook: Playbook) {
        name = playbook.name
        title = playbook.title
        roles = playbook.roles.sorted()
        approval = playbook.approval
        expiry = playbook.expiry?.description
        steps = playbook.steps.map(\.summary)
    }
}
