/// The kebab-case names of the Okta actions, as used in the policy, the command line and exports.
public enum ActionName: String, CaseIterable, Sendable, Codable, CodingKeyRepresentable, Comparable {
    case resetMFA = "reset-mfa"
    case resetFactor = "reset-factor"
    case revokeSessions = "revoke-sessions"
    case addToGroup = "add-to-group"
    case removeFromGroup = "remove-from-group"
    case assignApp = "assign-app"
    case removeApp = "remove-app"
    case suspend
    case unsuspend
    case unlock
    case activate
    case resendActivation = "resend-activation"
    case deactivate
    case resetPassword = "reset-password"
    case expirePassword = "expire-password"
    case createUser = "create-user"

    /// A short title for menus: "Reset MFA", "Add to group".
    public var title: String {
        switch self {
        case .resetMFA: "Reset MFA"
        case .resetFactor: "Reset one factor"
        case .revokeSessions: "Revoke sessions"
        case .addToGroup: "Add to group"
        case .removeFromGroup: "Remove from group"
        case .assignApp: "Assign app"
        case .removeApp: "Remove app"
        case .suspend: "Suspend"
        case .unsuspend: "Unsuspend"
        case .unlock: "Unlock"
        case .activate: "Activate"
        case .resendActivation: "Resend activation"
        case .deactivate: "Deactivate"
        case .resetPassword: "Reset password"
        case .expirePassword: "Expire password"
        case .createUser: "Create user"
        }
    }

    /// Actions that give access to something; they may carry an expiry.
    public var grantsAccess: Bool { self == .addToGroup || self == .assignApp }

    public static func < (lhs: ActionName, rhs: ActionName) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Parses a name as typed on the command line or in the configuration.
    public static func parse(_ text: String) throws(ValidationError) -> ActionName {
        guard let name = ActionName(rawValue: text.lowercased()) else {
            throw ValidationError("unknown action \"\(TextSafety.quoted(text))\" (expected one of: \(allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return name
    }
}
