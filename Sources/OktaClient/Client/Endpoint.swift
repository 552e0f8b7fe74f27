import Foundation

/// Every Okta operation the client can send: method, path template and query names as the
/// official spec names them, the rate-limit bucket, and whether a lost answer may be resent.
/// `Endpoint.all` is pinned in a test fixture that is checked against the spec.
public struct Endpoint: Hashable, Sendable {
    public enum Repeat: Sendable {
        /// Sending it again changes nothing more (GET, the PUT of a membership, DELETE).
        case safe
        /// A second send could act twice; a lost answer is reported as "outcome unknown".
        case unsafe
    }

    public let operationID: String
    public let method: String
    public let template: String
    public let query: [String]
    public let repeatRule: Repeat

    init(_ operationID: String, _ method: String, _ template: String, query: [String] = [], repeat repeatRule: Repeat? = nil) {
        self.operationID = operationID
        self.method = method
        self.template = template
        self.query = query
        self.repeatRule = repeatRule ?? (method == "POST" ? .unsafe : .safe)
    }

    /// `users`, `groups`, `apps`, `logs`: requests that share Okta's rate-limit family.
    public var bucket: String {
        let parts = template.split(separator: "/")
        return parts.count > 2 ? String(parts[2]) : template
    }

    /// The OAuth scope the call needs (API.md 1.1): read or manage of its family of paths.
    public var scope: String {
        let family = bucket == "logs" ? "logs" : bucket
        return "okta.\(family).\(method == "GET" ? "read" : "manage")"
    }

    /// `GET /api/v1/users after limit q search` — a line of the pinned fixture.
    public var fixtureLine: String {
        ([method, template] + query.sorted()).joined(separator: " ")
    }

    // Look-ups.
    static let getUser = Endpoint("getUser", "GET", "/api/v1/users/{id}")
    static let listUsers = Endpoint("listUsers", "GET", "/api/v1/users", query: ["q", "search", "limit", "after"])
    static let listUserGroups = Endpoint("listUserGroups", "GET", "/api/v1/users/{id}/groups")
    static let listAppLinks = Endpoint("listAppLinks", "GET", "/api/v1/users/{id}/appLinks")
    static let listFactors = Endpoint("listFactors", "GET", "/api/v1/users/{userId}/factors")
    static let listGroups = Endpoint("listGroups", "GET", "/api/v1/groups", query: ["q", "limit", "after"])
    static let getGroup = Endpoint("getGroup", "GET", "/api/v1/groups/{groupId}")
    static let listApplications = Endpoint("listApplications", "GET", "/api/v1/apps", query: ["q", "limit", "after"])
    static let getApplication = Endpoint("getApplication", "GET", "/api/v1/apps/{appId}")
    static let getApplicationUser = Endpoint("getApplicationUser", "GET", "/api/v1/apps/{appId}/users/{userId}")
    static let listLogEvents = Endpoint("listLogEvents", "GET", "/api/v1/logs", query: ["filter", "since", "sortOrder", "limit", "after"])

    // Actions.
    static let resetFactors = Endpoint("resetFactors", "POST", "/api/v1/users/{id}/lifecycle/reset_factors")
    static let unenrollFactor = Endpoint("unenrollFactor", "DELETE", "/api/v1/users/{userId}/factors/{factorId}")
    static let revokeUserSessions = Endpoint("revokeUserSessions", "DELETE", "/api/v1/users/{userId}/sessions", query: ["oauthTokens"])
    static let assignUserToGroup = Endpoint("assignUserToGroup", "PUT", "/api/v1/groups/{groupId}/users/{userId}")
    static let unassignUserFromGroup = Endpoint("unassignUserFromGroup", "DELETE", "/api/v1/groups/{groupId}/users/{userId}")
    static let assignUserToApplication = Endpoint("assignUserToApplication", "POST", "/api/v1/apps/{appId}/users")
    static let unassignUserFromApplication = Endpoint("unassignUserFromApplication", "DELETE", "/api/v1/apps/{appId}/users/{userId}")
    static let suspendUser = Endpoint("suspendUser", "POST", "/api/v1/users/{id}/lifecycle/suspend")
    static let unsuspendUser = Endpoint("unsuspendUser", "POST", "/api/v1/users/{id}/lifecycle/unsuspend")
    static let unlockUser = Endpoint("unlockUser", "POST", "/api/v1/users/{id}/lifecycle/unlock")
    static let activateUser = Endpoint("activateUser", "POST", "/api/v1/users/{id}/lifecycle/activate", query: ["sendEmail"])
    static let reactivateUser = Endpoint("reactivateUser", "POST", "/api/v1/users/{id}/lifecycle/reactivate", query: ["sendEmail"])
    static let deactivateUser = Endpoint("deactivateUser", "POST", "/api/v1/users/{id}/lifecycle/deactivate")
    static let resetPassword = Endpoint("resetPassword", "POST", "/api/v1/users/{id}/lifecycle/reset_password", query: ["sendEmail"])
    static let expirePassword = Endpoint("expirePassword", "POST", "/api/v1/users/{id}/lifecycle/expire_password")
    static let createUser = Endpoint("createUser", "POST", "/api/v1/users", query: ["activate"])

    public static let all: [Endpoint] = [
        getUser, listUsers, listUserGroups, listAppLinks, listFactors, listGroups, getGroup, listApplications, getApplication,
        getApplicationUser, listLogEvents, resetFactors, unenrollFactor, revokeUserSessions, assignUserToGroup,
        unassignUserFromGroup, assignUserToApplication, unassignUserFromApplication, suspendUser, unsuspendUser, unlockUser,
        activateUser, reactivateUser, deactivateUser, resetPassword, expirePassword, createUser,
    ]
}

/// One call: an endpoint with its path values (in template order), query and JSON body.
struct OktaCall: Sendable {
    let endpoint: Endpoint
    let pathValues: [String]
    let query: [(String, String)]
    let body: Data?
    /// For messages: "user 00u1…", "group VPN Users".
    let subject: String?

    init(_ endpoint: Endpoint, _ pathValues: [String] = [], query: [(String, String)] = [], body: Data? = nil, subject: String? = nil) {
        precondition(query.allSatisfy { endpoint.query.contains($0.0) }, "\(endpoint.operationID) sends a query name missing from Endpoint")
        self.endpoint = endpoint
        self.pathValues = pathValues
        self.query = query
        self.body = body
        self.subject = subject
    }

    /// The URL on the org, with each path value percent-encoded as one segment.
    func url(on org: OrgURL) -> URL {
        var path = ""
        var values = pathValues.makeIterator()
        var rest = Substring(endpoint.template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            path += rest[..<open]
            path += Self.segment(values.next() ?? "")
            rest = rest[rest.index(after: close)...]
        }
        path += rest
        var components = URLComponents(url: org.url, resolvingAgainstBaseURL: false)!
        components.percentEncodedPath = path
        if !query.isEmpty {
            components.percentEncodedQuery = query.map { "\($0.0)=\(Self.queryValue($0.1))" }.joined(separator: "&")
        }
        return components.url!
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func segment(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    static func queryValue(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}
