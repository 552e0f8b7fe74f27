/// A person at a console or on the command line, known by their OS login.
public struct Operator: Hashable, Sendable, Codable {
    public let login: String
    /// Their work email: how the requester's manager in Okta is matched to an operator.
    public let email: EmailAddress?
    public let roles: Set<Role>

    public init(login: String, email: EmailAddress?, roles: Set<Role>) {
        self.login = login
        self.email = email
        self.roles = roles
    }

    public func has(_ role: Role) -> Bool { roles.contains(role) || roles.contains(.admin) }

    /// May ask for Okta actions and work requests.
    public var canAct: Bool { has(.agent) }
    /// Holds the approver role (or admin); managers may approve for their reports without it.
    public var isApprover: Bool { has(.approver) }

    /// `agent`, `approver, agent`…
    public var roleList: String { roles.sorted().map(\.rawValue).joined(separator: ", ") }
}
