import Foundation
import HelpdeskCore

/// A request as `--json` prints it: `"id": "REQ-12"` and every field, nulls included.
struct RequestJSON: Encodable {
    let request: Request
    var timeline: [EventJSON]?
    /// With `timeline`: the entries before its first that were left out.
    var earlierEvents: Int?
    var approvals: [ApprovalJSON]?
    /// With `approvals`: the decided approvals before its first that were left out.
    var earlierApprovals: Int?
    var runs: [RunJSON]?
    /// With `runs`: the ended runs before its first that were left out.
    var earlierRuns: Int?
    var grants: [GrantJSON]?

    private enum Keys: String, CodingKey {
        case id, number, requester, subject, body, category, priority, status, assignee, createdAt, updatedAt, version, externalId
        case timeline, earlierEvents, approvals, earlierApprovals, runs, earlierRuns, grants
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(request.id.description, forKey: .id)
        try container.encode(request.id.number, forKey: .number)
        try container.encode(request.requester.value, forKey: .requester)
        try container.encode(request.subject, forKey: .subject)
        try container.encode(request.body, forKey: .body)
        try container.encode(request.category, forKey: .category)
        try container.encode(request.priority, forKey: .priority)
        try container.encode(request.status, forKey: .status)
        try container.encode(request.assignee, forKey: .assignee)
        try container.encode(request.createdAt, forKey: .createdAt)
        try container.encode(request.updatedAt, forKey: .updatedAt)
        try container.encode(request.version, forKey: .version)
        try container.encode(request.externalID, forKey: .externalId)
        try container.encodeIfPresent(timeline, forKey: .timeline)
        try container.encodeIfPresent(earlierEvents, forKey: .earlierEvents)
        try container.encodeIfPresent(approvals, forKey: .approvals)
        try container.encodeIfPresent(earlierApprovals, forKey: .earlierApprovals)
        try container.encodeIfPresent(runs, forKey: .runs)
        try container.encodeIfPresent(earlierRuns, forKey: .earlierRuns)
        try container.encodeIfPresent(grants, forKey: .grants)
    }
}

/// A timeline event as `--json` and `export` print it.
struct EventJSON: Encodable {
    let id: Int64
    let request: String
    let kind: String
    let actor: String
    let at: Date
    let details: JSONValue
    let oktaRequestId: String?

    init(_ event: TimelineEvent) throws {
        id = event.id
        request = event.requestID.description
        kind = event.kind.rawValue
        actor = event.actor
        at = event.at
        details = try JSONValue(data: event.payload.detailsJSON())
        oktaRequestId = event.payload.oktaRequestID
    }

    private enum Keys: String, CodingKey { case id, request, kind, actor, at, details, oktaRequestId }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(id, forKey: .id)
        try container.encode(request, forKey: .request)
        try container.encode(kind, forKey: .kind)
        try container.encode(actor, forKey: .actor)
        try container.encode(at, forKey: .at)
        try container.encode(details, forKey: .details)
        try container.encode(oktaRequestId, forKey: .oktaRequestId)
    }
}

/// An approval as `show --json` prints it.
struct ApprovalJSON: Encodable {
    let id: String
    let action: OktaAction?
    let plan: PlanTerms?
    let summary: String
    let reason: String
    let requestedBy: String
    let requestedAt: Date
    let expiresAt: Date
    let approvers: [EligibleApprover]
    let targetUserId: String?
    let requestedByOktaId: String?
    let state: Approval.State
    let decidedBy: String?
    let decidedByOktaId: String?
    let decidedAt: Date?
    let decisionReason: String?

    init(_ approval: Approval) {
        id = approval.id.description
        action = approval.action
        plan = approval.subject.plan
        summary = approval.subject.summary
        reason = approval.reason
        requestedBy = approval.requestedBy
        requestedAt = approval.requestedAt
        expiresAt = approval.expiresAt
        approvers = approval.approvers
        targetUserId = approval.targetUserID
        requestedByOktaId = approval.requestedByOktaID
        state = approval.state
        decidedBy = approval.decidedBy
        decidedByOktaId = approval.decidedByOktaID
        decidedAt = approval.decidedAt
        decisionReason = approval.decisionReason
    }
}

/// An action run as `show --json` prints it.
struct RunJSON: Encodable {
    let id: String
    let action: OktaAction
    let summary: String
    let state: ActionRun.State
    let outcomeUnknown: Bool
    let approval: String?
    let startedBy: String
    let startedAt: Date
    let finishedAt: Date?

    init(_ run: ActionRun, outcomeUnknown: Bool) {
        id = run.id.description
        action = run.action
        summary = run.action.summary
        state = run.state
        self.outcomeUnknown = outcomeUnknown
        approval = run.approvalID?.description
        startedBy = run.startedBy
        startedAt = run.startedAt
        finishedAt = run.finishedAt
    }
}

/// Temporary access as `show --json` prints it: its state, when it ends, and its failed revokes.
struct GrantJSON: Encodable {
    let id: String
    let action: OktaAction
    let summary: String
    let state: AccessGrant.State
    let revokeAt: Date
    /// Revokes tried and failed so far, and when the next is due (null: at `revokeAt`).
    let attempts: Int
    let nextAttemptAt: Date?

    init(_ grant: AccessGrant) {
        id = grant.id.description
        action = grant.action
        summary = grant.action.summary
        state = grant.state
        revokeAt = grant.revokeAt
        attempts = grant.attempts
        nextAttemptAt = grant.nextAttemptAt
    }
}
