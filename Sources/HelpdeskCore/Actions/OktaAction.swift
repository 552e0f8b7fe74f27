import Foundation

/// One Okta action on the requester's account, with every parameter it runs with.
/// An approval is for exactly one such value; changing a parameter needs a new approval.
public enum OktaAction: Hashable, Sendable {
    /// Reset every enrolled MFA factor (`lifecycle/reset_factors`).
    case resetMFA
    /// Unenroll one factor.
    case resetFactor(FactorRef)
    /// End the user's Okta sessions; optionally revoke OAuth tokens too.
    case revokeSessions(oauthTokens: Bool)
    /// Add to an `OKTA_GROUP`, permanently or until the expiry.
    case addToGroup(GroupRef, expiry: AccessDuration?)
    case removeFromGroup(GroupRef)
    /// Assign an app directly (`scope: USER`), permanently or until the expiry.
    case assignApp(AppRef, expiry: AccessDuration?)
    case removeApp(AppRef)
    case suspend
    case unsuspend
    case unlock
    case activate(sendEmail: Bool)
    /// Restart an activation the user never finished (PROVISIONED): a new activation email.
    case resendActivation
    case deactivate
    /// Email the user a reset link, or return a one-time link to hand over.
    case resetPassword(sendEmail: Bool)
    case expirePassword
    /// Create the user STAGED (a playbook's first step for a new hire); it acts on no existing account.
    case createUser(NewUserProfile)

    public var name: ActionName {
        switch self {
        case .resetMFA: .resetMFA
        case .resetFactor: .resetFactor
        case .revokeSessions: .revokeSessions
        case .addToGroup: .addToGroup
        case .removeFromGroup: .removeFromGroup
        case .assignApp: .assignApp
        case .removeApp: .removeApp
        case .suspend: .suspend
        case .unsuspend: .unsuspend
        case .unlock: .unlock
        case .activate: .activate
        case .resendActivation: .resendActivation
        case .deactivate: .deactivate
        case .resetPassword: .resetPassword
        case .expirePassword: .expirePassword
        case .createUser: .createUser
        }
    }

    /// The expiry of temporary access, if this action grants it.
    public var expiry: AccessDuration? {
        switch self {
        case .addToGroup(_, let expiry), .assignApp(_, let expiry): expiry
        default: nil
        }
    }

    /// The action that undoes a temporary grant.
    public var revoke: OktaAction? {
        switch self {
        case .addToGroup(let group, _): .removeFromGroup(group)
        case .assignApp(let app, _): .removeApp(app)
        default: nil
        }
    }

    /// Whether sending it again leaves the same state as sending it once, where Okta's state
    /// cannot show whether it was done (ending sessions, resending an activation email): a plan
    /// step of this kind whose outcome stays unknown is sent again rather than stopping the plan.
    public var repeatsSafely: Bool {
        switch self {
        case .revokeSessions, .resendActivation: true
        default: false
        }
    }

    /// What it does, in a line: "Add to group VPN Users for 1 week".
    public var summary: String {
        switch self {
        case .resetMFA: "Reset all MFA factors"
        case .resetFactor(let factor): "Reset the \(FactorName.of(type: factor.type)) factor \(factor.id)"
        case .revokeSessions(let oauth): oauth ? "Revoke all sessions and OAuth tokens" : "Revoke all sessions"
        case .addToGroup(let group, let expiry): "Add to group \(group.name)" + Self.forDuration(expiry)
        case .removeFromGroup(let group): "Remove from group \(group.name)"
        case .assignApp(let app, let expiry): "Assign app \(app.label)" + Self.forDuration(expiry)
        case .removeApp(let app): "Remove app \(app.label)"
        case .suspend: "Suspend the account"
        case .unsuspend: "Unsuspend the account"
        case .unlock: "Unlock the account"
        case .activate(let email): email ? "Activate the account and email the activation link" : "Activate the account"
        case .resendActivation: "Resend the activation email"
        case .deactivate: "Deactivate the account (deprovisions every app)"
        case .resetPassword(let email): email ? "Reset the password and email a reset link" : "Reset the password and issue a one-time link"
        case .expirePassword: "Expire the password"
        case .createUser(let profile): "Create the user \(profile.details), staged"
        }
    }

    private static func forDuration(_ expiry: AccessDuration?) -> String {
        expiry.map { " for \($0.spoken)" } ?? " (permanent)"
    }

    /// The action as canonical JSON (sorted keys): equal actions give equal text.
    public var canonicalJSON: String {
        (try? JSONEncoder.helpdesk.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? name.rawValue
    }
}

extension OktaAction: Codable {
    private enum CodingKeys: String, CodingKey {
        case name, factor, oauthTokens, group, app, expiry, sendEmail, profile
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        switch self {
        case .resetMFA, .suspend, .unsuspend, .unlock, .resendActivation, .deactivate, .expirePassword: break
        case .resetFactor(let factor): try container.encode(factor, forKey: .factor)
        case .revokeSessions(let oauth): try container.encode(oauth, forKey: .oauthTokens)
        case .addToGroup(let group, let expiry):
            try container.encode(group, forKey: .group)
            try container.encodeIfPresent(expiry, forKey: .expiry)
        case .removeFromGroup(let group): try container.encode(group, forKey: .group)
        case .assignApp(let app, let expiry):
            try container.encode(app, forKey: .app)
            try container.encodeIfPresent(expiry, forKey: .expiry)
        case .removeApp(let app): try container.encode(app, forKey: .app)
        case .activate(let email), .resetPassword(let email): try container.encode(email, forKey: .sendEmail)
        case .createUser(let profile): try container.encode(profile, forKey: .profile)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(ActionName.self, forKey: .name) {
        case .resetMFA: self = .resetMFA
        case .resetFactor: self = .resetFactor(try container.decode(FactorRef.self, forKey: .factor))
        case .revokeSessions: self = .revokeSessions(oauthTokens: try container.decodeIfPresent(Bool.self, forKey: .oauthTokens) ?? false)
        case .addToGroup: self = .addToGroup(try container.decode(GroupRef.self, forKey: .group), expiry: try container.decodeIfPresent(AccessDuration.self, forKey: .expiry))
        case .removeFromGroup: self = .removeFromGroup(try container.decode(GroupRef.self, forKey: .group))
        case .assignApp: self = .assignApp(try container.decode(AppRef.self, forKey: .app), expiry: try container.decodeIfPresent(AccessDuration.self, forKey: .expiry))
        case .removeApp: self = .removeApp(try container.decode(AppRef.self, forKey: .app))
        case .suspend: self = .suspend
        case .unsuspend: self = .unsuspend
        case .unlock: self = .unlock
        case .activate: self = .activate(sendEmail: try container.decodeIfPresent(Bool.self, forKey: .sendEmail) ?? true)
        case .resendActivation: self = .resendActivation
        case .deactivate: self = .deactivate
        case .resetPassword: self = .resetPassword(sendEmail: try container.decodeIfPresent(Bool.self, forKey: .sendEmail) ?? true)
        case .expirePassword: self = .expirePassword
        case .createUser: self = .createUser(try container.decode(NewUserProfile.self, forKey: .profile))
        }
    }
}
