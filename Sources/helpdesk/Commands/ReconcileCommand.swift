import Foundation
import HelpdeskCore

/// `helpdesk reconcile [REQ]`: settles actions whose outcome is unknown by reading Okta's state.
enum ReconcileCommand {
    static let spec = CommandSpec(
        name: "reconcile",
        summary: "check Okta's state for actions whose outcome is unknown, and record what it shows",
        synopsis: "[REQ] [--json]",
        options: [.json, .db, .config, .socket],
        arguments: [ArgumentSpec(name: "REQ", help: "only this request", optional: true)],
        discussion: """
        Reconciling never repeats an action; if Okta shows it did not happen, ask for it again. A run stays
        unknown while Okta's state cannot be read, and "not applied" is said only once the call can no longer
        arrive (two minutes after its deadline); the service tries again by itself. Exit 1 when a run could
        not be settled yet.
        """
    ) { invocation in
        let id = invocation.arguments.positional(0) == nil ? nil : try invocation.requestID(at: 0)
        let results = try await invocation.service().reconcile(id)
        if invocation.wantsJSON {
            try invocation.printJSON(results.map { ReconcileJSON(run: $0.run.id.description, request: $0.run.requestID.description, action: $0.run.action,
                                                                 finding: $0.finding, summary: $0.summary, settled: $0.settled) })
        } else if results.isEmpty {
            invocation.out.line("Nothing to reconcile.")
        } else {
            for result in results {
                let what = result.settled ? result.finding.rawValue : "not settled yet"
                invocation.out.line("\(result.run.requestID) \(result.run.id) \(result.run.action.summary): \(what) — \(result.summary)")
            }
        }
        return results.allSatisfy(\.settled) ? ExitCode.success : ExitCode.failure
    }
}

struct ReconcileJSON: Encodable {
    let run: String
    let request: String
    let action: OktaAction
    let finding: ReconcileFinding
    let summary: String
    let settled: Bool
}
