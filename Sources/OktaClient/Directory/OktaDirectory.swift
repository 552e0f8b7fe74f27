import Foundation
import HelpdeskCore

/// `IdentityDirectory` over Okta's Management API.
public final class OktaDirectory: IdentityDirectory {
    let client: OktaHTTPClient
    private let clock: any Clock
    /// Groups and apps by id, kept ten minutes: a group's type never changes and names rarely do,
    /// and each membership or assignment checks one. Forgotten when Okta says one is gone.
    private let groupCache: LookupCache<DirectoryGroup>
    private let appCache: LookupCache<DirectoryApp>
    private let emailSearches: EmailSearches

    public convenience init(client: OktaHTTPClient, clock: any Clock = SystemClock()) {
        self.init(client: client, clock: clock, searchPatience: EmailSearches.patience)
    }

    /// `searchPatience`: how long look-ups by email wait behind a search on its way (`EmailSearches`).
    init(client: OktaHTTPClient, clock: any Clock, searchPatience: Duration) {
        self.client = client
        self.clock = clock
        groupCache = LookupCache(clock: clock, lifetime: 600)
        appCache = LookupCache(clock: clock, lifetime: 600)
        emailSearches = EmailSearches(client: client, patience: searchPatience)
    }

    public var orgName: String { client.settings.org.host }

    // MARK: Look-ups

    public func user(_ lookup: UserLookup) async throws -> DirectoryUser {
        switch lookup {
        case .id(let id): return try await getUser(id, subject: "user \(id)")
        case .login(let login): return try await getUser(login, subject: "user \(login)")
        case .email(let email):
            // Only a user whose profile email is this one: GET /users/{x} would also match a login
            // or a login's short name, which can be someone else's email.
            // Searches that overlap go to Okta as one (`EmailSearches`).
            let matches = try await emailSearches.users(withEmail: email)
            guard let only = matches.first else {
                throw DirectoryError(kind: .notFound, httpStatus: 404, subject: "user \(email)")
            }
            guard matches.count == 1 else { throw UserLookup.shared(email, logins: matches.map(\.profile.login)) }
            let user = try await getUser(only.id, subject: "user \(email)")
            guard user.id == only.id, email.matches(user.email) else {
                throw DirectoryError(kind: .invalid, summary: "Okta answered a look-up of \(email) with another user; nothing was done", subject: "user \(email)")
            }
            return user
        }
    }

    private func getUser(_ idOrLogin: String, subject: String) async throws(DirectoryError) -> DirectoryUser {
        let call = OktaCall(.getUser, [idOrLogin], subject: subject)
        return try client.decode(OktaModels.User.self, from: try await client.send(call), subject: subject).domain()
    }

    public func searchUsers(_ text: String, limit: Int) async throws -> [DirectoryUser] {
        let call = OktaCall(.listUsers, query: [("q", text), ("limit", String(limit))], subject: "users")
        return try client.decode([OktaModels.User].self, from: try await client.send(call), subject: call.subject).map { user throws(DirectoryError) in try user.domain() }
    }

    public func findGroups(_ prefix: String, limit: Int) async throws -> [DirectoryGroup] {
        let call = OktaCall(.listGroups, query: [("q", prefix), ("limit", String(limit))], subject: "groups")
        return try client.decode([OktaModels.Group].self, from: try await client.send(call), subject: call.subject).map(\.domain)
    }

    public func findApps(_ prefix: String, limit: Int) async throws -> [DirectoryApp] {
        let call = OktaCall(.listApplications, query: [("q", prefix), ("limit", String(limit))], subject: "apps")
        return try client.decode([OktaModels.Application].self, from: try await client.send(call), subject: call.subject).map(\.domain)
    }

    public func group(id: String) async throws -> DirectoryGroup {
        try await groupCache.value(for: id) { [client] in
            let call = OktaCall(.getGroup, [id], subject: "group \(id)")
            return try client.decode(OktaModels.Group.self, from: try await client.send(call), subject: call.subject).domain
        }
    }

    public func app(id: String) async throws -> DirectoryApp {
        try await appCache.value(for: id) { [client] in
            let call = OktaCall(.getApplication, [id], subject: "app \(id)")
            return try client.decode(OktaModels.Application.self, from: try await client.send(call), subject: call.subject).domain
        }
    }

