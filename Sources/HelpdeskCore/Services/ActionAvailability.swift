/// Whether an action makes sense for a user's current state, and why not when it does not.
/// The console dims unavailable actions with this reason; the engine refuses them with it.
public enum ActionAvailability {
    /// nil when the action is available; otherwise the reason, e.g. "the account is not suspended (it is ACTIVE)".
    public static func whyUnavailable(_ action: ActionName, for user: DirectoryUser, factors: [DirectoryFactor]? = nil) -> String? {
        let status = user.status
        let deprovisioned = status == .deprovisioned
        switch action {
        case .resetMFA:
            if deprovisioned { return "the account is deactivated" }
            if let factors { return factors.isEmpty ? "no MFA factors are enrolled" : nil }
            if let links = user.allowedOperations, !links.contains("resetFactors") { return "no MFA factors are enrolled" }
            return nil
        case .resetFactor:
            if deprovisioned { return "the account is deactivated" }
            if let factors, factors.isEmpty { return "no MFA factors are enrolled" }
            return nil
        case .revokeSessions:
            return deprovisioned ? "a deactivated account has no sessions" : nil
        case .addToGroup, .assignApp:
            return deprovisioned ? "the account is deactivated; activate it first" : nil
        case .removeFromGroup, .removeApp:
            return nil
        case .suspend:
            return status == .active ? nil : "only ACTIVE accounts can be suspended (this one is \(status.rawValue))"
        case .unsuspend:
            return status == .suspended ? nil : "the account is not suspended (it is \(status.rawValue))"
        case .unlock:
            if !user.isOktaSourced { return "its password is managed in \(user.credentialProvider); unlock it there" }
            return status == .lockedOut ? nil : "the account is not locked out (it is \(status.rawValue))"
        case .activate:
            return status == .staged || status == .deprovisioned ? nil : "the account is already activated (it is \(status.rawValue))"
        case .deactivate:
            return deprovisioned ? "the account is already deactivated" : nil
        case .resetPassword:
            if !user.isOktaSourced { return "its password is managed in \(user.credentialProvider)" }
            let allowed: Set<UserStatus> = [.active, .recovery, .lockedOut, .passwordExpired]
            return allowed.contains(status) ? nil : "not possible while the account is \(status.rawValue)"
        case .expirePassword:
            let allowed: Set<UserStatus> = [.active, .lockedOut, .passwordExpired]
            return allowed.contains(status) ? nil : "not possible while the account is \(status.rawValue)"
        }
    }
}
