import Foundation
import HelpdeskCore

/// How the client talks to Okta: where, with what credential, and how politely.
public struct OktaSettings: Sendable {
    public var org: OrgURL
    public var credential: OktaCredential
    /// Seconds before a request gives up.
    public var timeout: TimeInterval = 20
    /// Requests in flight at once; Okta's org-wide limit is about 75.
    public var maxInFlight: Int = 10
    /// Retries of a safe request after 5xx or a timeout.
    public var maxRetries: Int = 3
    /// Waits for a rate-limit reset before a 429 is given up on.
    public var maxRateLimitWaits: Int = 4
    public var userAgent: String = "helpdesk/\(HelpdeskVersion.current) (Okta console; Swift)"

    public init(org: OrgURL, credential: OktaCredential) {
        self.org = org
        self.credential = credential
    }

    /// With an API token (`Authorization: SSWS …`).
    public init(org: OrgURL, token: APIToken) {
        self.init(org: org, credential: .apiToken(token))
    }

    /// The API token, when that is the credential.
    var token: APIToken? {
        if case .apiToken(let token) = credential { return token }
        return nil
    }

    /// Removes the API token from text that came back from a server, before it goes anywhere.
    func scrub(_ text: String) -> String {
        if case .apiToken(let token) = credential { return token.scrub(text) }
        return text
    }

    /// `OKTA_CLIENT_ORGURL` and `OKTA_CLIENT_TOKEN`, as Okta's SDKs read them; a token file may stand
    /// in for the token, and a configured service app (`oauth`) for both.
    public static func fromEnvironment(_ variables: [String: String], orgURL: String? = nil, tokenFile: String? = nil,
                                       oauth: OAuthAppFile? = nil) throws(DirectoryError) -> OktaSettings {
        guard let orgText = nonEmpty(variables["OKTA_CLIENT_ORGURL"]) ?? orgURL else {
            throw DirectoryError(kind: .configuration, summary: "no Okta org: set okta.orgUrl in the configuration or OKTA_CLIENT_ORGURL")
        }
        let org = try OrgURL(orgText)
        if let oauth { return OktaSettings(org: org, credential: .oauth(try oauth.load())) }
        let token: APIToken
        if let text = nonEmpty(variables["OKTA_CLIENT_TOKEN"]) {
            token = try APIToken(text)
        } else if let tokenFile {
            token = try APIToken.fromFile(tokenFile)
        } else {
            throw DirectoryError(kind: .configuration, summary: "no Okta credential: set okta.tokenFile, or okta.auth \"oauth\" with a service app, in the configuration, or OKTA_CLIENT_TOKEN")
        }
        return OktaSettings(org: org, token: token)
    }

    /// The configuration's org and credential alone, as the service reads them (no variables).
    public static func fromConfiguration(orgURL: String?, tokenFile: String?, oauth: OAuthAppFile? = nil) throws(DirectoryError) -> OktaSettings {
        try fromEnvironment([:], orgURL: orgURL, tokenFile: tokenFile, oauth: oauth)
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}

/// How helpdesk proves itself to Okta: an API token, or an OAuth 2.0 service app (private-key JWT,
/// scoped short-lived tokens, DPoP).
public enum OktaCredential: Sendable {
    case apiToken(APIToken)
    case oauth(OAuthApp)
}

/// An API Services app: its client id, the private key registered on it (and that key's `kid`
/// when the app has several), the scopes to ask for, and whether to bind tokens with DPoP.
public struct OAuthApp: Sendable {
    public let clientID: String
    public let key: SigningKey
    public let keyID: String?
    public let scopes: [String]
    public let dpop: Bool

    public init(clientID: String, key: SigningKey, keyID: String? = nil, scopes: [String], dpop: Bool = true) {
        self.clientID = clientID
        self.key = key
        self.keyID = keyID
        self.scopes = scopes
        self.dpop = dpop
    }

    /// The scopes the console's actions and look-ups need (API.md, 1.1).
    public static let defaultScopes = ["okta.users.read", "okta.users.manage", "okta.groups.read", "okta.groups.manage", "okta.apps.read", "okta.apps.manage", "okta.logs.read"]
}
