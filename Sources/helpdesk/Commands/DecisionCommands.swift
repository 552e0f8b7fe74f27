import Foundation
import HelpdeskCore

/// `helpdesk approve` and `helpdesk deny`: decide an approval on a request.
enum DecisionCommands {
    static let approve = CommandSpec(
        name: "approve",
        summary: "approve a pending action on a request; it runs at once in your name",
        synopsis: "REQ [--approval ID] [--reason TEXT] [--json]",
        options: [
            .value("approval", "ID", "which approval, when the request has several (e.g. APR-7)"),
            .value("reason", "TEXT", "a comment for the timeline"),
            .json, .db, .config, .socket,
        ],
        arguments: [ArgumentSpec(name: "REQ", help: "the request, e.g. REQ-12")],
        discussion: """
        Without --approval, REQ must have had exactly one approval, and it must be pending: when an agent
        asked again, name the approval you read (helpdesk show REQ lists them), so that you never approve
        something you have not seen. Exit 0 when the approved action succeeded; 1 when refused or Okta failed.
        """
    ) { invocation in
        let id = try invocation.requestID(at: 0)
        let service = try invocation.service()
        let approvals = try await service.detail(of: id).approvals
        let approval = try chosen(on: id, approvals, invocation: invocation) ?? onlyApproval(on: id, approvals)
        if let terms = approval.subject.plan {
            let plan = try await service.approvePlan(approval.id, expecting: terms, comment: invocation.arguments.value("reason"))
            if invocation.wantsJSON { try invocation.printJSON(plan) } else { invocation.out.line(plan.progressLine) }
            return plan.state == .stopped ? ExitCode.failure : ExitCode.success
        }
        let outcome = try await service.approve(approval.id, expecting: approval.action, comment: invocation.arguments.value("reason"))
        return try OutcomeOutput.print(outcome, invocation)
    }

    static let deny = CommandSpec(
        name: "deny",
        summary: "deny a pending action on a request, with a reason (or withdraw one you asked for)",
        synopsis: "REQ [--approval ID] --reason TEXT [--json]",
        options: [
            .value("approval", "ID", "which approval, when the request has several"),
            .value("reason", "TEXT", "why (required; the agent sees it on the timeline)"),
            .json, .db, .config, .socket,
        ],
        arguments: [ArgumentSpec(name: "REQ", help: "the request, e.g. REQ-12")]
    ) { invocation in
        let id = try invocation.requestID(at: 0)
        let reason = try invocation.required("reason")
        let service = try invocation.service()
        let login = try await service.session().operator.login
        let approvals = try await service.detail(of: id).approvals
        let approval = try chosen(on: id, approvals, invocation: invocation) ?? pendingApproval(on: id, approvals, for: login)
        let denied = try await service.deny(approval.id, reason: reason)
        if invocation.wantsJSON {
            try invocation.printJSON(ApprovalJSON(denied))
        } else {
            let verb = denied.decidedBy == approval.requestedBy ? "Withdrew" : "Denied"
            invocation.out.line("\(verb) \(denied.id) on \(id): \(denied.subject.summary).")
        }
        return ExitCode.success
    }

    /// The approval named with `--approval`, if one was.
    static func chosen(on id: RequestID, _ approvals: [Approval], invocation: Invocation) throws -> Approval? {
        guard let text = invocation.arguments.value("approval") else { return nil }
        guard let approvalID = ApprovalID(parsing: text) else {
            throw CLIError.usage("\(TextSafetyForCLI.quoted(text)) is not an approval id (expected APR-7 or 7)", command: invocation.spec.name)
        }
        guard let approval = approvals.first(where: { $0.id == approvalID }) else {
            throw CLIError.failed("\(approvalID) is not an approval of \(id)")
        }
        return approval
    }

    /// To approve without naming it, the request's one and only approval, pending.
    static func onlyApproval(on id: RequestID, _ approvals: [Approval]) throws -> Approval {
        guard let pending = approvals.last(where: { $0.state == .pending }) else {
            throw CLIError.failed("\(id) has no pending approval" + (approvals.last.map { "; the last one, \($0.id), is \($0.state.rawValue)" } ?? ""))
        }
        guard approvals.count == 1 else {
            let others = approvals.filter { $0.id != pending.id }.map { "\($0.id) (\($0.state.rawValue))" }.joined(separator: ", ")
            throw CLIError.usage("\(id) has had more than one approval (\(others)); the pending one is \(pending.id): \(pending.subject.summary), "
                + "asked by \(pending.requestedBy): \"\(pending.reason)\" — if that is what you mean, run helpdesk approve \(id) --approval \(pending.id)", command: "approve")
        }
        return pending
    }

    /// To deny without naming it: the only pending approval this operator may decide (or the only one pending).
    static func pendingApproval(on id: RequestID, _ approvals: [Approval], for login: String) throws -> Approval {
        let pending = approvals.filter { $0.state == .pending }
        // Those this login may deny, or withdraw (their own asks).
        let mine = pending.filter { $0.mayBeApproved(by: login) || $0.requestedBy == login }
        switch (pending.count, mine.count) {
        case (0, _):
            throw CLIError.failed("\(id) has no pending approval" + (approvals.last.map { "; the last one, \($0.id), is \($0.state.rawValue)" } ?? ""))
        case (_, 1):
            return mine[0]
        case (1, 0):
            return pending[0]
        default:
            let list = (mine.isEmpty ? pending : mine).map { "\($0.id) (\($0.subject.summary))" }.joined(separator: ", ")
            throw CLIError.usage("\(id) has several pending approvals: \(list); name one with --approval", command: "deny")
        }
    }
}
