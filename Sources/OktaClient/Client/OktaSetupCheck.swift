import Foundation
import HelpdeskCore

/// What Okta answered when a setup was checked: whether the org could be reached, whether the
/// token may read users, groups and apps, and the time on Okta's clock.
public struct OktaSetupReport: Sendable, Equatable {
    /// One read the console depends on, and Okta's refusal if it refused.
    public struct Read: Sendable, Equatable {
        public let resource: String
        public let refusal: DirectoryError?
    }

    /// What the check reads, in order.
    public static let resources = ["users", "groups", "apps"]

    public let org: OrgURL
    /// Why nothing reached the org (DNS, TLS, refused connection, timeout); nil when it answered.
    public let unreachable: String?
    public let reads: [Read]
    /// Okta's `Date` header on its first answer, and this machine's clock halfway through that call.
    public let oktaDate: Date?
    public let localDate: Date?

    /// Seconds this machine's clock is ahead of Okta's (negative when behind).
    public var clockSkew: TimeInterval? {
        guard let oktaDate, let localDate else { return nil }
        return localDate.timeIntervalSince(oktaDate)
    }
}

extension OktaHTTPClient {
    /// Reads one user, one group and one app, each once with no retry, the way Okta integrations
    /// check an API token when it is saved. Never throws: every answer is part of the report.
    public func checkSetup() async -> OktaSetupReport {
        let endpoints: [Endpoint] = [.listUsers, .listGroups, .listApplications]
        let calls = zip(OktaSetupReport.resources, endpoints).map { ($0, OktaCall($1, query: [("limit", "1")], subject: $0)) }
        var reads: [OktaSetupReport.Read] = []
        var oktaDate: Date?
        var localDate: Date?
        for (resource, call) in calls {
            let sentAt = clock.now()
            switch await probe(call) {
            case .unreachable(let reason):
                return OktaSetupReport(org: settings.org, unreachable: reason, reads: reads, oktaDate: oktaDate, localDate: localDate)
            case .answered(let response):
                if oktaDate == nil, let header = response.header("Date"), let date = HTTPDate.parse(header) {
                    oktaDate = date
                    localDate = sentAt.addingTimeInterval(clock.now().timeIntervalSince(sentAt) / 2)
                }
                var refusal = (200..<300).contains(response.status)
                    ? nil : DirectoryError.from(response: response, subject: call.subject, retryAt: nil, scrub: settings.scrub)
                if let tokens, let found = refusal {
                    // What Okta says goes to whoever asked for the checks: no token or proof it echoed.
                    refusal = await found.scrubbed { await tokens.scrub(JWTText.redacted($0)) }
                    refusal?.viaServiceApp = true
                }
                reads.append(OktaSetupReport.Read(resource: resource, refusal: refusal))
            }
        }
        return OktaSetupReport(org: settings.org, unreachable: nil, reads: reads, oktaDate: oktaDate, localDate: localDate)
    }
}

/// A service app's access token as doctor shows it: its type and the scopes Okta granted.
public struct AccessTokenStatus: Sendable, Equatable {
    /// `DPoP` or `Bearer`.
    public let type: String
    public let grantedScopes: [String]
    public let askedScopes: [String]

    /// What was asked for and not granted.
    public var missingScopes: [String] { askedScopes.filter { !grantedScopes.contains($0) } }
}

extension OktaHTTPClient {
    /// Asks for the service app's access token; nil when the credential is an API token.
    public func checkAccessToken() async -> Result<AccessTokenStatus, DirectoryError>? {
        guard case .oauth(let app) = settings.credential else { return nil }
        guard let tokens else { return .failure(DirectoryError(kind: .configuration, summary: "the OAuth service app could not be set up")) }
        do {
            let token = try await tokens.current()
            return .success(AccessTokenStatus(type: token.type, grantedScopes: token.scopes, askedScopes: app.scopes))
        } catch {
            return .failure(await error.scrubbed { await tokens.scrub(JWTText.redacted($0)) })
        }
    }
}
