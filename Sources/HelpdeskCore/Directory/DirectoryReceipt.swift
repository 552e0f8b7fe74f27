/// What Okta answered to an action that succeeded.
public struct DirectoryReceipt: Sendable, Equatable, Codable {
    /// Okta's `X-Okta-Request-Id`, kept for the timeline.
    public let requestID: String?
    /// For people: "reset 3 factors", "already a member".
    public let summary: String
    /// True when nothing had to change ("already removed", "already a member").
    public let alreadyDone: Bool
    /// A one-time link (reset password without email). Shown once; never stored.
    public let oneTimeLink: String?

    public init(requestID: String?, summary: String, alreadyDone: Bool = false, oneTimeLink: String? = nil) {
        self.requestID = requestID
        self.summary = summary
        self.alreadyDone = alreadyDone
        self.oneTimeLink = oneTimeLink
    }
}
