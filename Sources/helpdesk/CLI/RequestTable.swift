import Foundation
import HelpdeskCore

/// The text table `helpdesk list` prints. Identifiers (the request, its assignee, its requester)
/// are never cut — a script may take a column to act on — so their columns widen to the longest;
/// only the subject, free text, is cut.
enum RequestTable {
    static func render(_ requests: [Request], now: Date) -> String {
        guard !requests.isEmpty else { return "No requests match.\n" }
        let header = ["ID", "PRIORITY", "STATUS", "AGE", "ASSIGNEE", "REQUESTER", "SUBJECT"]
        let rows = requests.map { request in
            [request.id.description, request.priority.rawValue, request.status.shortLabel,
             Age.short(from: request.createdAt, to: now), request.assignee ?? "-",
             request.requester.value, TextSafety.quoted(request.subject, limit: 60)]
        }
        // Each column but the last: its usual width, or one more than its longest cell.
        let widths = usualWidths.indices.map { column in
            max(usualWidths[column], rows.map { $0[column].count + 1 }.max() ?? 0)
        }
        return ([header] + rows).map { row($0, widths: widths) }.joined()
    }

    private static let usualWidths = [9, 9, 9, 5, 10, 30]

    private static func row(_ cells: [String], widths: [Int]) -> String {
        var line = ""
        for (index, cell) in cells.enumerated() {
            line += index < widths.count ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) : cell
        }
        return line.trimmingCharacters(in: .whitespaces) + "\n"
    }
}

/// The text `helpdesk show` prints.
enum RequestDetailText {
    static func render(_ request: Request, timeline: [TimelineEvent], earlier: Int = 0, approvals: [Approval], earlierApprovals: Int = 0, now: Date) -> String {
        var text = "\(request.id)  \(TextSafety.quoted(request.subject, limit: 200))\n"
        text += "Requester  \(request.requester)\n"
        text += "Status     \(request.status.rawValue) · priority \(request.priority.rawValue) · category \(request.category) · assignee \(request.assignee ?? "none")\n"
        let age = Age.short(from: request.createdAt, to: now)
        text += "Created    \(clock(request.createdAt)) (\(age == "now" ? "just now" : age + " ago")) · updated \(clock(request.updatedAt)) · version \(request.version)\n"
        if let external = request.externalID { text += "External   \(TextSafety.quoted(external))\n" }
        if !request.body.isEmpty {
            text += "\n"
            for line in request.body.split(separator: "\n", omittingEmptySubsequences: false) {
                text += "  \(TextSafety.quoted(String(line), limit: 400))\n"
            }
        }
        if !approvals.isEmpty {
            text += "\nApprovals\n"
            text += leftOut(earlierApprovals, "earlier decided approval is", "earlier decided approvals are", "each is on the timeline, which export --request \(request.id) prints")
            for approval in approvals {
                let approvers = approval.approvers.map(\.login).joined(separator: ", ")
                text += "  \(approval.id)  \(approval.state.rawValue)  \(TextSafety.quoted(approval.subject.summary, limit: 100)) — asked by \(approval.requestedBy); approvers: \(approvers.isEmpty ? "none" : approvers)\n"
            }
        }
        text += "\nTimeline\n"
        text += leftOut(earlier, "earlier entry is", "earlier entries are", "helpdesk export --request \(request.id) prints every one")
        for event in timeline {
            text += "  \(clock(event.at))  \(event.actor.padding(toLength: max(8, event.actor.count), withPad: " ", startingAt: 0))  \(TextSafety.quoted(event.payload.sentence, limit: 400))\n"
        }
        return text
    }

    /// The Okta runs: what ran, its state, who started it, and Okta's request id for its answer.
    static func runs(_ runs: [ActionRun], earlier: Int = 0, timeline: [TimelineEvent], earlierEvents: Int = 0, unknown: Set<ActionRunID>, request: RequestID) -> String {
        guard !runs.isEmpty else { return "" }
        var text = "\nRuns\n"
        text += leftOut(earlier, "earlier ended run is", "earlier ended runs are", "each is on the timeline, which export --request \(request) prints")
        for run in runs {
            let answer = timeline.last { event in
                switch event.payload {
                case .actionSucceeded(let done): done.runID == run.id
                case .actionFailed(let failed): failed.runID == run.id
                case .accessRevoked(let revoked): revoked.runID == run.id
                default: false
                }
            }
            let state = unknown.contains(run.id) ? "outcome unknown (helpdesk reconcile \(request))" : run.state.rawValue
            var okta = answer?.payload.oktaRequestID.map { " · Okta request \(TextSafety.quoted($0, limit: 64))" } ?? ""
            if answer == nil, earlierEvents > 0, run.state == .succeeded || run.state == .failed {
                okta = " · Okta's answer is among the earlier entries (export --request \(request))"
            }
            text += "  \(run.id)  \(state)  \(TextSafety.quoted(run.action.summary, limit: 100)) — started by \(run.startedBy) \(clock(run.startedAt))\(okta)\n"
        }
        return text
    }

    /// Temporary access: each grant's state, when it ends, and a revoke that failed and when it is tried again.
    static func grants(_ grants: [AccessGrant]) -> String {
        guard !grants.isEmpty else { return "" }
        var text = "\nTemporary access\n"
        for grant in grants {
            let tries = grant.attempts == 1 ? "1 failed revoke" : "\(grant.attempts) failed revokes"
            let state = switch grant.state {
            case .scheduled where grant.attempts > 0: "ended \(clock(grant.revokeAt)); \(tries), tried again \(clock(grant.nextAttemptAt ?? grant.revokeAt))"
            case .scheduled: "ends \(clock(grant.revokeAt))"
            case .revoking: "ended \(clock(grant.revokeAt)); being revoked (an unanswered revoke is settled by reconcile)"
            case .revoked: "revoked"
            case .kept: "kept: a later request gave the same access lastingly"
            case .failed: "NOT revoked after \(tries); the access may still be there (see the alert on the timeline)"
            }
            text += "  \(grant.id)  \(TextSafety.quoted(grant.action.summary, limit: 100)) — \(state)\n"
        }
        return text
    }

    /// "  (3 earlier entries are not shown; …)" for `count` items a list left out; empty for none.
    private static func leftOut(_ count: Int, _ one: String, _ many: String, _ whereFound: String) -> String {
        count > 0 ? "  (\(count) \(count == 1 ? one : many) not shown; \(whereFound))\n" : ""
    }

    /// `2026-11-23 14:02` in the local time zone.
    static func clock(_ date: Date) -> String {
        LocalTime(date, in: .system).dateClock
    }
}
