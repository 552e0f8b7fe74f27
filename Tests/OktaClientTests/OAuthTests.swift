import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import OktaClient
import Synchronization
import Testing

/// An OAuth service app against a stand-in that enforces private-key JWT, DPoP with nonces, scopes
/// and token lifetimes with real signatures (test keys made here): RSA and EC keys, the nonce
/// round trip, a reused or misdirected assertion, a stolen token, renewal under load, a missing
/// scope named, Bearer without DPoP, and no secret in anything said.
@Suite struct OAuthTests {
    static let clientID = "0oaservice00000000001"

    struct Setup {
        let standIn: OktaStandIn
        let gate: OAuthGate
        let key: SigningKey
        let client: OktaHTTPClient
        let directory: OktaDirectory
    }

    static func setup(rsa: Bool = false, dpop: Bool = true, nonce: String? = nil, granted: Set<String> = Set(OAuthApp.defaultScopes),
                      asked: [String] = OAuthApp.defaultScopes, lifetime: TimeInterval = 3600, clock: any Clock = SystemClock()) throws -> Setup {
        let standIn = try OktaStandIn()
        let key = rsa ? try SigningKey.generateRSA() : try SigningKey.generateP256()
        let gate = OAuthGate(app: .init(clientID: clientID, publicKeyPEM: key.pem(privatePart: false), grantedScopes: granted, requireDPoP: dpop),
                             tokenLifetime: lifetime, nonce: nonce, clock: clock)
        standIn.requireOAuth(gate)
        let app = OAuthApp(clientID: clientID, key: key, keyID: "k1", scopes: asked, dpop: dpop)
        let client = OktaHTTPClient(settings: OktaSettings(org: try OrgURL(standIn.orgURL), credential: .oauth(app)), clock: clock)
        return Setup(standIn: standIn, gate: gate, key: key, client: client, directory: OktaDirectory(client: client))
    }

    @Test(arguments: [false, true]) func aServiceAppWorksWithRSAOrECKeysAndOneToken(rsa: Bool) async throws {
        let setup = try Self.setup(rsa: rsa)
        defer { setup.standIn.stop() }
        let jane = try await setup.directory.user(.email(Fixtures.email("jane.doe@example.com")))
        let groups = try await setup.directory.groups(ofUser: jane.id)
        #expect(!groups.isEmpty)
        _ = try await setup.directory.suspend(userID: jane.id)
        #expect(await setup.standIn.tenant.user(idOrLogin: jane.id)?.status == .suspended)
        #expect(setup.gate.tokensIssued == 1, "one token for every call: \(setup.gate.refusals)")
        #expect(setup.gate.refusals.isEmpty, "\(setup.gate.refusals)")
    }

    @Test func theDPoPNonceIsAnsweredAtTheTokenEndpointAndOnAPICalls() async throws {
        let setup = try Self.setup(nonce: "nonce-1")
        defer { setup.standIn.stop() }
        let jane = try await setup.directory.user(.email(Fixtures.email("jane.doe@example.com")))
        #expect(setup.gate.refusals == ["use_dpop_nonce", "use_dpop_nonce"], "one at the token endpoint, one on the first API call: \(setup.gate.refusals) \(setup.standIn.requests)")
        setup.gate.rotateNonce("nonce-2")
        _ = try await setup.directory.suspend(userID: jane.id)
        #expect(await setup.standIn.tenant.user(idOrLogin: jane.id)?.status == .suspended, "a change refused for its nonce was not acted on, so it is sent again")
        #expect(setup.standIn.count("POST", "/lifecycle/suspend") == 2 && setup.gate.refusals.last == "use_dpop_nonce")
    }