    /// Runs an action on a kept group or app; when Okta answers that it is not found, it is
    /// forgotten, so the next look-up reads it again instead of trusting the kept one.
    private func forgetting<T>(_ cache: LookupCache<some Sendable>, _ id: String, _ action: () async throws -> T) async throws -> T {
        do {
            return try await action()
        } catch let error as DirectoryError where error.kind == .notFound {
            await cache.forget(id)
            throw error
        }
    }

    public func groups(ofUser userID: String) async throws -> [DirectoryGroup] {
        let call = OktaCall(.listUserGroups, [userID], subject: "user \(userID)")
        return try await all(OktaModels.Group.self, call).map(\.domain)
    }

    public func apps(ofUser userID: String) async throws -> [DirectoryAppLink] {
        let call = OktaCall(.listAppLinks, [userID], subject: "user \(userID)")
        return try await all(OktaModels.AppLink.self, call).map(\.domain)
    }

    public func factors(ofUser userID: String) async throws -> [DirectoryFactor] {
        let call = OktaCall(.listFactors, [userID], subject: "user \(userID)")
        return try await all(OktaModels.Factor.self, call).map(\.domain)
    }

    public func signIns(ofUser userID: String, limit: Int) async throws -> [SignInEvent] {
        let since = Timestamp.iso8601(clock.now().addingTimeInterval(-30 * 86_400))
        let call = OktaCall(.listLogEvents, query: [
            ("filter", "eventType eq \"user.session.start\" and actor.id eq \"\(userID)\""), ("since", since),
            ("sortOrder", "DESCENDING"), ("limit", String(limit)),
        ], subject: "sign-ins of \(userID)")
        return try client.decode([OktaModels.LogEvent].self, from: try await client.send(call), subject: call.subject).map(\.domain)
    }

    /// Every page of a list, following `Link: <…>; rel="next"` when Okta sends one.
    private func all<T: Decodable>(_ type: T.Type, _ call: OktaCall) async throws(DirectoryError) -> [T] {
        var items: [T] = []
        for answer in try await client.sendAll(call) {
            items += try client.decode([T].self, from: answer, subject: call.subject)
        }
        return items
    }

    public func isAssigned(userID: String, appID: String) async throws -> Bool {
        try await appUser(userID: userID, appID: appID) != nil
    }

    public func assignmentScope(userID: String, appID: String) async throws -> String? {
        guard let assignment = try await appUser(userID: userID, appID: appID) else { return nil }
        return assignment.scope ?? "USER"
    }

    private func appUser(userID: String, appID: String) async throws(DirectoryError) -> OktaModels.AppUser? {
        let call = OktaCall(.getApplicationUser, [appID, userID], subject: "app \(appID)")
        guard let answer = try await client.sendUnlessNotFound(call) else { return nil }
        return try client.decode(OktaModels.AppUser.self, from: answer, subject: call.subject)
    }

    // MARK: Actions

    public func resetFactors(userID: String) async throws -> DirectoryReceipt {
        let enrolled = try await factors(ofUser: userID)
        guard !enrolled.isEmpty else {
            return DirectoryReceipt(requestID: nil, summary: "no MFA factors were enrolled; nothing to reset", alreadyDone: true)
        }
        let answer = try await client.send(OktaCall(.resetFactors, [userID], subject: "user \(userID)"))
        return DirectoryReceipt(requestID: answer.requestID, summary: "reset \(enrolled.count) factor\(enrolled.count == 1 ? "" : "s")")
    }

    public func resetFactor(userID: String, factorID: String) async throws -> DirectoryReceipt {
        guard let answer = try await client.sendUnlessNotFound(OktaCall(.unenrollFactor, [userID, factorID], subject: "factor \(factorID)")) else {
            let enrolled: [DirectoryFactor]
            do {
                enrolled = try await factors(ofUser: userID)
            } catch let error as DirectoryError where error.kind == .notFound {
                return DirectoryReceipt(requestID: nil, summary: "factor \(factorID) was already removed: the user is no longer in Okta", alreadyDone: true)
            }
            guard enrolled.contains(where: { $0.id == factorID }) else {
                return DirectoryReceipt(requestID: nil, summary: "factor \(factorID) was already removed", alreadyDone: true)
            }
            throw Self.notFoundButListed("factor \(factorID)", still: "the factor")
        }
        return DirectoryReceipt(requestID: answer.requestID, summary: "reset factor \(factorID)")
    }

