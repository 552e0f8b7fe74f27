import Foundation

/// Why Okta (or the way to it) refused or failed, with what an agent can do about it.
public struct DirectoryError: Error, Sendable, Equatable, CustomStringConvertible, Codable {
    public enum Kind: String, Sendable, Equatable, Codable {
        /// 401: the token is invalid or expired.
        case unauthorized
        /// 403: the token's admin lacks the permission.
        case forbidden
        /// 404: no such user, group, app or factor.
        case notFound
        /// 429 after every retry.
        case rateLimited
        /// 400: Okta refused the request as invalid (wrong status for a lifecycle call, bad parameter).
        case invalid
        /// Refused here before any call (e.g. an APP_GROUP, a directory-sourced user).
        case notAllowed
        /// The call was sent and may have taken effect; Okta's state must be checked, not the call repeated.
        case outcomeUnknown
        /// Okta could not be reached or failed (5xx, timeouts) for a call that was safe to retry.
        case unavailable
        /// Setup is wrong (bad org URL, missing token).
        case configuration
    }

    public let kind: Kind
    public let httpStatus: Int?
    public let errorCode: String?
    public let summary: String?
    public let causes: [String]
    public let errorID: String?
    /// Okta's `X-Okta-Request-Id`.
    public let requestID: String?
    /// For rate limits: when the bucket resets.
    public let retryAt: Date?
    /// What the call was about: "user 00u1…", "group VPN Users".
    public let subject: String?
    /// True when the call went as an OAuth service app's (not with an API token): refusals name the app's scopes and role.
    public var viaServiceApp: Bool?

    public init(
        kind: Kind, httpStatus: Int? = nil, errorCode: String? = nil, summary: String? = nil, causes: [String] = [],
        errorID: String? = nil, requestID: String? = nil, retryAt: Date? = nil, subject: String? = nil
    ) {
        self.kind = kind
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.summary = summary
        self.causes = causes
        self.errorID = errorID
        self.requestID = requestID
        self.retryAt = retryAt
        self.subject = subject
    }

    /// The same error about another subject (a search made for several look-ups, told to each).
    public func about(_ subject: String) -> DirectoryError {
        var copy = DirectoryError(kind: kind, httpStatus: httpStatus, errorCode: errorCode, summary: summary, causes: causes,
                                  errorID: errorID, requestID: requestID, retryAt: retryAt, subject: subject)
        copy.viaServiceApp = viaServiceApp
        return copy
    }

    /// The sentence for the agent.
    public var message: String {
        let about = subject.map { " (\($0))" } ?? ""
        // Okta's own words come with its error code or id; without them the text is helpdesk's account of the answer.
        let detail = okta.map { (errorCode != nil || errorID != nil ? " — Okta said: " : " — ") + $0 } ?? ""
        switch kind {
        case .unauthorized where viaServiceApp == true:
            return "Okta refused the service app's access token\(detail)"
        case .unauthorized:
            return "Okta refused the API token: it is invalid, expired or revoked; ask an Okta admin for a new token and update the token file\(detail)"
        case .forbidden where viaServiceApp == true:
            return "the service app may not do this\(about): its scopes or its admin role do not cover it; grant them in the Admin Console → Applications → the app "
                + "(Okta API Scopes, Admin roles)\(detail)"
        case .forbidden:
            return "the token's Okta admin lacks the permission for this\(about); ask an Okta super admin to grant the role\(detail)"
        case .notFound:
            return "Okta has no such \(subject ?? "user, group or app"); check the name or id\(detail)"
        case .rateLimited:
            let when = retryAt.map { " until \(Self.clockTime($0)) UTC" } ?? ""
            return "Okta is rate limiting this token\(when); try again then\(detail)"
        case .invalid:
            return "Okta refused the request\(about)\(detail)"
        case .notAllowed:
            return summary ?? "not allowed\(about)"
        case .outcomeUnknown:
            let what = summary.map { TextSafety.quoted($0, limit: 240) } ?? "it got no answer and was not sent again"
            return "the call to Okta\(about) may or may not have taken effect (\(what)); reconcile the request to check Okta's state"
        case .unavailable:
            return "Okta could not be reached or failed\(about); try again shortly\(detail)"
        case .configuration:
            return summary ?? "the Okta connection is not configured"
        }
    }

    public var description: String {
        var text = message
        if let errorCode { text += " [\(errorCode)]" }
        if let requestID { text += " (request id \(requestID))" }
        return text
    }

    private var okta: String? {
        guard kind != .notAllowed, kind != .configuration, let summary, !summary.isEmpty else { return nil }
        let extra = causes.filter { !$0.isEmpty && $0 != summary }
        let joined = ([summary] + extra).joined(separator: "; ")
        return TextSafety.quoted(joined, limit: 240)
    }

    static func clockTime(_ date: Date) -> String {
        LocalTime(date, in: .utc).clockSeconds
    }
}
