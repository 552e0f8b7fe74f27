import Foundation
import HelpdeskCore

/// An Okta org in memory, behind the same port as the real client: the demo runs on it and
/// tests use it as a fast fake. It applies Okta's status rules and group-type rules, answers
/// with the same kinds of error, can be slowed down, and can be told to fail.
public actor SimulatedTenant: IdentityDirectory {
    public nonisolated let orgName: String

    private var users: [String: DirectoryUser] = [:]
    private var groups: [String: DirectoryGroup] = [:]
    private var apps: [String: DirectoryApp] = [:]
    private var memberships: [String: Set<String>] = [:]
    /// userID → appID → scope (`USER` or `GROUP`).
    private var assignments: [String: [String: String]] = [:]
    private var factors: [String: [DirectoryFactor]] = [:]
    private var signIns: [String: [SignInEvent]] = [:]
    private var requestCounter = 0
    private var latency: TimeInterval = 0
    private var faults: [Fault] = []
    /// Stamps status changes, as Okta's `statusChanged`.
    private let clock: any Clock
    /// Every action that changed something, in order: "suspend 00u…".
    public private(set) var actionLog: [String] = []

    /// A planned failure of the next matching action.
    public struct Fault: Sendable {
        public let action: ActionName?
        public let error: DirectoryError
        /// Apply the change, then fail: Okta did it but the answer was lost.
        public let afterApplying: Bool
    }

    /// Sign-ins and last logins are seeded relative to the clock's time now.
    public init(seed: TenantSeed = .demo(), clock: any Clock = SystemClock(), latency: TimeInterval = 0) {
        orgName = "\(seed.org) (simulated)"
        self.latency = latency
        self.clock = clock
        let now = clock.now()
        let idsByLogin = Dictionary(seed.users.map { ($0.login, $0.id) }, uniquingKeysWith: { first, _ in first })
        let groupIDs = Dictionary(seed.groups.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
        let appIDs = Dictionary(seed.apps.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
        for group in seed.groups {
            groups[group.id] = DirectoryGroup(id: group.id, name: group.name, description: group.description, type: GroupType(oktaValue: group.type))
        }
        for app in seed.apps {
            apps[app.id] = DirectoryApp(id: app.id, name: app.name, label: app.label, signOnMode: app.signOnMode)
        }
        for user in seed.users {
            users[user.id] = DirectoryUser(
                id: user.id, login: user.login, email: user.email, firstName: user.firstName, lastName: user.lastName, status: user.status,
                title: user.title, department: user.department, managerID: user.manager.flatMap { idsByLogin[$0] },
                lastLogin: user.lastLoginMinutesAgo.map { now.addingTimeInterval(-Double($0) * 60) },
                credentialProvider: user.credentialProvider)
            memberships[user.id] = Set(user.groups.compactMap { groupIDs[$0] })
            assignments[user.id] = Dictionary(user.apps.compactMap { appIDs[$0].map { ($0, "USER") } }, uniquingKeysWith: { first, _ in first })
            factors[user.id] = user.factors.map { DirectoryFactor(id: $0.id, type: $0.type, provider: $0.provider, status: "ACTIVE", detail: $0.detail) }
            signIns[user.id] = user.signIns.map {
                SignInEvent(at: now.addingTimeInterval(-Double($0.minutesAgo) * 60), result: $0.result, reason: $0.reason, ipAddress: $0.ip,
                            city: $0.city, country: $0.country, browser: $0.browser, os: $0.os)
            }
        }
    }

    // MARK: Test and demo controls

    public func setLatency(_ seconds: TimeInterval) { latency = seconds }

    /// The next action named `action` (or any action) fails with `error`; with `afterApplying`, it takes effect first.
    public func failNext(_ action: ActionName?, with error: DirectoryError, afterApplying: Bool = false) {
        faults.append(Fault(action: action, error: error, afterApplying: afterApplying))
    }

    /// Adds a user (tests).
    public func add(_ user: DirectoryUser, groups groupIDs: Set<String> = [], factors userFactors: [DirectoryFactor] = []) {
        users[user.id] = user
        memberships[user.id] = groupIDs
        assignments[user.id] = [:]
        factors[user.id] = userFactors
        signIns[user.id] = []
    }

    /// Adds a group (tests).
    public func add(group: DirectoryGroup) { groups[group.id] = group }

    /// Adds an app (tests and benchmarks).
    public func add(app: DirectoryApp) { apps[app.id] = app }

    /// The person uses a reset link or changes an expired password: the account is active again (tests).
    public func personSetsNewPassword(userID: String) {
        setStatus(userID, .active)
        guard let user = users[userID] else { return }
        users[userID] = DirectoryUser(
            id: user.id, login: user.login, email: user.email, firstName: user.firstName, lastName: user.lastName, status: user.status,
            title: user.title, department: user.department, managerID: user.managerID, lastLogin: user.lastLogin,
            passwordChanged: clock.now(), statusChanged: user.statusChanged, credentialProvider: user.credentialProvider)
    }

    /// The person enrolls a factor, stamped now (tests).
    public func personEnrolls(factorID: String, type: String, userID: String) {
        factors[userID, default: []].append(DirectoryFactor(id: factorID, type: type, provider: "OKTA", status: "ACTIVE", created: clock.now()))
    }

    /// Assigns an app through a group (tests of group-scoped assignments).
    public func assignThroughGroup(userID: String, appID: String) { assignments[userID, default: [:]][appID] = "GROUP" }

    /// How many changing actions ran, optionally of one kind.
    public func actionCount(_ action: ActionName? = nil) -> Int {
        guard let action else { return actionLog.count }
        return actionLog.filter { $0.hasPrefix(action.rawValue + " ") }.count
    }

    // MARK: Look-ups

    public func user(_ lookup: UserLookup) async throws -> DirectoryUser {
        try await pause()
        let found: DirectoryUser?
        switch lookup {
        case .id(let id): found = user(idOrLogin: id)
        case .login(let login): found = users.values.first { $0.login.lowercased() == login.lowercased() }
        case .email(let email):
            let matches = users(withEmail: email)
            if matches.count > 1 { throw UserLookup.shared(email, logins: matches.map(\.login)) }
            found = matches.first
        }
        guard let user = found else { throw notFound("user", lookup.description) }
        return withLinks(user)
    }

    /// Every user whose profile email is `email`, in any case (Okta's `search=profile.email eq`).
    public func users(withEmail email: EmailAddress) -> [DirectoryUser] {
        users.values.filter { email.matches($0.email) }.sorted { $0.id < $1.id }.map(withLinks)
    }

    /// The user `GET /users/{x}` finds: by id, login, or the login's short name (before the @), as Okta does.
    public func user(idOrLogin text: String) -> DirectoryUser? {
        let lowered = text.lowercased()
        let found = users[text] ?? users.values.first { $0.login.lowercased() == lowered }
            ?? users.values.first { $0.login.lowercased().split(separator: "@").first.map(String.init) == lowered }
        return found.map(withLinks)
    }

    public func searchUsers(_ text: String, limit: Int) async throws -> [DirectoryUser] {
        try await pause()
        let prefix = text.lowercased()
        return users.values
            .filter { $0.status != .deprovisioned }
            .filter { [$0.firstName, $0.lastName, $0.email].contains { $0.lowercased().hasPrefix(prefix) } }
            .sorted { $0.login < $1.login }
            .prefix(limit).map(withLinks)
    }

    public func findGroups(_ prefix: String, limit: Int) async throws -> [DirectoryGroup] {
        try await pause()
        let lowered = prefix.lowercased()
        return Array(groups.values.filter { $0.name.lowercased().hasPrefix(lowered) }.sorted { $0.name < $1.name }.prefix(limit))
    }

    public func findApps(_ prefix: String, limit: Int) async throws -> [DirectoryApp] {
        try await pause()
        let lowered = prefix.lowercased()
        return Array(apps.values.filter { $0.name.lowercased().hasPrefix(lowered) || $0.label.lowercased().hasPrefix(lowered) }
            .sorted { $0.label < $1.label }.prefix(limit))
    }

    public func group(id: String) async throws -> DirectoryGroup {
        try await pause()
        guard let group = groups[id] else { throw notFound("group", id) }
        return group
    }

    public func app(id: String) async throws -> DirectoryApp {
        try await pause()
        guard let app = apps[id] else { throw notFound("app", id) }
        return app
    }

    public func groups(ofUser userID: String) async throws -> [DirectoryGroup] {
        try await pause()
        _ = try existing(userID)
        return (memberships[userID] ?? []).compactMap { groups[$0] }.sorted { $0.name < $1.name }
    }

    public func apps(ofUser userID: String) async throws -> [DirectoryAppLink] {
        try await pause()
        _ = try existing(userID)
        return (assignments[userID] ?? [:]).keys.compactMap { apps[$0] }.sorted { $0.label < $1.label }
            .map { DirectoryAppLink(appID: $0.id, label: $0.label, appName: $0.name) }
    }

    public func factors(ofUser userID: String) async throws -> [DirectoryFactor] {
        try await pause()
        _ = try existing(userID)
        return factors[userID] ?? []
    }

    public func signIns(ofUser userID: String, limit: Int) async throws -> [SignInEvent] {
        try await pause()
        _ = try existing(userID)
        return Array((signIns[userID] ?? []).sorted { $0.at > $1.at }.prefix(limit))
    }

    public func isAssigned(userID: String, appID: String) async throws -> Bool {
        try await pause()
        _ = try existing(userID)
        guard apps[appID] != nil else { throw notFound("app", appID) }
        return assignments[userID]?[appID] != nil
    }

    public func createUser(_ profile: NewUserProfile) async throws -> DirectoryReceipt {
        try await pause()
        let fault = takeFault(.createUser)
        if let fault, !fault.afterApplying { throw fault.error }
        if users.values.contains(where: { $0.login.lowercased() == profile.login.lowercased() }) {
            throw DirectoryError(kind: .invalid, httpStatus: 400, errorCode: "E0000001", summary: "Api validation failed: login",
                                 causes: ["login: An object with this field already exists in the current organization"], subject: "user \(profile.login)")
        }
        if let manager = profile.managerID, users[manager] == nil { throw notFound("user", manager) }
        requestCounter += 1
        let id = "00unew" + String(requestCounter)
        users[id] = DirectoryUser(id: id, login: profile.login, email: profile.email.value, firstName: profile.firstName, lastName: profile.lastName,
                                  status: .staged, department: profile.department, managerID: profile.managerID)
        memberships[id] = []
        assignments[id] = [:]
        factors[id] = []
        actionLog.append("\(ActionName.createUser.rawValue) \(id)")
        if let fault { throw fault.error }
        return DirectoryReceipt(requestID: "sim-\(requestCounter)", summary: "created \(profile.login) (\(id)), staged")
    }

    public func assignmentScope(userID: String, appID: String) async throws -> String? {
        try await pause()
        _ = try existing(userID)
        guard apps[appID] != nil else { throw notFound("app", appID) }
        return assignments[userID]?[appID]
    }

    // MARK: Actions

    public func resetFactors(userID: String) async throws -> DirectoryReceipt {
        try await act(.resetMFA, userID) { user in
            guard user.status != .deprovisioned else { throw invalid("Cannot reset the factors of a deactivated user") }
            let count = factors[userID]?.count ?? 0
            guard count > 0 else { return ("no MFA factors were enrolled; nothing to reset", true) }
            factors[userID] = []
            return ("reset \(count) factor\(count == 1 ? "" : "s")", false)
        }
    }

    public func resetFactor(userID: String, factorID: String) async throws -> DirectoryReceipt {
        try await act(.resetFactor, userID) { _ in
            guard let index = factors[userID]?.firstIndex(where: { $0.id == factorID }) else {
                return ("factor \(factorID) was already removed", true)
            }
            factors[userID]?.remove(at: index)
            return ("reset factor \(factorID)", false)
        }
    }

    public func revokeSessions(userID: String, oauthTokens: Bool) async throws -> DirectoryReceipt {
        try await act(.revokeSessions, userID) { _ in
            (oauthTokens ? "ended all sessions and revoked OAuth tokens" : "ended all sessions", false)
        }
    }

    public func addToGroup(userID: String, groupID: String) async throws -> DirectoryReceipt {
        let group = try await changeableGroup(groupID)
        return try await act(.addToGroup, userID) { _ in
            if memberships[userID]?.contains(groupID) == true { return ("already a member of \(group.name)", true) }
            memberships[userID, default: []].insert(groupID)
            return ("added to \(group.name)", false)
        }
    }

    public func removeFromGroup(userID: String, groupID: String) async throws -> DirectoryReceipt {
        let group = try await changeableGroup(groupID)
        return try await act(.removeFromGroup, userID) { _ in
            guard memberships[userID]?.remove(groupID) != nil else { return ("already removed from \(group.name)", true) }
            return ("removed from \(group.name)", false)
        }
    }

    public func assignApp(userID: String, appID: String) async throws -> DirectoryReceipt {
        guard let app = apps[appID] else { throw notFound("app", appID) }
        return try await act(.assignApp, userID) { _ in
            if assignments[userID]?[appID] != nil { return ("already assigned \(app.label)", true) }
            assignments[userID, default: [:]][appID] = "USER"
            return ("assigned \(app.label)", false)
        }
    }

    public func removeApp(userID: String, appID: String) async throws -> DirectoryReceipt {
        guard let app = apps[appID] else { throw notFound("app", appID) }
        return try await act(.removeApp, userID) { _ in
            guard let scope = assignments[userID]?[appID] else { return ("already removed from \(app.label)", true) }
            guard scope == "USER" else {
                throw DirectoryError(kind: .notAllowed, summary: "\(app.label) is assigned through a group; remove the group membership instead", subject: "app \(app.label)")
            }
            assignments[userID]?[appID] = nil
            return ("removed \(app.label)", false)
        }
    }

    public func suspend(userID: String) async throws -> DirectoryReceipt {
        try await transition(.suspend, userID, from: [.active], to: .suspended, "suspended the account", "Cannot suspend a user that is not ACTIVE")
    }

    public func unsuspend(userID: String) async throws -> DirectoryReceipt {
        try await transition(.unsuspend, userID, from: [.suspended], to: .active, "unsuspended the account", "Cannot unsuspend a user that is not SUSPENDED")
    }

    public func unlock(userID: String) async throws -> DirectoryReceipt {
        try await act(.unlock, userID) { user in
            guard user.isOktaSourced else {
                throw invalid("Cannot unlock a user whose credentials are managed by \(user.credentialProvider); unlock them in the directory")
            }
            guard user.status == .lockedOut else { throw invalid("Cannot unlock a user that is not LOCKED_OUT") }
            setStatus(userID, .active)
            return ("unlocked the account", false)
        }
    }

    public func activate(userID: String, sendEmail: Bool) async throws -> DirectoryReceipt {
        try await transition(.activate, userID, from: [.staged, .deprovisioned], to: .active,
                             sendEmail ? "activated; activation email sent" : "activated", "Cannot activate a user that is not STAGED or DEPROVISIONED")
    }

    public func reactivate(userID: String) async throws -> DirectoryReceipt {
        try await act(.resendActivation, userID) { user in
            guard user.status == .provisioned || user.status == .recovery else { throw invalid("Cannot reactivate a user that is not PROVISIONED or RECOVERY") }
            return ("activation email sent again", false)
        }
    }

    public func deactivate(userID: String) async throws -> DirectoryReceipt {
        try await act(.deactivate, userID) { user in
            guard user.status != .deprovisioned else { throw invalid("Cannot deactivate a user that is already DEPROVISIONED") }
            setStatus(userID, .deprovisioned)
            assignments[userID] = [:]
            factors[userID] = []
            return ("deactivated the account", false)
        }
    }

    public func resetPassword(userID: String, sendEmail: Bool) async throws -> DirectoryReceipt {
        let allowed: Set<UserStatus> = [.active, .recovery, .lockedOut, .passwordExpired]
        var receipt = try await transition(.resetPassword, userID, from: allowed, to: .recovery,
                                           sendEmail ? "reset the password; reset link emailed to the user" : "reset the password; one-time link issued (shown once, not stored)",
                                           "Cannot reset the password of a user who is not active")
        if !sendEmail {
            receipt = DirectoryReceipt(requestID: receipt.requestID, summary: receipt.summary,
                                       oneTimeLink: "https://\(orgName.split(separator: " ").first ?? "")/reset_password/drp\(UUID().uuidString.prefix(12))")
        }
        return receipt
    }

    public func expirePassword(userID: String) async throws -> DirectoryReceipt {
        try await transition(.expirePassword, userID, from: [.active, .passwordExpired, .lockedOut], to: .passwordExpired,
                             "expired the password", "Cannot expire the password of a user who is not active")
    }

    // MARK: Mechanics

    private func transition(_ action: ActionName, _ userID: String, from: Set<UserStatus>, to: UserStatus, _ summary: String, _ refusal: String) async throws -> DirectoryReceipt {
        try await act(action, userID) { user in
            guard from.contains(user.status) else { throw invalid("\(refusal) (the user is \(user.status.rawValue))") }
            setStatus(userID, to)
            return (summary, false)
        }
    }

    /// Runs one action: latency, the user check, planned faults, the change, the log, the receipt.
    private func act(_ action: ActionName, _ userID: String, _ change: (DirectoryUser) throws -> (String, Bool)) async throws -> DirectoryReceipt {
        try await pause()
        let user = try existing(userID)
        let fault = takeFault(action)
        if let fault, !fault.afterApplying { throw fault.error }
        let (summary, alreadyDone) = try change(user)
        if !alreadyDone { actionLog.append("\(action.rawValue) \(userID)") }
        if let fault { throw fault.error }
        requestCounter += 1
        return DirectoryReceipt(requestID: "sim-\(requestCounter)", summary: summary, alreadyDone: alreadyDone)
    }

    private func takeFault(_ action: ActionName) -> Fault? {
        guard let index = faults.firstIndex(where: { $0.action == nil || $0.action == action }) else { return nil }
        return faults.remove(at: index)
    }

    private func changeableGroup(_ groupID: String) async throws -> DirectoryGroup {
        try await pause()
        guard let group = groups[groupID] else { throw notFound("group", groupID) }
        if let reason = group.type.whyNotChangeable {
            throw DirectoryError(kind: .notAllowed, summary: "\(group.name) is a \(group.type.rawValue) group and cannot be changed here: \(reason)", subject: "group \(group.name)")
        }
        return group
    }

    private func existing(_ userID: String) throws -> DirectoryUser {
        guard let user = users[userID] else { throw notFound("user", userID) }
        return user
    }

    private func setStatus(_ userID: String, _ status: UserStatus) {
        guard let user = users[userID] else { return }
        users[userID] = DirectoryUser(
            id: user.id, login: user.login, email: user.email, firstName: user.firstName, lastName: user.lastName, status: status,
            title: user.title, department: user.department, managerID: user.managerID, lastLogin: user.lastLogin,
            passwordChanged: user.passwordChanged, statusChanged: user.status == status ? user.statusChanged : clock.now(),
            credentialProvider: user.credentialProvider)
    }

    /// The lifecycle links Okta would offer for the user's status.
    private func withLinks(_ user: DirectoryUser) -> DirectoryUser {
        var links: Set<String>
        switch user.status {
        case .active: links = ["suspend", "deactivate", "resetPassword", "expirePassword", "forgotPassword"]
        case .lockedOut: links = ["unlock", "deactivate", "resetPassword", "expirePassword"]
        case .passwordExpired: links = ["suspend", "deactivate", "resetPassword", "expirePassword"]
        case .recovery: links = ["deactivate", "resetPassword", "reactivate"]
        case .suspended: links = ["unsuspend", "deactivate"]
        case .staged: links = ["activate", "deactivate"]
        case .provisioned: links = ["reactivate", "deactivate"]
        case .deprovisioned: links = ["activate"]
        }
        if !(factors[user.id] ?? []).isEmpty, user.status != .deprovisioned { links.insert("resetFactors") }
        return DirectoryUser(
            id: user.id, login: user.login, email: user.email, firstName: user.firstName, lastName: user.lastName, status: user.status,
            transitioningToStatus: user.transitioningToStatus, title: user.title, department: user.department, managerID: user.managerID,
            lastLogin: user.lastLogin, passwordChanged: user.passwordChanged, statusChanged: user.statusChanged,
            credentialProvider: user.credentialProvider, allowedOperations: links)
    }

    private func pause() async throws {
        if latency > 0 { try await Task.sleep(nanoseconds: UInt64(latency * 1_000_000_000)) }
    }

    private func notFound(_ what: String, _ which: String) -> DirectoryError {
        DirectoryError(kind: .notFound, httpStatus: 404, errorCode: "E0000007", summary: "Not found: Resource not found: \(which) (\(what))",
                       requestID: nextRequestID(), subject: "\(what) \(which)")
    }

    private func invalid(_ summary: String) -> DirectoryError {
        DirectoryError(kind: .invalid, httpStatus: 400, errorCode: "E0000001", summary: "Api validation failed: \(summary)", requestID: nextRequestID())
    }

    private func nextRequestID() -> String {
        requestCounter += 1
        return "sim-\(requestCounter)"
    }
}
