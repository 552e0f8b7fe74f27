import Foundation
import HelpdeskCore

/// The demo tenant as written in `Resources/demo/tenant.json`: users (every status, managers
/// among them), groups of each type, apps, factors and recent sign-ins.
public struct TenantSeed: Decodable, Sendable {
    public struct User: Decodable, Sendable {
        public let id: String
        public let login: String
        public let email: String
        public let firstName: String
        public let lastName: String
        public let status: UserStatus
        public let title: String?
        public let department: String?
        /// The manager's login.
        public let manager: String?
        public let credentialProvider: String
        public let groups: [String]
        public let apps: [String]
        public let factors: [Factor]
        public let lastLoginMinutesAgo: Int?
        public let signIns: [SignIn]
    }

    public struct Factor: Decodable, Sendable {
        public let id: String
        public let type: String
        public let provider: String
        public let detail: String?
    }

    public struct SignIn: Decodable, Sendable {
        public let minutesAgo: Int
        public let result: String
        public let reason: String?
        public let ip: String?
        public let city: String?
        public let country: String?
        public let browser: String?
        public let os: String?
    }

    public struct Group: Decodable, Sendable {
        public let id: String
        public let name: String
        public let type: String
        public let description: String
    }

    public struct App: Decodable, Sendable {
        public let id: String
        public let name: String
        public let label: String
        public let signOnMode: String
    }

    public let org: String
    public let users: [User]
    public let groups: [Group]
    public let apps: [App]

    /// The tenant compiled into the program.
    public static func demo() -> TenantSeed {
        // The file is part of the build; a broken one fails the tests, never a user's run.
        do {
            return try JSONDecoder().decode(TenantSeed.self, from: Data(PackageResources.tenant_json))
        } catch {
            fatalError("Resources/demo/tenant.json does not decode: \(error)")
        }
    }
}