    public func revokeSessions(userID: String, oauthTokens: Bool) async throws -> DirectoryReceipt {
        let call = OktaCall(.revokeUserSessions, [userID], query: [("oauthTokens", oauthTokens ? "true" : "false")], subject: "user \(userID)")
        let answer = try await client.send(call)
        return DirectoryReceipt(requestID: answer.requestID, summary: oauthTokens ? "ended all sessions and revoked OAuth tokens" : "ended all sessions")
    }

    public func addToGroup(userID: String, groupID: String) async throws -> DirectoryReceipt {
        let group = try await changeableGroup(groupID)
        let answer = try await forgetting(groupCache, groupID) { try await client.send(OktaCall(.assignUserToGroup, [groupID, userID], subject: "group \(group.name)")) }
        // Okta answers the same whether or not the user was already a member.
        return DirectoryReceipt(requestID: answer.requestID, summary: "now a member of \(group.name)")
    }

    public func removeFromGroup(userID: String, groupID: String) async throws -> DirectoryReceipt {
        let group = try await changeableGroup(groupID)
        guard try await groups(ofUser: userID).contains(where: { $0.id == groupID }) else {
            return DirectoryReceipt(requestID: nil, summary: "already removed from \(group.name)", alreadyDone: true)
        }
        guard let answer = try await client.sendUnlessNotFound(OktaCall(.unassignUserFromGroup, [groupID, userID], subject: "group \(group.name)")) else {
            // Okta says there is no such membership; its own list is asked before that is taken for done.
            guard try await groups(ofUser: userID).contains(where: { $0.id == groupID }) else {
                return DirectoryReceipt(requestID: nil, summary: "already removed from \(group.name)", alreadyDone: true)
            }
            throw Self.notFoundButListed("group \(group.name)", still: "the membership")
        }
        return DirectoryReceipt(requestID: answer.requestID, summary: "removed from \(group.name)")
    }

    /// The group, if its memberships can be changed here; otherwise a `.notAllowed` with the reason.
    private func changeableGroup(_ groupID: String) async throws -> DirectoryGroup {
        let group = try await group(id: groupID)
        if let reason = group.type.whyNotChangeable {
            throw DirectoryError(kind: .notAllowed, summary: "\(group.name) is a \(group.type.rawValue) group and cannot be changed here: \(reason)", subject: "group \(group.name)")
        }
        return group
    }

    public func assignApp(userID: String, appID: String) async throws -> DirectoryReceipt {
        let app = try await app(id: appID)
        if try await appUser(userID: userID, appID: appID) != nil {
            return DirectoryReceipt(requestID: nil, summary: "already assigned \(app.label)", alreadyDone: true)
        }
        let body = try? JSONSerialization.data(withJSONObject: ["id": userID, "scope": "USER"], options: [.sortedKeys])
        let answer = try await forgetting(appCache, appID) { try await client.send(OktaCall(.assignUserToApplication, [appID], body: body, subject: "app \(app.label)")) }
        return DirectoryReceipt(requestID: answer.requestID, summary: "assigned \(app.label)")
    }

    public func removeApp(userID: String, appID: String) async throws -> DirectoryReceipt {
        let app = try await app(id: appID)
        guard let assignment = try await appUser(userID: userID, appID: appID) else {
            return DirectoryReceipt(requestID: nil, summary: "already removed from \(app.label)", alreadyDone: true)
        }
        if assignment.scope == "GROUP" {
            throw DirectoryError(kind: .notAllowed, summary: "\(app.label) is assigned through a group; remove the group membership instead", subject: "app \(app.label)")
        }
        guard let answer = try await client.sendUnlessNotFound(OktaCall(.unassignUserFromApplication, [appID, userID], subject: "app \(app.label)")) else {
            guard try await appUser(userID: userID, appID: appID) == nil else { throw Self.notFoundButListed("app \(app.label)", still: "the assignment") }
            return DirectoryReceipt(requestID: nil, summary: "already removed from \(app.label)", alreadyDone: true)
        }
        return DirectoryReceipt(requestID: answer.requestID, summary: "removed \(app.label)")
    }

