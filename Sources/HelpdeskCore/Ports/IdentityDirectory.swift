import Foundation

/// The identity provider (Okta) as the console needs it: look-ups for the requester's card and
/// pickers, and the actions of the side panel. Every failure is a `DirectoryError`.
public protocol IdentityDirectory: Sendable {
    /// The org, for the status line: `acme.okta.com`, or `simulated tenant`.
    var orgName: String { get }

    // Look-ups.
    func user(_ lookup: UserLookup) async throws -> DirectoryUser
    func searchUsers(_ text: String, limit: Int) async throws -> [DirectoryUser]
    func findGroups(_ prefix: String, limit: Int) async throws -> [DirectoryGroup]
    func findApps(_ prefix: String, limit: Int) async throws -> [DirectoryApp]
    func group(id: String) async throws -> DirectoryGroup
    func app(id: String) async throws -> DirectoryApp
    func groups(ofUser userID: String) async throws -> [DirectoryGroup]
    func apps(ofUser userID: String) async throws -> [DirectoryAppLink]
    func factors(ofUser userID: String) async throws -> [DirectoryFactor]
    func signIns(ofUser userID: String, limit: Int) async throws -> [SignInEvent]
    /// Whether the user has a direct assignment to the app (`getApplicationUser`; 404 is false).
    func isAssigned(userID: String, appID: String) async throws -> Bool
    /// How the user is assigned the app: `USER` (directly), `GROUP` (through a group), nil when not at all.
    func assignmentScope(userID: String, appID: String) async throws -> String?

    // Actions.
    func resetFactors(userID: String) async throws -> DirectoryReceipt
    func resetFactor(userID: String, factorID: String) async throws -> DirectoryReceipt
    func revokeSessions(userID: String, oauthTokens: Bool) async throws -> DirectoryReceipt
    /// The add alone: it leaves the same state whether or not the user was already a member
    /// (temporary access checks that before its run is written: `ActionEngine.alreadyHeld`).
    func addToGroup(userID: String, groupID: String) async throws -> DirectoryReceipt
    func removeFromGroup(userID: String, groupID: String) async throws -> DirectoryReceipt
    func assignApp(userID: String, appID: String) async throws -> DirectoryReceipt
    func removeApp(userID: String, appID: String) async throws -> DirectoryReceipt
    func suspend(userID: String) async throws -> DirectoryReceipt
    func unsuspend(userID: String) async throws -> DirectoryReceipt
    func unlock(userID: String) async throws -> DirectoryReceipt
    func activate(userID: String, sendEmail: Bool) async throws -> DirectoryReceipt
    /// Restarts an unfinished activation (PROVISIONED) and emails the user a new link.
    func reactivate(userID: String) async throws -> DirectoryReceipt
    func deactivate(userID: String) async throws -> DirectoryReceipt
    func resetPassword(userID: String, sendEmail: Bool) async throws -> DirectoryReceipt
    func expirePassword(userID: String) async throws -> DirectoryReceipt
    /// Creates the user STAGED (`activate=false`); the receipt names the new user's id.
    func createUser(_ profile: NewUserProfile) async throws -> DirectoryReceipt
}

extension IdentityDirectory {
    /// Runs one action on a user.
    public func perform(_ action: OktaAction, on userID: String) async throws -> DirectoryReceipt {
        switch action {
        case .resetMFA: try await resetFactors(userID: userID)
        case .resetFactor(let factor): try await resetFactor(userID: userID, factorID: factor.id)
        case .revokeSessions(let oauth): try await revokeSessions(userID: userID, oauthTokens: oauth)
        case .addToGroup(let group, _): try await addToGroup(userID: userID, groupID: group.id)
        case .removeFromGroup(let group): try await removeFromGroup(userID: userID, groupID: group.id)
        case .assignApp(let app, _): try await assignApp(userID: userID, appID: app.id)
        case .removeApp(let app): try await removeApp(userID: userID, appID: app.id)
        case .suspend: try await suspend(userID: userID)
        case .unsuspend: try await unsuspend(userID: userID)
        case .unlock: try await unlock(userID: userID)
        case .activate(let email): try await activate(userID: userID, sendEmail: email)
        case .resendActivation: try await reactivate(userID: userID)
        case .deactivate: try await deactivate(userID: userID)
        case .resetPassword(let email): try await resetPassword(userID: userID, sendEmail: email)
        case .expirePassword: try await expirePassword(userID: userID)
        case .createUser(let profile): try await createUser(profile)
        }
    }
}
