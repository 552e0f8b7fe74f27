/// The kinds of timeline event, as named in exports and `--json` output.
public enum EventKind: String, CaseIterable, Sendable, Codable {
    case created
    case note
    case assigned
    case statusChanged = "status-changed"
    case approvalRequested = "approval-requested"
    case approvalGranted = "approval-granted"
    case approvalDenied = "approval-denied"
    case approvalExpired = "approval-expired"
    case approvalSuperseded = "approval-superseded"
    case actionStarted = "action-started"
    case actionSucceeded = "action-succeeded"
    case actionFailed = "action-failed"
    case actionReconciled = "action-reconciled"
    case accessScheduled = "access-scheduled"
    case accessRevoked = "access-revoked"
    /// Temporary access not revoked at its end: a later run gave the same access lastingly or for longer.
    case accessKept = "access-kept"
    case planAsked = "plan-asked"
    case planStarted = "plan-started"
    case planEnded = "plan-ended"
    /// Something people must look at: a revoke that keeps failing, Okta's answer after reconcile decided.
    case alert
}
