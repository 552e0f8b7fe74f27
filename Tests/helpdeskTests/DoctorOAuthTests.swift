import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import helpdesk
import OktaClient
import Testing

/// Doctor with a service app: a token the API refuses fails a line, and a forbidden read speaks of the app.
@Suite struct DoctorOAuthTests {
    // The token endpoint issues a token, but the API refuses it (here: a token that lives 0 s; in life a
    // proof refused for the clock, a token for another audience): doctor's only failing line is filtered out.
    @Test func doctorFailsWhenTheAPIRefusesTheServiceAppsToken() async throws {
        let standIn = try OktaStandIn()
        defer { standIn.stop() }
        let key = try SigningKey.generateP256()
        standIn.requireOAuth(OAuthGate(app: .init(clientID: "0oa1abc", publicKeyPEM: key.pem(privatePart: false), grantedScopes: Set(OAuthApp.defaultScopes)), tokenLifetime: 0))
        let app = OAuthApp(clientID: "0oa1abc", key: key, scopes: OAuthApp.defaultScopes)
        let checks = await OktaChecks.run(settings: .success(OktaSettings(org: try OrgURL(standIn.orgURL), credential: .oauth(app))), tokenSource: "", clock: SystemClock())
        let lines = checks.map { "\($0.name): \($0.status) \($0.detail)" }
        #expect(checks.contains { $0.status == .failed && $0.name != "clock" }, "doctor has no failed line but the clock (which fails only because the stand-in sends no Date on 401; Okta does) while Okta refuses every API call with the service app's token: \(lines)")
    }

    @Test func aForbiddenReadIsExplainedForTheServiceApp() async throws {
        let standIn = try OktaStandIn()
        defer { standIn.stop() }
        let key = try SigningKey.generateP256()
        let granted = Set(OAuthApp.defaultScopes).subtracting(["okta.apps.read"])
        standIn.requireOAuth(OAuthGate(app: .init(clientID: "0oa1abc", publicKeyPEM: key.pem(privatePart: false), grantedScopes: granted)))
        let app = OAuthApp(clientID: "0oa1abc", key: key, scopes: Array(granted))
        let checks = await OktaChecks.run(settings: .success(OktaSettings(org: try OrgURL(standIn.orgURL), credential: .oauth(app))), tokenSource: "", clock: SystemClock())
        let line = checks.first { $0.name == "okta reads apps" }
        #expect(line.map { !$0.text.contains("create the token as an Okta admin") && !$0.text.contains("the token's Okta admin") } ?? true, "with a service app doctor's forbidden read says: \(line?.text ?? "-")")
    }
}
