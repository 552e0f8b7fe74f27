import Foundation

/// An Okta group's type; only `OKTA_GROUP` memberships can be changed from here.
public enum GroupType: String, Sendable, Codable {
    case okta = "OKTA_GROUP"
    case app = "APP_GROUP"
    case builtIn = "BUILT_IN"
    case other

    public init(oktaValue: String) {
        self = GroupType(rawValue: oktaValue) ?? .other
    }

    /// Why memberships of this type cannot be changed here; nil when they can.
    public var whyNotChangeable: String? {
        switch self {
        case .okta: nil
        case .app: "its members are imported from an app (such as Active Directory); change them in that app"
        case .builtIn: "it is built in and managed by Okta"
        case .other: "only OKTA_GROUP memberships can be changed"
        }
    }
}

/// An Okta group.
public struct DirectoryGroup: Sendable, Equatable, Identifiable, Hashable, Codable {
    public let id: String
    public let name: String
    public let description: String
    public let type: GroupType

    public init(id: String, name: String, description: String = "", type: GroupType) {
        self.id = id
        self.name = name
        self.description = description
        self.type = type
    }

    public var ref: GroupRef { GroupRef(id: id, name: name) }
}

/// An Okta app.
public struct DirectoryApp: Sendable, Equatable, Identifiable, Hashable, Codable {
    public let id: String
    public let name: String
    public let label: String
    public let status: String
    public let signOnMode: String

    public init(id: String, name: String, label: String, status: String = "ACTIVE", signOnMode: String = "SAML_2_0") {
        self.id = id
        self.name = name
        self.label = label
        self.status = status
        self.signOnMode = signOnMode
    }

    public var ref: AppRef { AppRef(id: id, label: label) }
}

/// An app a user can reach, directly or through a group (`AssignedAppLink`).
public struct DirectoryAppLink: Sendable, Equatable, Hashable, Codable {
    public let appID: String
    public let label: String
    public let appName: String

    public init(appID: String, label: String, appName: String) {
        self.appID = appID
        self.label = label
        self.appName = appName
    }

    public var ref: AppRef { AppRef(id: appID, label: label) }
}

/// An enrolled MFA factor.
public struct DirectoryFactor: Sendable, Equatable, Hashable, Codable {
    public let id: String
    /// `sms`, `push`, `token:software:totp`, `webauthn`…
    public let type: String
    public let provider: String
    public let status: String
    /// A hint for people (a masked phone number, a device name), when Okta gives one.
    public let detail: String?
    /// When the factor was enrolled, when Okta says.
    public let created: Date?

    public init(id: String, type: String, provider: String, status: String, detail: String? = nil, created: Date? = nil) {
        self.id = id
        self.created = created
        self.type = type
        self.provider = provider
        self.status = status
        self.detail = detail
    }

    public var ref: FactorRef { FactorRef(id: id, type: type) }
}