    @Test func anAssertionIsUsedOnceAndOnlyForItsAudience() async throws {
        let setup = try Self.setup(dpop: false)
        defer { setup.standIn.stop() }
        let tokenURL = try #require(URL(string: setup.standIn.orgURL + "/oauth2/v1/token"))
        func ask(_ assertion: String) async throws -> HTTPResponse {
            let body = "grant_type=client_credentials&scope=okta.users.read&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=\(assertion)"
            return try await CurlTransport().send(HTTPRequest(method: "POST", url: tokenURL, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Data(body.utf8)))
        }
        let assertion = try ClientAssertion.make(clientID: Self.clientID, tokenURL: tokenURL, keyID: nil, key: setup.key, now: Date())
        #expect(try await ask(assertion).status == 200)
        let again = try await ask(assertion)
        #expect(again.status == 401 && String(decoding: again.body, as: UTF8.self).contains("already been used"))
        let elsewhere = try ClientAssertion.make(clientID: Self.clientID, tokenURL: try #require(URL(string: "https://other.okta.com/oauth2/v1/token")), keyID: nil, key: setup.key, now: Date())
        let misdirected = try await ask(elsewhere)
        #expect(misdirected.status == 401 && String(decoding: misdirected.body, as: UTF8.self).contains("audience"))
        let stranger = try SigningKey.generateP256()
        let forged = try await ask(try ClientAssertion.make(clientID: Self.clientID, tokenURL: tokenURL, keyID: nil, key: stranger, now: Date()))
        #expect(forged.status == 401, "a key not registered on the app is refused")
    }

    @Test func aStolenAccessTokenIsRefusedWithoutTheProofKey() async throws {
        let setup = try Self.setup()
        defer { setup.standIn.stop() }
        let url = try #require(URL(string: setup.standIn.orgURL + "/api/v1/users/00u7746a87cc37fe444b"))
        let tokens = try #require(setup.client.tokens)
        let headers = try await tokens.headers(method: "GET", url: url).headers
        let token = try #require(headers["Authorization"]).replacingOccurrences(of: "DPoP ", with: "")
        let thief = try SigningKey.generateP256()
        let proof = try DPoPProof.make(method: "GET", url: url, accessToken: token, nonce: nil, key: thief, now: Date())
        let stolen = try await CurlTransport().send(HTTPRequest(method: "GET", url: url, headers: ["Authorization": "DPoP \(token)", "DPoP": proof]))
        #expect(stolen.status == 401)
        let bearer = try await CurlTransport().send(HTTPRequest(method: "GET", url: url, headers: ["Authorization": "Bearer \(token)"]))
        #expect(bearer.status == 401, "nor as a Bearer token")
        let replayed = try await CurlTransport().send(HTTPRequest(method: "GET", url: url, headers: headers))
        #expect(replayed.status == 200, "the owner's own proof works once")
        let twice = try await CurlTransport().send(HTTPRequest(method: "GET", url: url, headers: headers))
        #expect(twice.status == 401, "and not twice")
    }

    @Test func anExpiredTokenIsRenewedOnceWhileTenCallsAreInFlight() async throws {
        let setup = try Self.setup()
        defer { setup.standIn.stop() }
        let jane = try await setup.directory.user(.email(Fixtures.email("jane.doe@example.com")))
        setup.gate.expireTokens()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<10 { group.addTask { _ = try await setup.directory.groups(ofUser: jane.id) } }
            try await group.waitForAll()
        }
        #expect(setup.gate.tokensIssued == 2, "one renewal for ten calls: \(setup.gate.tokensIssued)")
    }

    @Test func aTokenCloseToItsEndIsRenewedBeforeItIsRefused() async throws {
        let clock = ManualClock(Date())
        let setup = try Self.setup(lifetime: 400, clock: clock)
        defer { setup.standIn.stop() }
        let jane = try await setup.directory.user(.email(Fixtures.email("jane.doe@example.com")))
        _ = try await setup.directory.groups(ofUser: jane.id)
        #expect(setup.gate.tokensIssued == 1, "a short token serves until half its life")
        clock.advance(by: 250)
        _ = try await setup.directory.groups(ofUser: jane.id)
        #expect(setup.gate.tokensIssued == 2, "renewed before it ends, not after a refusal")
        #expect(!setup.gate.refusals.contains("invalid_token"))
    }

