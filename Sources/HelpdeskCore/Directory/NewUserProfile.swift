import Foundation

/// A new hire's Okta profile, created STAGED (no email sent, nothing to sign in with) until it is
/// activated: names, the email and login (the login defaults to the email), and optionally the
/// manager's Okta id and the department.
public struct NewUserProfile: Hashable, Sendable, Codable {
    public let firstName: String
    public let lastName: String
    public let email: EmailAddress
    public let login: String
    public let managerID: String?
    /// The manager as the agent named them (their email), for people reading the plan.
    public let manager: String?
    public let department: String?

    public init(firstName: String, lastName: String, email: EmailAddress, login: String, managerID: String? = nil, manager: String? = nil, department: String? = nil) {
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.login = login
        self.managerID = managerID
        self.manager = manager
        self.department = department
    }

    /// "Ana Ruiz (ana.ruiz@example.com)".
    public var display: String { "\(firstName) \(lastName) (\(login))" }

    /// Everything the approver should read: "Ana Ruiz (ana.ruiz@example.com), email …, manager …, department Sales".
    public var details: String {
        var text = display
        if login != email.value { text += ", email \(email)" }
        text += ", manager " + (manager ?? "none")
        if let department { text += ", department \(department)" }
        return text
    }

    /// The fields an agent fills in, by the names `--field` and the console use.
    public static let fieldNames = ["firstName", "lastName", "login", "manager", "department"]
}
