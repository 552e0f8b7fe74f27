/// An agent's ask for an Okta action on a request's requester, before the service has looked
/// its target up: groups and apps by id or by name, a factor by id. The service resolves it
/// against Okta, so the approval names exactly what Okta calls the group or app, whatever the
/// client sent.
public struct ActionAsk: Sendable, Equatable, Codable {
    public let requestID: RequestID
    public let spec: ActionSpec
    public let reason: String
    /// The Okta user id of the account the agent saw and confirmed, when they saw one: the
    /// service refuses the ask if the requester's email now finds another account (or several).
    public let confirmedUserID: String?

    public init(requestID: RequestID, spec: ActionSpec, reason: String, confirmedUserID: String? = nil) {
        self.requestID = requestID
        self.spec = spec
        self.reason = reason
        self.confirmedUserID = confirmedUserID
    }
}

/// An action by name with the parameters the command line and the side panel can give.
public struct ActionSpec: Sendable, Equatable, Codable {
    /// A group or app as typed (`VPN Users`) or as picked (its Okta id).
    public enum Target: Sendable, Equatable, Codable {
        case id(String)
        case name(String)

        /// An Okta id when the text looks like one of `prefix` (`00g…`, `0oa…`: 20 characters), else a name.
        public static func parse(_ text: String, idPrefix: String) -> Target {
            text.hasPrefix(idPrefix) && text.count == 20 ? .id(text) : .name(text)
        }
    }

    public let name: ActionName
    public var group: Target?
    public var app: Target?
    public var factorID: String?
    public var duration: AccessDuration?
    /// revoke-sessions: revoke OAuth tokens too.
    public var oauthTokens = false
    /// activate: without the activation email.
    public var noEmail = false
    /// reset-password: a one-time link instead of an email to the user.
    public var oneTimeLink = false

    public init(_ name: ActionName, group: Target? = nil, app: Target? = nil, factorID: String? = nil, duration: AccessDuration? = nil,
                oauthTokens: Bool = false, noEmail: Bool = false, oneTimeLink: Bool = false) {
        self.name = name
        self.group = group
        self.app = app
        self.factorID = factorID
        self.duration = duration
        self.oauthTokens = oauthTokens
        self.noEmail = noEmail
        self.oneTimeLink = oneTimeLink
    }

    private enum Keys: String, CodingKey { case name, group, app, factorID, duration, oauthTokens, noEmail, oneTimeLink }

    /// Flags a client leaves out are off.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        self.init(
            try container.decode(ActionName.self, forKey: .name), group: try container.decodeIfPresent(Target.self, forKey: .group),
            app: try container.decodeIfPresent(Target.self, forKey: .app), factorID: try container.decodeIfPresent(String.self, forKey: .factorID),
            duration: try container.decodeIfPresent(AccessDuration.self, forKey: .duration),
            oauthTokens: try container.decodeIfPresent(Bool.self, forKey: .oauthTokens) ?? false,
            noEmail: try container.decodeIfPresent(Bool.self, forKey: .noEmail) ?? false,
            oneTimeLink: try container.decodeIfPresent(Bool.self, forKey: .oneTimeLink) ?? false)
    }

    /// The spec of an exact action, naming its group, app or factor by id.
    public init(_ action: OktaAction) {
        self.init(action.name)
        switch action {
        case .resetFactor(let factor): factorID = factor.id
        case .revokeSessions(let oauth): oauthTokens = oauth
        case .addToGroup(let group, let expiry):
            self.group = .id(group.id)
            duration = expiry
        case .removeFromGroup(let group): self.group = .id(group.id)
        case .assignApp(let app, let expiry):
            self.app = .id(app.id)
            duration = expiry
        case .removeApp(let app): self.app = .id(app.id)
        case .activate(let email): noEmail = !email
        case .resetPassword(let email): oneTimeLink = !email
        case .resetMFA, .suspend, .unsuspend, .unlock, .resendActivation, .deactivate, .expirePassword, .createUser: break
        }
    }

    /// A parameter that means nothing for this action, or a missing one, named in a sentence.
    public var problem: String? {
        if duration != nil, !name.grantsAccess { return "--for applies to add-to-group and assign-app only" }
        let uses: [(String, Bool, Set<ActionName>)] = [
            ("group", group != nil, [.addToGroup, .removeFromGroup]), ("app", app != nil, [.assignApp, .removeApp]),
            ("factor", factorID != nil, [.resetFactor]), ("oauth-tokens", oauthTokens, [.revokeSessions]),
            ("no-email", noEmail, [.activate]), ("link", oneTimeLink, [.resetPassword]),
        ]
        for (option, given, actions) in uses where given && !actions.contains(name) {
            return "--\(option) does not apply to \(name.rawValue)"
        }
        for (option, given, actions) in uses where !given && actions.contains(name) && ["group", "app", "factor"].contains(option) {
            return "\(name.rawValue) needs --\(option) (which \(option))"
        }
        return nil
    }
}
