import Foundation
import HelpdeskCore

/// The parts of Okta's JSON the console reads. Unknown fields are ignored; missing optional ones are fine.
enum OktaModels {
    struct User: Decodable {
        struct Profile: Decodable {
            let login: String
            let email: String?
            let firstName: String?
            let lastName: String?
            let title: String?
            let department: String?
            let managerId: String?
        }
        struct Credentials: Decodable {
            struct Provider: Decodable { let type: String? }
            let provider: Provider?
        }
        let id: String
        let status: String
        let transitioningToStatus: String?
        let lastLogin: Date?
        let passwordChanged: Date?
        let statusChanged: Date?
        let profile: Profile
        let credentials: Credentials?
        let _links: [String: LinkObject]?

        /// The user as the console knows it; a status this build does not know is refused, never guessed.
        func domain() throws(DirectoryError) -> DirectoryUser {
            guard let known = UserStatus(rawValue: status) else {
                throw DirectoryError(kind: .invalid, summary: "Okta answered with a user status this build does not know (\(TextSafety.quoted(status, limit: 40)))")
            }
            return DirectoryUser(
                id: id, login: profile.login, email: profile.email ?? "", firstName: profile.firstName ?? "",
                lastName: profile.lastName ?? "", status: known,
                transitioningToStatus: transitioningToStatus.flatMap(UserStatus.init(rawValue:)), title: profile.title,
                department: profile.department, managerID: profile.managerId, lastLogin: lastLogin, passwordChanged: passwordChanged, statusChanged: statusChanged,
                credentialProvider: credentials?.provider?.type ?? "OKTA",
                allowedOperations: _links.map { Set($0.keys).subtracting(["self", "type", "schema"]) }
            )
        }
    }

    /// A `_links` entry: an object or an array of objects; only its presence matters here.
    struct LinkObject: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    struct Group: Decodable {
        struct Profile: Decodable {
            let name: String
            let description: String?
        }
        let id: String
        let type: String
        let profile: Profile

        var domain: DirectoryGroup {
            DirectoryGroup(id: id, name: profile.name, description: profile.description ?? "", type: GroupType(oktaValue: type))
        }
    }

    struct Application: Decodable {
        let id: String
        let name: String
        let label: String
        let status: String?
        let signOnMode: String?

        var domain: DirectoryApp {
            DirectoryApp(id: id, name: name, label: label, status: status ?? "ACTIVE", signOnMode: signOnMode ?? "")
        }
    }

    struct AppLink: Decodable {
        let appInstanceId: String
        let label: String
        let appName: String

        var domain: DirectoryAppLink { DirectoryAppLink(appID: appInstanceId, label: label, appName: appName) }
    }

    struct AppUser: Decodable {
        let id: String
        let scope: String?
        let status: String?
    }

    struct Factor: Decodable {
        struct Profile: Decodable {
            let phoneNumber: String?
            let email: String?
            let name: String?
            let credentialId: String?
            let deviceType: String?
        }
        let id: String
        let factorType: String
        let provider: String?
        let status: String?
        let created: Date?
        let profile: Profile?

        var domain: DirectoryFactor {
            let detail = profile.flatMap { $0.phoneNumber ?? $0.email ?? $0.name ?? $0.deviceType ?? $0.credentialId }
            return DirectoryFactor(id: id, type: factorType, provider: provider ?? "OKTA", status: status ?? "ACTIVE", detail: detail, created: created)
        }
    }

    struct LogEvent: Decodable {
        struct Outcome: Decodable {
            let result: String?
            let reason: String?
        }
        struct Client: Decodable {
            struct Geo: Decodable {
                let city: String?
                let country: String?
            }
            struct Agent: Decodable {
                let browser: String?
                let os: String?
            }
            let ipAddress: String?
            let geographicalContext: Geo?
            let userAgent: Agent?
        }
        let published: Date
        let outcome: Outcome?
        let client: Client?

        var domain: SignInEvent {
            SignInEvent(at: published, result: outcome?.result ?? "UNKNOWN", reason: outcome?.reason, ipAddress: client?.ipAddress,
                        city: client?.geographicalContext?.city, country: client?.geographicalContext?.country,
                        browser: client?.userAgent?.browser, os: client?.userAgent?.os)
        }
    }

    struct ResetPasswordToken: Decodable {
        let resetPasswordUrl: String?
    }
}