    /// Okta answered a removal "not found" and still lists what it was to remove (a membership, an
    /// assignment, a factor): nothing is taken for done.
    private static func notFoundButListed(_ subject: String, still listed: String) -> DirectoryError {
        DirectoryError(kind: .invalid, summary: "Okta answered the removal with \"not found\" but still lists \(listed); it is not taken for removed",
                       subject: subject)
    }

    public func suspend(userID: String) async throws -> DirectoryReceipt {
        try await lifecycle(.suspendUser, userID, "suspended the account")
    }

    public func unsuspend(userID: String) async throws -> DirectoryReceipt {
        try await lifecycle(.unsuspendUser, userID, "unsuspended the account")
    }

    public func unlock(userID: String) async throws -> DirectoryReceipt {
        try await lifecycle(.unlockUser, userID, "unlocked the account")
    }

    public func activate(userID: String, sendEmail: Bool) async throws -> DirectoryReceipt {
        let call = OktaCall(.activateUser, [userID], query: [("sendEmail", sendEmail ? "true" : "false")], subject: "user \(userID)")
        let answer = try await client.send(call)
        return DirectoryReceipt(requestID: answer.requestID, summary: sendEmail ? "activated; activation email sent" : "activated")
    }

    public func reactivate(userID: String) async throws -> DirectoryReceipt {
        let call = OktaCall(.reactivateUser, [userID], query: [("sendEmail", "true")], subject: "user \(userID)")
        let answer = try await client.send(call)
        return DirectoryReceipt(requestID: answer.requestID, summary: "activation email sent again")
    }

    public func deactivate(userID: String) async throws -> DirectoryReceipt {
        try await lifecycle(.deactivateUser, userID, "deactivated the account")
    }

    public func resetPassword(userID: String, sendEmail: Bool) async throws -> DirectoryReceipt {
        let call = OktaCall(.resetPassword, [userID], query: [("sendEmail", sendEmail ? "true" : "false")], subject: "user \(userID)")
        let answer = try await client.send(call)
        if sendEmail {
            return DirectoryReceipt(requestID: answer.requestID, summary: "reset the password; reset link emailed to the user")
        }
        // Okta did it (it answered 2xx): an unreadable body loses the link, not the fact.
        guard let link = (try? client.decode(OktaModels.ResetPasswordToken.self, from: answer, subject: call.subject))?.resetPasswordUrl, !link.isEmpty else {
            return DirectoryReceipt(requestID: answer.requestID, summary: "reset the password; Okta's answer held no readable one-time link — reset again to get one")
        }
        return DirectoryReceipt(requestID: answer.requestID, summary: "reset the password; one-time link issued (shown once, not stored)", oneTimeLink: link)
    }

    public func expirePassword(userID: String) async throws -> DirectoryReceipt {
        try await lifecycle(.expirePassword, userID, "expired the password")
    }

    public func createUser(_ profile: NewUserProfile) async throws -> DirectoryReceipt {
        var fields: [String: String] = ["firstName": profile.firstName, "lastName": profile.lastName, "email": profile.email.value, "login": profile.login]
        fields["managerId"] = profile.managerID
        fields["department"] = profile.department
        let body = try? JSONSerialization.data(withJSONObject: ["profile": fields], options: [.sortedKeys])
        let call = OktaCall(.createUser, query: [("activate", "false")], body: body, subject: "user \(profile.login)")
        let answer = try await client.send(call)
        // Okta created it (it answered 2xx): an unreadable body loses the id, not the fact.
        let id = (try? client.decode(OktaModels.User.self, from: answer, subject: call.subject))?.id ?? "id not readable"
        return DirectoryReceipt(requestID: answer.requestID, summary: "created \(profile.login) (\(id)), staged")
    }

    private func lifecycle(_ endpoint: Endpoint, _ userID: String, _ summary: String) async throws(DirectoryError) -> DirectoryReceipt {
        let answer = try await client.send(OktaCall(endpoint, [userID], subject: "user \(userID)"))
        return DirectoryReceipt(requestID: answer.requestID, summary: summary)
    }
}
