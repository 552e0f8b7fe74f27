/// The tables both engines hold and the columns a copy from one to the other carries, in the
/// order they are copied (a row's references come before it).
public enum StoredTable: String, CaseIterable, Sendable {
    case requests
    case approvals
    case approvalApprovers = "approval_approvers"
    case plans
    case actionRuns = "action_runs"
    case accessGrants = "access_grants"
    case events

    public var columns: [String] {
        switch self {
        case .requests: ["id", "requester", "subject", "body", "category", "urgency", "status", "assignee", "created_at", "updated_at", "version", "external_id"]
        case .approvals: ["id", "request_id", "action", "reason", "requested_by", "requested_at", "expires_at", "state", "decided_by", "decided_at", "decision_reason",
                          "target_user", "requested_by_okta", "decided_by_okta"]
        case .approvalApprovers: ["approval_id", "login", "basis", "okta_user"]
        case .plans: ["id", "request_id", "playbook", "title", "steps", "target_user", "reason", "requested_by", "requested_at", "run_at", "undoes", "state",
                      "runner", "lease_until", "note", "finished_at"]
        case .actionRuns: ["id", "request_id", "action", "target_user", "approval_id", "revokes_grant", "started_by", "started_at", "runner", "state", "finished_at",
                           "deadline", "reconcile_attempts", "next_reconcile_at", "plan_id", "plan_step", "plan_attempt"]
        case .accessGrants: ["id", "request_id", "grant_run", "action", "target_user", "revoke_at", "state", "claimed_by", "claimed_at", "attempts", "next_attempt_at"]
        case .events: ["id", "request_id", "kind", "actor", "at", "details", "okta_request_id"]
        }
    }

    /// True when the table's rows carry their own `id` (kept by a copy); approvers are numbered anew.
    public var keepsIDs: Bool { self != .approvalApprovers }
}
