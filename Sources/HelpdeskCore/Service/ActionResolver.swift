/// Turns an `ActionSpec` into the exact `OktaAction` for one user, looking groups, apps and
/// factors up in Okta, so an approval always names what Okta calls them.
public struct ActionResolver: Sendable {
    public let directory: any IdentityDirectory

    public init(directory: any IdentityDirectory) {
        self.directory = directory
    }

    /// The exact action, and the group it names as Okta just answered (so it need not be read again).
    public struct Resolution: Sendable {
        public let action: OktaAction
        public let group: DirectoryGroup?
    }

    public func resolve(_ spec: ActionSpec, userID: String) async throws -> Resolution {
        if let problem = spec.problem { throw Refusal(problem) }
        func just(_ action: OktaAction) -> Resolution { Resolution(action: action, group: nil) }
        switch spec.name {
        case .addToGroup, .removeFromGroup:
            let group = try await self.group(spec.group)
            return Resolution(action: spec.name == .addToGroup ? .addToGroup(group.ref, expiry: spec.duration) : .removeFromGroup(group.ref), group: group)
        case .resetMFA: return just(.resetMFA)
        case .resetFactor: return just(.resetFactor(try await factor(spec.factorID ?? "", userID: userID)))
        case .revokeSessions: return just(.revokeSessions(oauthTokens: spec.oauthTokens))
        case .assignApp: return just(.assignApp(try await app(spec.app), expiry: spec.duration))
        case .removeApp: return just(.removeApp(try await app(spec.app)))
        case .suspend: return just(.suspend)
        case .unsuspend: return just(.unsuspend)
        case .unlock: return just(.unlock)
        case .activate: return just(.activate(sendEmail: !spec.noEmail))
        case .resendActivation: return just(.resendActivation)
        case .deactivate: return just(.deactivate)
        case .resetPassword: return just(.resetPassword(sendEmail: !spec.oneTimeLink))
        case .expirePassword: return just(.expirePassword)
        case .createUser: throw Refusal("a user is created by a playbook (helpdesk playbooks), with the new hire's names and login")
        }
    }

    public func action(for spec: ActionSpec, userID: String) async throws -> OktaAction {
        try await resolve(spec, userID: userID).action
    }

    private func group(_ target: ActionSpec.Target?) async throws -> DirectoryGroup {
        switch target {
        case .id(let id)?:
            return try await named("group", id) { try await directory.group(id: id) }
        case .name(let text)?:
            let matches = try await directory.findGroups(text, limit: 20)
            if let exact = matches.first(where: { $0.name.lowercased() == text.lowercased() }) { return exact }
            throw Refusal("no Okta group is named \"\(TextSafety.quoted(text))\"" + Self.suggest(matches.map(\.name)))
        case nil:
            throw Refusal("name the group")
        }
    }

    private func app(_ target: ActionSpec.Target?) async throws -> AppRef {
        switch target {
        case .id(let id)?:
            return try await named("app", id) { try await directory.app(id: id).ref }
        case .name(let text)?:
            let matches = try await directory.findApps(text, limit: 20)
            let lowered = text.lowercased()
            if let exact = matches.first(where: { $0.label.lowercased() == lowered || $0.name.lowercased() == lowered }) { return exact.ref }
            throw Refusal("no Okta app is labelled \"\(TextSafety.quoted(text))\"" + Self.suggest(matches.map(\.label)))
        case nil:
            throw Refusal("name the app")
        }
    }

    /// A look-up by id; Okta's "not found" becomes a sentence naming the id.
    private func named<T>(_ what: String, _ id: String, _ lookUp: () async throws -> T) async throws -> T {
        do {
            return try await lookUp()
        } catch let error as DirectoryError where error.kind == .notFound {
            throw Refusal("Okta has no \(what) with the id \(TextSafety.quoted(id))")
        }
    }

    private func factor(_ id: String, userID: String) async throws -> FactorRef {
        let factors = try await directory.factors(ofUser: userID)
        guard let factor = factors.first(where: { $0.id == id }) else {
            let known = factors.map { "\($0.id) (\($0.type))" }.joined(separator: ", ")
            throw Refusal("the requester has no factor \(TextSafety.quoted(id)); enrolled: \(known.isEmpty ? "none" : known)")
        }
        return factor.ref
    }

    private static func suggest(_ names: [String]) -> String {
        names.isEmpty ? "" : "; did you mean " + names.prefix(5).map { "\"\(TextSafety.quoted($0))\"" }.joined(separator: ", ") + "?"
    }
}
