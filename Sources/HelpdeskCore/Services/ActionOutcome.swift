/// What running an action came to.
public struct ActionOutcome: Sendable, Equatable, Codable {
    public enum Result: Sendable, Equatable, Codable {
        case succeeded(DirectoryReceipt)
        case failed(DirectoryError)
    }

    public let run: ActionRun
    public let result: Result
    /// The scheduled revoke, when the action gave temporary access.
    public let grant: AccessGrant?

    public init(run: ActionRun, result: Result, grant: AccessGrant?) {
        self.run = run
        self.result = result
        self.grant = grant
    }

    public var succeeded: Bool {
        if case .succeeded = result { return true }
        return false
    }

    /// For the status line and the command line: "Okta: reset 3 factors (RUN-4)".
    public var message: String {
        switch result {
        case .succeeded(let receipt):
            var text = "Okta: \(receipt.summary) (\(run.id))"
            if let grant { text += "; access ends \(Timestamp.readable(grant.revokeAt)) (\(grant.id))" }
            return text
        case .failed(let error):
            return "\(run.action.name.title) failed (\(run.id)): \(error.description)"
        }
    }
}

/// What asking for an action came to: it waits for an approval, or it ran.
public enum AskOutcome: Sendable, Equatable, Codable {
    case awaitingApproval(Approval)
    case ran(ActionOutcome)
}
