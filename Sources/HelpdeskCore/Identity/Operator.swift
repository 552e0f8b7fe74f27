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

    /// Whether `text` is an OS login as the configuration names operators: 1–64 ASCII letters,
    /// digits, `.`, `_`, `-` and `@` (directory logins such as `jane@corp.example.com`).
    public static func isLogin(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || ".-_@".utf8.contains(byte)
        }
    }
}
