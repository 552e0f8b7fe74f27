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
    public let department: String?

    public init(firstName: String, lastName: String, email: EmailAddress, login: String, managerID: String? = nil, department: String? = nil) {
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.login = login
        self.managerID = managerID
        self.department = department
    }

    /// "Jane Doe (jane.doe@example.com)".
    public var display: String { "\(firstName) \(lastName) (\(login))" }

    /// The fields an agent fills in, by the names `--field` and the console use.
    public static let fieldNames = ["firstName", "lastName", "login", "manager", "department"]
}
