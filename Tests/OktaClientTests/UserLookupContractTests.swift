import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import OktaClient
import Testing

/// One contract for finding a requester by email, run against the simulated tenant and against the
/// HTTP client talking to an Okta stand-in: only a user whose profile email is the request's is
/// accepted — never one whose login (or login's short name) happens to be that address.
@Suite struct UserLookupContractTests {
    /// B's login is A's email; C has a login but another email; two people share an email.
    static func tenant() async -> SimulatedTenant {
        let tenant = SimulatedTenant()
        func user(_ id: String, login: String, email: String, _ first: String) -> DirectoryUser {
            DirectoryUser(id: id, login: login, email: email, firstName: first, lastName: "Test", status: .active)
        }
        await tenant.add(user("00ualice", login: "alice.w", email: "alice@corp.example.com", "Alice"))
        await tenant.add(user("00ubob", login: "alice@corp.example.com", email: "bob@corp.example.com", "Bob"))
        await tenant.add(user("00ucarl", login: "carl@corp.example.com", email: "carl.private@mail.example.org", "Carl"))
        await tenant.add(user("00ushared1", login: "pat.one", email: "pat@corp.example.com", "Pat"))
        await tenant.add(user("00ushared2", login: "pat.two", email: "PAT@corp.example.com", "Patricia"))
        return tenant
    }

    enum Side: String, CaseIterable { case simulated, http }

    func directory(_ side: Side, _ tenant: SimulatedTenant) throws -> (any IdentityDirectory, OktaStandIn?) {
        switch side {
        case .simulated: return (tenant, nil)
        case .http:
            let standIn = try OktaStandIn(tenant: tenant)
            let settings = OktaSettings(org: try OrgURL(standIn.orgURL), token: try APIToken(standIn.token))
            return (OktaDirectory(client: OktaHTTPClient(settings: settings)), standIn)
        }
    }

    @Test(arguments: Side.allCases)
    func theUserWhoseEmailItIsNotTheOneWhoseLoginItIs(_ side: Side) async throws {
        let (directory, standIn) = try directory(side, await Self.tenant())
        defer { standIn?.stop() }
        #expect(try await directory.user(.email(Fixtures.email("alice@corp.example.com"))).id == "00ualice")
        #expect(try await directory.user(.email(Fixtures.email("ALICE@Corp.Example.com"))).id == "00ualice", "in any case")
        #expect(try await directory.user(.email(Fixtures.email("bob@corp.example.com"))).id == "00ubob")
    }

    @Test(arguments: Side.allCases)
    func anAddressThatIsOnlyALoginFindsNobody(_ side: Side) async throws {
        let (directory, standIn) = try directory(side, await Self.tenant())
        defer { standIn?.stop() }
        await #expect { try await directory.user(.email(Fixtures.email("carl@corp.example.com"))) } throws: { ($0 as? DirectoryError)?.kind == .notFound }
        await #expect { try await directory.user(.email(Fixtures.email("nobody@corp.example.com"))) } throws: { ($0 as? DirectoryError)?.kind == .notFound }
        if let standIn {
            #expect(!standIn.requests.contains { $0.hasPrefix("GET /api/v1/users/") && $0.contains("@") }, "never GET /users/{address}: \(standIn.requests)")
        }
    }

    @Test(arguments: Side.allCases)
    func aSharedEmailIsRefusedNamingEveryLogin(_ side: Side) async throws {
        let (directory, standIn) = try directory(side, await Self.tenant())
        defer { standIn?.stop() }
        await #expect {
            try await directory.user(.email(Fixtures.email("pat@corp.example.com")))
        } throws: { error in
            let failure = error as? DirectoryError
            return failure?.kind == .notAllowed && failure?.message.contains("several Okta users have the email pat@corp.example.com (logins pat.one, pat.two)") == true
        }
    }

    @Test func getByLoginStillFindsWhatOktaFinds() async throws {
        let tenant = await Self.tenant()
        #expect(await tenant.user(idOrLogin: "alice@corp.example.com")?.id == "00ubob", "Okta's GET /users/{login} answers with Bob — why the email look-up never uses it")
        #expect(await tenant.user(idOrLogin: "carl")?.id == "00ucarl", "and with a login's short name")
    }
}
