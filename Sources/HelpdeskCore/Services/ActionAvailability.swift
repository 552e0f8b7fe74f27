/// Whether an action makes sense for a user's current state, and why not when it does not.
/// The console dims unavailable actions with the short reason; the engine refuses them with the sentence.
public enum ActionAvailability {
    /// Why an action is unavailable: a few words for a side panel, and a sentence.
    public struct Reason: Sendable, Equatable {
        public let short: String
        public let sentence: String

        public init(short: String, sentence: String) {
            self.short = short
            self.sentence = sentence
        }

        init(_ short: String, _ sentence: String) {
            self.short = short
            self.sentence = sentence
        }
    }

    /// nil when the action is available.
    public static func reason(_ action: ActionName, for user: DirectoryUser, factors: [DirectoryFactor]? = nil) -> Reason? {
        let status = user.status
        let deprovisioned = status == .deprovisioned
        let deactivated = Reason("is deactivated", "the account is deactivated")
        switch action {
        case .resetMFA, .resetFactor:
            if deprovisioned { return deactivated }
            let none = Reason("no factors", "no MFA factors are enrolled")
            if let factors { return factors.isEmpty ? none : nil }
            if action == .resetMFA, let links = user.allowedOperations, !links.contains("resetFactors") { return none }
            return nil
        case .revokeSessions:
            return deprovisioned ? Reason("is deactivated", "a deactivated account has no sessions") : nil
        case .addToGroup, .assignApp:
            return deprovisioned ? Reason("is deactivated", "the account is deactivated; activate it first") : nil
        case .removeFromGroup, .removeApp:
            return nil
        case .suspend:
            if status == .active { return nil }
            return Reason(status == .suspended ? "already suspended" : status.words,
                          "only ACTIVE accounts can be suspended (this one is \(status.rawValue))")
        case .unsuspend:
            return status == .suspended ? nil : Reason("not suspended", "the account is not suspended (it is \(status.rawValue))")
        case .unlock:
            if !user.isOktaSourced { return Reason("in \(shortProvider(user))", "its password is managed in \(user.credentialProvider); unlock it there") }
            return status == .lockedOut ? nil : Reason("not locked out", "the account is not locked out (it is \(status.rawValue))")
        case .activate:
            return status == .staged || status == .deprovisioned ? nil : Reason("already activated", "the account is already activated (it is \(status.rawValue))")
        case .resendActivation:
            return status == .provisioned || status == .recovery ? nil
                : Reason("no activation pending", "only an activation that was started and not finished (PROVISIONED) can be sent again (it is \(status.rawValue))")
        case .deactivate:
            return deprovisioned ? deactivated : nil
        case .resetPassword:
            if !user.isOktaSourced { return Reason("in \(shortProvider(user))", "its password is managed in \(user.credentialProvider)") }
            let allowed: Set<UserStatus> = [.active, .recovery, .lockedOut, .passwordExpired]
            return allowed.contains(status) ? nil : Reason(status.words, "not possible while the account is \(status.rawValue)")
        case .createUser:
            return Reason("already exists", "the account already exists")
        case .expirePassword:
            let allowed: Set<UserStatus> = [.active, .lockedOut, .passwordExpired]
            return allowed.contains(status) ? nil : Reason(status.words, "not possible while the account is \(status.rawValue)")
        }
    }

    /// The sentence, or nil when the action is available.
    public static func whyUnavailable(_ action: ActionName, for user: DirectoryUser, factors: [DirectoryFactor]? = nil) -> String? {
        reason(action, for: user, factors: factors)?.sentence
    }

    private static func shortProvider(_ user: DirectoryUser) -> String {
        user.credentialProvider == "ACTIVE_DIRECTORY" ? "AD" : user.credentialProvider.lowercased()
    }
}
