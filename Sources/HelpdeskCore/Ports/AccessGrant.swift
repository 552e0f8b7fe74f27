import Foundation

/// Temporary access given by a run, with its scheduled revoke.
public struct AccessGrant: Sendable, Equatable, Identifiable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable {
        /// Access is in place; the revoke is due at `revokeAt`.
        case scheduled
        /// A sweep claimed the revoke and is calling Okta (or died doing so).
        case revoking
        case revoked
        /// The revoke failed again and again; the person may still have the access. An alert is on the request.
        case failed
        /// A later run gave the same access lastingly: it is not revoked.
        case kept
    }

    public let id: GrantID
    public let requestID: RequestID
    public let grantRunID: ActionRunID
    /// The action that gave access (add-to-group or assign-app with an expiry).
    public let action: OktaAction
    public let targetUserID: String
    public let revokeAt: Date
    public let state: State
    /// Revokes tried and failed so far, and when the next one is due (nil: at `revokeAt`).
    public let attempts: Int
    public let nextAttemptAt: Date?

    public init(id: GrantID, requestID: RequestID, grantRunID: ActionRunID, action: OktaAction, targetUserID: String, revokeAt: Date, state: State,
                attempts: Int = 0, nextAttemptAt: Date? = nil) {
        self.id = id
        self.requestID = requestID
        self.grantRunID = grantRunID
        self.action = action
        self.targetUserID = targetUserID
        self.revokeAt = revokeAt
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
    }
}
