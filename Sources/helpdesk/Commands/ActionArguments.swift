import Foundation
import HelpdeskCore

/// Turns `ACTION [--group NAME|ID] [--app NAME|ID] [--factor ID] [--for DURATION] …` into an
/// `OktaAction`, looking the group, app or factor up in Okta so the approval names them exactly.
struct ActionArguments {
    let invocation: Invocation
    let directory: any IdentityDirectory

    func action(userID: String) async throws -> OktaAction {
        let name = try ActionName.parse(invocation.arguments.positional(1) ?? "")
        let duration = try invocation.arguments.value("for").map { try AccessDuration(parsing: $0) }
        if duration != nil, !name.grantsAccess {
            throw CLIError.usage("--for applies to add-to-group and assign-app only", command: "act")
        }
        try refuseUnused(for: name)
        switch name {
        case .resetMFA: return .resetMFA
        case .resetFactor: return .resetFactor(try await factor(userID: userID))
        case .revokeSessions: return .revokeSessions(oauthTokens: invocation.arguments.flag("oauth-tokens"))
        case .addToGroup: return .addToGroup(try await group(), expiry: duration)
        case .removeFromGroup: return .removeFromGroup(try await group())
        case .assignApp: return .assignApp(try await app(), expiry: duration)
        case .removeApp: return .removeApp(try await app())
        case .suspend: return .suspend
        case .unsuspend: return .unsuspend
        case .unlock: return .unlock
        case .activate: return .activate(sendEmail: !invocation.arguments.flag("no-email"))
        case .deactivate: return .deactivate
        case .resetPassword: return .resetPassword(sendEmail: !invocation.arguments.flag("link"))
        case .expirePassword: return .expirePassword
        }
    }

    /// Options that mean nothing for this action are a usage error rather than silently ignored.
    private func refuseUnused(for name: ActionName) throws {
        let uses: [String: Set<ActionName>] = [
            "group": [.addToGroup, .removeFromGroup], "app": [.assignApp, .removeApp], "factor": [.resetFactor],
            "oauth-tokens": [.revokeSessions], "no-email": [.activate], "link": [.resetPassword],
        ]
        for (option, actions) in uses.sorted(by: { $0.key < $1.key }) where !actions.contains(name) {
            if invocation.arguments.value(option) != nil || invocation.arguments.flag(option) {
                throw CLIError.usage("--\(option) does not apply to \(name.rawValue)", command: "act")
            }
        }
    }

    private func group() async throws -> GroupRef {
        let text = try invocation.required("group")
        if text.hasPrefix("00g"), text.count == 20 {
            return try await directory.group(id: text).ref
        }
        let matches = try await directory.findGroups(text, limit: 20)
        if let exact = matches.first(where: { $0.name.lowercased() == text.lowercased() }) { return exact.ref }
        throw CLIError.failed("no Okta group is named \"\(TextSafety.quoted(text))\"" + Self.suggest(matches.map(\.name)))
    }

    private func app() async throws -> AppRef {
        let text = try invocation.required("app")
        if text.hasPrefix("0oa"), text.count == 20 {
            return try await directory.app(id: text).ref
        }
        let matches = try await directory.findApps(text, limit: 20)
        if let exact = matches.first(where: { $0.label.lowercased() == text.lowercased() || $0.name.lowercased() == text.lowercased() }) { return exact.ref }
        throw CLIError.failed("no Okta app is labelled \"\(TextSafety.quoted(text))\"" + Self.suggest(matches.map(\.label)))
    }

    private func factor(userID: String) async throws -> FactorRef {
        let id = try invocation.required("factor")
        let factors = try await directory.factors(ofUser: userID)
        guard let factor = factors.first(where: { $0.id == id }) else {
            let known = factors.map { "\($0.id) (\($0.type))" }.joined(separator: ", ")
            throw CLIError.failed("the requester has no factor \(TextSafety.quoted(id)); enrolled: \(known.isEmpty ? "none" : known)")
        }
        return factor.ref
    }

    private static func suggest(_ names: [String]) -> String {
        names.isEmpty ? "" : "; did you mean " + names.prefix(5).map { "\"\($0)\"" }.joined(separator: ", ") + "?"
    }
}
