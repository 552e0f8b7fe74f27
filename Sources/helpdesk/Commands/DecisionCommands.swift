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
            .json, .db, .config,
        ],
        arguments: [ArgumentSpec(name: "REQ", help: "the request, e.g. REQ-12")],
        discussion: "Exit 0 when the approved action succeeded; 1 when refused or Okta failed."
    ) { invocation in
        let id = try invocation.requestID(at: 0)
        let runtime = try Runtime.load(invocation)
        let approver = try runtime.requireOperator(forOkta: true)
        let engine = try runtime.engine()
        let approval = try pendingApproval(on: id, for: approver, invocation: invocation, store: engine.store)
        let outcome = try await engine.approve(approval.id, by: approver, expecting: approval.action, comment: invocation.arguments.value("reason"))
        return try OutcomeOutput.print(outcome, invocation)
    }

    static let deny = CommandSpec(
        name: "deny",
        summary: "deny a pending action on a request, with a reason",
        synopsis: "REQ [--approval ID] --reason TEXT [--json]",
        options: [
            .value("approval", "ID", "which approval, when the request has several"),
            .value("reason", "TEXT", "why (required; the agent sees it on the timeline)"),
            .json, .db, .config,
        ],
        arguments: [ArgumentSpec(name: "REQ", help: "the request, e.g. REQ-12")]
    ) { invocation in
        let id = try invocation.requestID(at: 0)
        let reason = try invocation.required("reason")
        let runtime = try Runtime.load(invocation)
        let approver = try runtime.requireOperator(forOkta: false)
        let store = try runtime.openStore()
        let approval = try pendingApproval(on: id, for: approver, invocation: invocation, store: store)
        let denied = try ApprovalBook(store: store, clock: invocation.environment.clock).deny(approval.id, by: approver, reason: reason)
        if invocation.wantsJSON {
            try invocation.printJSON(ApprovalJSON(denied))
        } else {
            invocation.out.line("Denied \(denied.id) on \(id): \(denied.action.summary).")
        }
        return ExitCode.success
    }

    /// The approval to decide: the one named, or the only one pending on the request for this operator.
    static func pendingApproval(on id: RequestID, for approver: Operator, invocation: Invocation, store: any RequestStore) throws -> Approval {
        let approvals = try store.read { reader in
            _ = try reader.existingRequest(id)
            return try reader.approvals(of: id)
        }
        if let text = invocation.arguments.value("approval") {
            guard let approvalID = ApprovalID(parsing: text) else {
                throw CLIError.usage("\(TextSafetyForCLI.quoted(text)) is not an approval id (expected APR-7 or 7)", command: invocation.spec.name)
            }
            guard let approval = approvals.first(where: { $0.id == approvalID }) else {
                throw CLIError.failed("\(approvalID) is not an approval of \(id)")
            }
            return approval
        }
        let pending = approvals.filter { $0.state == .pending }
        let mine = pending.filter { $0.mayBeApproved(by: approver.login) }
        switch (pending.count, mine.count) {
        case (0, _):
            throw CLIError.failed("\(id) has no pending approval" + (approvals.last.map { "; the last one, \($0.id), is \($0.state.rawValue)" } ?? ""))
        case (_, 1):
            return mine[0]
        case (1, 0):
            return pending[0]
        default:
            let list = (mine.isEmpty ? pending : mine).map { "\($0.id) (\($0.action.summary))" }.joined(separator: ", ")
            throw CLIError.usage("\(id) has several pending approvals: \(list); name one with --approval", command: invocation.spec.name)
        }
    }
}

