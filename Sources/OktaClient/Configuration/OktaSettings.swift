import Foundation
import HelpdeskCore

/// How the client talks to Okta: where, with what token, and how politely.
public struct OktaSettings: Sendable {
    public var org: OrgURL
    public var token: APIToken
    /// Seconds before a request gives up.
    public var timeout: TimeInterval = 20
    /// Requests in flight at once; Okta's org-wide limit is about 75.
    public var maxInFlight: Int = 10
    /// Retries of a safe request after 5xx or a timeout.
    public var maxRetries: Int = 3
    /// Waits for a rate-limit reset before a 429 is given up on.
    public var maxRateLimitWaits: Int = 4
    public var userAgent: String = "helpdesk/\(HelpdeskVersion.current) (Okta console; Swift)"

    public init(org: OrgURL, token: APIToken) {
        self.org = org
        self.token = token
    }

    /// `OKTA_CLIENT_ORGURL` and `OKTA_CLIENT_TOKEN`, as Okta's SDKs read them; a token file may stand in for the token.
    public static func fromEnvironment(_ variables: [String: String], orgURL: String? = nil, tokenFile: String? = nil) throws(DirectoryError) -> OktaSettings {
        guard let orgText = nonEmpty(variables["OKTA_CLIENT_ORGURL"]) ?? orgURL else {
            throw DirectoryError(kind: .configuration, summary: "no Okta org: set okta.orgUrl in the configuration or OKTA_CLIENT_ORGURL")
        }
        let token: APIToken
        if let text = nonEmpty(variables["OKTA_CLIENT_TOKEN"]) {
            token = try APIToken(text)
        } else if let tokenFile {
            token = try APIToken.fromFile(tokenFile)
        } else {
            throw DirectoryError(kind: .configuration, summary: "no Okta API token: set okta.tokenFile in the configuration or OKTA_CLIENT_TOKEN")
        }
        return OktaSettings(org: try OrgURL(orgText), token: token)
    }

    /// The configuration's org and token file alone, as the service reads them (no variables).
    public static func fromConfiguration(orgURL: String?, tokenFile: String?) throws(DirectoryError) -> OktaSettings {
        try fromEnvironment([:], orgURL: orgURL, tokenFile: tokenFile)
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}