    @Test func aChangeRefusedForAnExpiredTokenIsNotSentAgain() async throws {
        let setup = try Self.setup()
        defer { setup.standIn.stop() }
        let jane = try await setup.directory.user(.email(Fixtures.email("jane.doe@example.com")))
        setup.gate.expireTokens()
        await #expect { _ = try await setup.directory.suspend(userID: jane.id) } throws: { error in
            "\(error)".contains("Okta refused the access token; the call was not sent again")
        }
        #expect(setup.standIn.count("POST", "/lifecycle/suspend") == 1)
        _ = try await setup.directory.suspend(userID: jane.id)
        #expect(await setup.standIn.tenant.user(idOrLogin: jane.id)?.status == .suspended, "the next ask uses the renewed token")
    }

    @Test func aMissingScopeIsNamed() async throws {
        let granted = Set(OAuthApp.defaultScopes).subtracting(["okta.groups.manage"])
        let refused = try Self.setup(granted: granted)
        defer { refused.standIn.stop() }
        await #expect { _ = try await refused.directory.user(.email(Fixtures.email("jane.doe@example.com"))) } throws: { error in
            let text = "\(error)"
            return text.contains("not granted every scope") && text.contains("Okta API Scopes") && text.contains("okta.groups.manage")
        }
        let narrow = try Self.setup(granted: granted, asked: Array(granted))
        defer { narrow.standIn.stop() }
        let jane = try await narrow.directory.user(.email(Fixtures.email("jane.doe@example.com")))
        let vpn = try #require(try await narrow.directory.findGroups("VPN Users", limit: 5).first)
        await #expect { _ = try await narrow.directory.addToGroup(userID: jane.id, groupID: vpn.id) } throws: { error in
            "\(error)".contains("lacks the scope okta.groups.manage")
        }
    }

    @Test func withoutDPoPTheTokenIsABearerToken() async throws {
        let setup = try Self.setup(dpop: false)
        defer { setup.standIn.stop() }
        let url = try #require(URL(string: setup.standIn.orgURL + "/api/v1/users/x"))
        let headers = try await #require(setup.client.tokens).headers(method: "GET", url: url).headers
        #expect(headers["Authorization"]?.hasPrefix("Bearer ") == true && headers["DPoP"] == nil)
        _ = try await setup.directory.user(.email(Fixtures.email("jane.doe@example.com")))
    }

    @Test func noSecretReachesWhatIsSaid() async throws {
        let setup = try Self.setup(granted: ["okta.users.read"], asked: ["okta.users.read", "okta.users.manage"])
        defer { setup.standIn.stop() }
        var said: [String] = []
        do { _ = try await setup.directory.user(.email(Fixtures.email("jane.doe@example.com"))) } catch { said.append("\(error)"); said.append(String(reflecting: error)) }
        said.append("\(setup.key)")
        said.append(String(reflecting: setup.client))
        let privatePEM = setup.key.pem(privatePart: true)
        for text in said {
            #expect(!text.contains("eyJ"), "no JWT: \(text)")
            #expect(!text.contains("tok"), "no access token: \(text)")
            #expect(!privatePEM.split(separator: "\n").dropFirst().dropLast().contains { text.contains($0) }, "no key material")
        }
    }

    /// Each changing action, on a stand-in that wants nonces and has just ended every token.
    @Test(arguments: AtMostOnceTests.changingCalls.map(\.0) + [.revokeSessions, .addToGroup, .removeFromGroup, .removeApp, .resendActivation])
    func everyActionWorksWithOnlyTheServiceApp(_ name: ActionName) async throws {
        let setup = try Self.setup(nonce: "n1")
        defer { setup.standIn.stop() }
        let email = AtMostOnceTests.changingCalls.first { $0.0 == name }?.2 ?? (name == .resendActivation ? "raj.mehta@example.com" : "jane.doe@example.com")
        let user = try await setup.directory.user(.email(Fixtures.email(email)))
        setup.gate.expireTokens()
        _ = try await setup.directory.factors(ofUser: user.id)   // a look-up meets the ended token: renewed, and sent again
        let action: OktaAction = switch name {
        case .revokeSessions: .revokeSessions(oauthTokens: true)
        case .addToGroup: .addToGroup(try #require(try await setup.directory.findGroups("Engineering", limit: 5).first).ref, expiry: nil)
        case .removeFromGroup: .removeFromGroup(try #require(try await setup.directory.groups(ofUser: user.id).first { $0.type == .okta }).ref)
        case .removeApp: .removeApp(try #require(try await setup.directory.apps(ofUser: user.id).first).ref)
        case .resendActivation: .resendActivation
        default: try await AtMostOnceTests.action(name, directory: setup.directory)
        }
        let receipt = try await setup.directory.perform(action, on: user.id)
        #expect(!receipt.summary.isEmpty)
        #expect(setup.gate.tokensIssued == 2, "renewed once after the tokens ended: \(setup.gate.refusals)")
    }

    @Test func aNewUserIsCreatedWithOnlyTheServiceApp() async throws {
        let setup = try Self.setup()
        defer { setup.standIn.stop() }
        let profile = NewUserProfile(firstName: "Ana", lastName: "Ruiz", email: Fixtures.email("ana.ruiz@example.com"), login: "ana.ruiz@example.com")
        let receipt = try await setup.directory.createUser(profile)
        #expect(receipt.summary.contains("created ana.ruiz@example.com"))
        #expect(await setup.standIn.tenant.user(idOrLogin: "ana.ruiz@example.com")?.status == .staged)
    }

    @Test func theTokenEndpointsRateLimitIsWaitedFor() async throws {
        let setup = try Self.setup()
        defer { setup.standIn.stop() }
        setup.standIn.inject(.init("POST", "/oauth2/v1/token", .status(429)))
        _ = try await setup.directory.user(.email(Fixtures.email("jane.doe@example.com")))
        #expect(setup.standIn.count("POST", "/oauth2/v1/token") == 2 && setup.gate.tokensIssued == 1)
    }

    @Test(arguments: [false, true]) func aKeyFileMayHoldAJWK(rsa: Bool) async throws {
        let original = rsa ? try SigningKey.generateRSA() : try SigningKey.generateP256()
        let jwk = String(decoding: try JSONSerialization.data(withJSONObject: original.privateJWK), as: UTF8.self)
        let read = try SigningKey(jwk: jwk)
        #expect(read.publicJWK == original.publicJWK && read.algorithm == original.algorithm)
        let setup = try Self.setup()
        defer { setup.standIn.stop() }
        let gate = OAuthGate(app: .init(clientID: Self.clientID, publicKeyPEM: original.pem(privatePart: false), grantedScopes: Set(OAuthApp.defaultScopes)))
        setup.standIn.requireOAuth(gate)
        let client = OktaHTTPClient(settings: OktaSettings(org: try OrgURL(setup.standIn.orgURL), credential: .oauth(OAuthApp(clientID: Self.clientID, key: read, scopes: OAuthApp.defaultScopes))))
        _ = try await OktaDirectory(client: client).user(.email(Fixtures.email("jane.doe@example.com")))
        #expect(gate.tokensIssued == 1, "the key read from the JWK signs what the registered public key verifies")
        #expect(throws: KeyProblem.self) { try SigningKey(jwk: #"{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}"#) }
        #expect(throws: KeyProblem.self) { try SigningKey(jwk: #"{"kty":"oct","k":"AA"}"#) }
    }
}
