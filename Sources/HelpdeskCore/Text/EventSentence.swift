import Foundation

extension EventPayload {
    /// One line for people, as the timeline shows it: "assigned to alex", "Okta: reset 3 factors".
    public var sentence: String {
        switch self {
        case .created(let created):
            return "created for \(created.requester) (\(created.priority.rawValue), \(created.category)): \(created.subject)"
        case .note(let text):
            return "note: \(text)"
        case .assigned(let to):
            return to.map { "assigned to \($0)" } ?? "unassigned"
        case .statusChanged(let from, let to, let note):
            return "status \(from.rawValue) → \(to.rawValue)" + (note.map { ": \($0)" } ?? "")
        case .approvalRequested(let asked):
            let approvers = asked.approvers.isEmpty ? "nobody eligible" : asked.approvers.joined(separator: ", ")
            return "asked for approval \(asked.approvalID): \(asked.action.summary) — \(asked.reason) (approvers: \(approvers))"
        case .approvalGranted(let id, let comment):
            return "approved \(id)" + (comment.map { ": \($0)" } ?? "")
        case .approvalDenied(let id, let reason):
            return "denied \(id): \(reason)"
        case .approvalExpired(let id):
            return "approval \(id) expired unanswered"
        case .approvalSuperseded(let id, let by):
            return "approval \(id) replaced by \(by) (the parameters changed)"
        case .actionStarted(let started):
            let basis = started.approvalID.map { " (approved in \($0))" } ?? started.grantID.map { " (\($0) ended)" }
                ?? started.planID.map { " (step \((started.planStep ?? 0) + 1) of \($0))" } ?? ""
            let reason = started.approvalID == nil && started.planID == nil && !started.reason.isEmpty ? " — \(started.reason)" : ""
            return "started \(started.runID): \(started.action.summary)\(basis)\(reason)"
        case .actionSucceeded(let outcome):
            return "Okta: \(outcome.summary) (\(Self.run(outcome.runID, outcome.oktaRequestID)))"
        case .actionFailed(let failure):
            if failure.outcomeUnknown {
                return "outcome unknown for \(failure.runID): \(failure.message)" + Self.oktaRequest(failure.oktaRequestID)
            }
            return "failed \(failure.runID): \(failure.message)" + (failure.errorCode.map { " [\($0)]" } ?? "") + Self.oktaRequest(failure.oktaRequestID)
        case .actionReconciled(let result):
            return "reconciled \(result.runID): \(result.finding.rawValue) — \(result.summary)"
        case .accessScheduled(let scheduled):
            return "temporary access (\(scheduled.grantID)) ends \(Timestamp.readable(scheduled.revokeAt))"
        case .accessRevoked(let revoked):
            return "temporary access ended (\(revoked.grantID)): \(revoked.summary)" + Self.oktaRequest(revoked.oktaRequestID)
        case .accessKept(let kept):
            return "temporary access (\(kept.grantID)) kept: \(kept.keptBy) gave it again "
                + (kept.until.map { "until \(Timestamp.readable($0)), when it ends instead" } ?? "for good")
        case .planAsked(let asked):
            let when = asked.runAt.map { " at \(Timestamp.readable($0))" } ?? ""
            let approval = asked.approvalID.map { ", approval \($0) by \(asked.approvers.joined(separator: ", "))" } ?? ", no approval needed"
            let undo = asked.undoes.map { " undoing \($0)" } ?? ""
            return "asked for \(asked.title) (\(asked.planID))\(undo)\(when)\(approval) — \(asked.reason): "
                + asked.steps.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "; ")
        case .planStarted(let started):
            return "\(started.planID) started" + (started.differences.isEmpty ? "; Okta's state is as approved" : "; differs from the approved plan: " + started.differences.joined(separator: "; "))
        case .planEnded(let ended):
            return "\(ended.planID) \(ended.state.rawValue) after \(ended.stepsDone) step\(ended.stepsDone == 1 ? "" : "s"): \(ended.summary)"
        case .alert(let alert):
            return "ALERT: \(alert.message)"
        }
    }

    private static func run(_ id: ActionRunID, _ oktaRequestID: String?) -> String {
        oktaRequestID.map { "\(id), Okta request \($0)" } ?? id.description
    }

    private static func oktaRequest(_ id: String?) -> String {
        id.map { " (Okta request \($0))" } ?? ""
    }
}
