import Foundation
import HelpdeskCore
import Synchronization

/// Wraps a directory and counts every action call, including ones that changed nothing.
public final class CountingDirectory: ForwardingDirectory, @unchecked Sendable {
    // The call list is behind a lock; the wrapped directory never changes.
    private let calls = Mutex<[String]>([])

    /// "remove-from-group 00u…" for every action call, in order.
    public var actionCalls: [String] { calls.withLock { $0 } }

    private func count(_ name: ActionName, _ userID: String) { calls.withLock { $0.append("\(name.rawValue) \(userID)") } }

    override public func resetFactors(userID: String) async throws -> DirectoryReceipt { count(.resetMFA, userID); return try await inner.resetFactors(userID: userID) }
    override public func resetFactor(userID: String, factorID: String) async throws -> DirectoryReceipt { count(.resetFactor, userID); return try await inner.resetFactor(userID: userID, factorID: factorID) }
    override public func revokeSessions(userID: String, oauthTokens: Bool) async throws -> DirectoryReceipt { count(.revokeSessions, userID); return try await inner.revokeSessions(userID: userID, oauthTokens: oauthTokens) }
    override public func addToGroup(userID: String, groupID: String) async throws -> DirectoryReceipt { count(.addToGroup, userID); return try await inner.addToGroup(userID: userID, groupID: groupID) }
    override public func removeFromGroup(userID: String, groupID: String) async throws -> DirectoryReceipt { count(.removeFromGroup, userID); return try await inner.removeFromGroup(userID: userID, groupID: groupID) }
    override public func assignApp(userID: String, appID: String) async throws -> DirectoryReceipt { count(.assignApp, userID); return try await inner.assignApp(userID: userID, appID: appID) }
    override public func removeApp(userID: String, appID: String) async throws -> DirectoryReceipt { count(.removeApp, userID); return try await inner.removeApp(userID: userID, appID: appID) }
    override public func suspend(userID: String) async throws -> DirectoryReceipt { count(.suspend, userID); return try await inner.suspend(userID: userID) }
    override public func unsuspend(userID: String) async throws -> DirectoryReceipt { count(.unsuspend, userID); return try await inner.unsuspend(userID: userID) }
    override public func unlock(userID: String) async throws -> DirectoryReceipt { count(.unlock, userID); return try await inner.unlock(userID: userID) }
    override public func activate(userID: String, sendEmail: Bool) async throws -> DirectoryReceipt { count(.activate, userID); return try await inner.activate(userID: userID, sendEmail: sendEmail) }
    override public func reactivate(userID: String) async throws -> DirectoryReceipt { count(.resendActivation, userID); return try await inner.reactivate(userID: userID) }
    override public func deactivate(userID: String) async throws -> DirectoryReceipt { count(.deactivate, userID); return try await inner.deactivate(userID: userID) }
    override public func resetPassword(userID: String, sendEmail: Bool) async throws -> DirectoryReceipt { count(.resetPassword, userID); return try await inner.resetPassword(userID: userID, sendEmail: sendEmail) }
    override public func createUser(_ profile: NewUserProfile) async throws -> DirectoryReceipt { count(.createUser, profile.login); return try await inner.createUser(profile) }
    override public func expirePassword(userID: String) async throws -> DirectoryReceipt { count(.expirePassword, userID); return try await inner.expirePassword(userID: userID) }
}

/// Passes every call to another directory; tests subclass it to change one call.
open class ForwardingDirectory: IdentityDirectory, @unchecked Sendable {
    // Only the wrapped directory is stored, and it never changes; subclasses keep their own state Sendable.
    public let inner: any IdentityDirectory

    public init(_ inner: any IdentityDirectory) {
        self.inner = inner
    }

    open var orgName: String { inner.orgName }
    open func user(_ lookup: UserLookup) async throws -> DirectoryUser { try await inner.user(lookup) }
    open func searchUsers(_ text: String, limit: Int) async throws -> [DirectoryUser] { try await inner.searchUsers(text, limit: limit) }
    open func findGroups(_ prefix: String, limit: Int) async throws -> [DirectoryGroup] { try await inner.findGroups(prefix, limit: limit) }
    open func findApps(_ prefix: String, limit: Int) async throws -> [DirectoryApp] { try await inner.findApps(prefix, limit: limit) }
    open func group(id: String) async throws -> DirectoryGroup { try await inner.group(id: id) }
    open func app(id: String) async throws -> DirectoryApp { try await inner.app(id: id) }
    open func groups(ofUser userID: String) async throws -> [DirectoryGroup] { try await inner.groups(ofUser: userID) }
    open func apps(ofUser userID: String) async throws -> [DirectoryAppLink] { try await inner.apps(ofUser: userID) }
    open func factors(ofUser userID: String) async throws -> [DirectoryFactor] { try await inner.factors(ofUser: userID) }
    open func signIns(ofUser userID: String, limit: Int) async throws -> [SignInEvent] { try await inner.signIns(ofUser: userID, limit: limit) }
    open func isAssigned(userID: String, appID: String) async throws -> Bool { try await inner.isAssigned(userID: userID, appID: appID) }
    open func assignmentScope(userID: String, appID: String) async throws -> String? { try await inner.assignmentScope(userID: userID, appID: appID) }
    open func resetFactors(userID: String) async throws -> DirectoryReceipt { try await inner.resetFactors(userID: userID) }
    open func resetFactor(userID: String, factorID: String) async throws -> DirectoryReceipt { try await inner.resetFactor(userID: userID, factorID: factorID) }
    open func revokeSessions(userID: String, oauthTokens: Bool) async throws -> DirectoryReceipt { try await inner.revokeSessions(userID: userID, oauthTokens: oauthTokens) }
    open func addToGroup(userID: String, groupID: String) async throws -> DirectoryReceipt { try await inner.addToGroup(userID: userID, groupID: groupID) }
    open func removeFromGroup(userID: String, groupID: String) async throws -> DirectoryReceipt { try await inner.removeFromGroup(userID: userID, groupID: groupID) }
    open func assignApp(userID: String, appID: String) async throws -> DirectoryReceipt { try await inner.assignApp(userID: userID, appID: appID) }
    open func removeApp(userID: String, appID: String) async throws -> DirectoryReceipt { try await inner.removeApp(userID: userID, appID: appID) }
    open func suspend(userID: String) async throws -> DirectoryReceipt { try await inner.suspend(userID: userID) }
    open func unsuspend(userID: String) async throws -> DirectoryReceipt { try await inner.unsuspend(userID: userID) }
    open func unlock(userID: String) async throws -> DirectoryReceipt { try await inner.unlock(userID: userID) }
    open func activate(userID: String, sendEmail: Bool) async throws -> DirectoryReceipt { try await inner.activate(userID: userID, sendEmail: sendEmail) }
    open func reactivate(userID: String) async throws -> DirectoryReceipt { try await inner.reactivate(userID: userID) }
    open func deactivate(userID: String) async throws -> DirectoryReceipt { try await inner.deactivate(userID: userID) }
    open func resetPassword(userID: String, sendEmail: Bool) async throws -> DirectoryReceipt { try await inner.resetPassword(userID: userID, sendEmail: sendEmail) }
    open func expirePassword(userID: String) async throws -> DirectoryReceipt { try await inner.expirePassword(userID: userID) }
    open func createUser(_ profile: NewUserProfile) async throws -> DirectoryReceipt { try await inner.createUser(profile) }
}
