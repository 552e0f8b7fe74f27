import Foundation
import HelpdeskCore

/// `helpdesk act REQ ACTION`: asks for an Okta action on the requester; it runs now or waits for approval.
enum ActCommand {
    static let spec = CommandSpec(
        name: "act",
        summary: "ask for an Okta action on a request's requester (runs now, or waits for approval)",
        synopsis: "REQ ACTION [--group NAME|ID] [--app NAME|ID] [--factor ID] [--for DURATION] --reason TEXT [--json]",
        options: [
            .value("reason", "TEXT", "why (required; it goes on the timeline and to the approver)"),
            .value("group", "NAME|ID", "the group, for add-to-group and remove-from-group"),
            .value("app", "NAME|ID", "the app, for assign-app and remove-app"),
            .value("factor", "ID", "the factor, for reset-factor"),
            .value("for", "DURATION", "temporary access: 1d 3d 1w 2w 1mo 3mo, or e.g. 90m 36h 10d"),
            .flag("oauth-tokens", "revoke-sessions: revoke OAuth tokens too"),
            .flag("link", "reset-password: return a one-time link instead of emailing the user"),
            .flag("no-email", "activate: do not send the activation email"),
            .json, .db, .config, .socket,
        ],
        arguments: [
            ArgumentSpec(name: "REQ", help: "the request, e.g. REQ-12"),
            ArgumentSpec(name: "ACTION", help: ActionName.allCases.map(\.rawValue).joined(separator: ", ")),
        ],
        discussion: """
        Exit 0 when the action ran or now waits for approval; 1 when refused or Okta failed.
        With --json, prints {"result": "awaiting-approval", "approval": …} or {"result": "succeeded"|"failed"|"outcome-unknown", …}.
        """
    ) { invocation in
        let id = try invocation.requestID(at: 0)
        let spec = try ActionArguments.spec(invocation)
        let reason = try invocation.required("reason")
        switch try await invocation.service().act(ActionAsk(requestID: id, spec: spec, reason: reason)) {
        case .awaitingApproval(let approval):
            if invocation.wantsJSON {
                try invocation.printJSON(AskJSON(result: "awaiting-approval", approval: ApprovalJSON(approval)))
            } else {
                invocation.out.line("\(id): \(approval.subject.summary) waits for approval \(approval.id) by \(approval.approvers.map(\.login).joined(separator: ", "))")
            }
            return ExitCode.success
        case .ran(let outcome):
            return try OutcomeOutput.print(outcome, invocation)
        }
    }
}

/// What `act --json` prints.
struct AskJSON: Encodable {
    var result: String
    var approval: ApprovalJSON?
    var run: String?
    var summary: String?
    var oktaRequestId: String?
    var errorCode: String?
    var oneTimeLink: String?
    var grant: String?
    var revokeAt: Date?
}

/// Prints a run's outcome for people or scripts; the exit code says whether it succeeded.
enum OutcomeOutput {
    static func print(_ outcome: ActionOutcome, _ invocation: Invocation) throws -> Int32 {
        var json = AskJSON(result: "succeeded", run: outcome.run.id.description, grant: outcome.grant?.id.description, revokeAt: outcome.grant?.revokeAt)
        switch outcome.result {
        case .succeeded(let receipt):
            json.summary = receipt.summary
            json.oktaRequestId = receipt.requestID
            json.oneTimeLink = receipt.oneTimeLink
        case .failed(let error):
            json.result = error.kind == .outcomeUnknown ? "outcome-unknown" : "failed"
            json.summary = error.message
            json.oktaRequestId = error.requestID
            json.errorCode = error.errorCode
        }
        if invocation.wantsJSON {
            try invocation.printJSON(json)
        } else if outcome.succeeded {
            invocation.out.line(outcome.message)
            if let link = json.oneTimeLink {
                invocation.out.line("One-time reset link (give it to the user now; it is not stored): \(link)")
            }
        } else {
            invocation.err.line("helpdesk: \(outcome.message)")
        }
        return outcome.succeeded ? ExitCode.success : ExitCode.failure
    }
}
