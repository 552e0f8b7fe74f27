import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import OktaClient
import Testing

/// A reset time that is not a number does not stop the process.
@Suite struct TokenEndpointResetTests {
    @Test(arguments: ["nan", "NaN", "-nan"]) func aNaNResetAtTheTokenEndpoint(reset: String) async throws {
        let transport = StubTransport { request, _ in
            if request.url.path == "/oauth2/v1/token" { return .json(429, #"{"errorCode":"E0000047"}"#, headers: ["X-Rate-Limit-Reset": reset]) }
            return .json(200, "[]")
        }
        let app = OAuthApp(clientID: "0oa1", key: try SigningKey.generateP256(), scopes: OAuthApp.defaultScopes)
        let http = OktaHTTPClient(settings: OktaSettings(org: try OrgURL("https://acme.okta.com"), credential: .oauth(app)), transport: transport)
        await #expect { _ = try await OktaDirectory(client: http).groups(ofUser: "00u1") } throws: { ($0 as? DirectoryError)?.kind == .rateLimited }
    }
}
