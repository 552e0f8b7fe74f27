import Foundation

/// An Okta user's status (`UserStatus`).
public enum UserStatus: String, Sendable, Codable, CaseIterable {
    case staged = "STAGED"
    case provisioned = "PROVISIONED"
    case active = "ACTIVE"
    case recovery = "RECOVERY"
    case passwordExpired = "PASSWORD_EXPIRED"
    case lockedOut = "LOCKED_OUT"
    case suspended = "SUSPENDED"
    case deprovisioned = "DEPROVISIONED"

    /// The state in words: "locked out", "deactivated", "activation pending".
    public var words: String {
        switch self {
        case .staged: "staged (not activated)"
        case .provisioned: "activation pending"
        case .active: "active"
        case .recovery: "in password recovery"
        case .passwordExpired: "password expired"
        case .lockedOut: "locked out"
        case .suspended: "suspended"
        case .deprovisioned: "deactivated"
        }
    }
}

/// An Okta user as the console shows it.
public struct DirectoryUser: Sendable, Equatable, Identifiable, Codable {
    public let id: String
    public let login: String
    public let email: String
    public let firstName: String
    public let lastName: String
    public let status: UserStatus
    /// Set while an asynchronous transition runs (e.g. `DEPROVISIONED` during deactivation).
    public let transitioningToStatus: UserStatus?
    public let title: String?
    public let department: String?
    /// The Okta id of the user's manager (`profile.managerId`).
    public let managerID: String?
    public let lastLogin: Date?
    public let passwordChanged: Date?
    /// When the status last changed (`statusChanged`); nil when it never has.
    public let statusChanged: Date?
    /// Where the credentials live: `OKTA`, `ACTIVE_DIRECTORY`, `LDAP`, `FEDERATION`…
    public let credentialProvider: String
    /// The lifecycle links Okta offers for the current status (`suspend`, `unlock`…), when known.
    public let allowedOperations: Set<String>?

    public init(
        id: String, login: String, email: String, firstName: String, lastName: String, status: UserStatus,
        transitioningToStatus: UserStatus? = nil, title: String? = nil, department: String? = nil,
        managerID: String? = nil, lastLogin: Date? = nil, passwordChanged: Date? = nil, statusChanged: Date? = nil,
        credentialProvider: String = "OKTA", allowedOperations: Set<String>? = nil
    ) {
        self.id = id
        self.login = login
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.status = status
        self.transitioningToStatus = transitioningToStatus
        self.title = title
        self.department = department
        self.managerID = managerID
        self.lastLogin = lastLogin
        self.passwordChanged = passwordChanged
        self.statusChanged = statusChanged
        self.credentialProvider = credentialProvider
        self.allowedOperations = allowedOperations
    }

    public var displayName: String {
        let name = "\(firstName) \(lastName)".trimmingCharacters(in: .whitespaces)
        return name.isEmpty ? login : name
    }

    /// Passwords and lockouts of directory-sourced users (AD, LDAP) are managed in the directory.
    public var isOktaSourced: Bool { credentialProvider == "OKTA" }
}

/// How to find a user. By email, only a user whose profile email is exactly that one (in any case)
/// is accepted; several such users are refused by name, never guessed between.
public enum UserLookup: Sendable, Equatable, CustomStringConvertible {
    case id(String)
    case login(String)
    case email(EmailAddress)

    public var description: String {
        switch self {
        case .id(let id): "user \(id)"
        case .login(let login): "login \(login)"
        case .email(let email): "email \(email)"
        }
    }
}

extension UserLookup {
    /// The refusal when several Okta users share an email.
    public static func shared(_ email: EmailAddress, logins: [String]) -> DirectoryError {
        DirectoryError(kind: .notAllowed, summary: "several Okta users have the email \(email) (logins \(logins.sorted().map { TextSafety.quoted($0, limit: 60) }.joined(separator: ", "))); "
            + "nothing was done — give each person their own email in Okta, or file the request under the right one", subject: "user \(email)")
    }
}
