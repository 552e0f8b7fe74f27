/// An Okta group named by id, with the name people saw when they chose it.
public struct GroupRef: Hashable, Sendable, Codable {
    public let id: String
    public let name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// An Okta app named by id, with the label people saw when they chose it.
public struct AppRef: Hashable, Sendable, Codable {
    public let id: String
    public let label: String

    public init(id: String, label: String) {
        self.id = id
        self.label = label
    }
}

/// One enrolled MFA factor, by id, with its type for people (`sms`, `push`…).
public struct FactorRef: Hashable, Sendable, Codable {
    public let id: String
    public let type: String

    public init(id: String, type: String) {
        self.id = id
        self.type = type
    }
}
