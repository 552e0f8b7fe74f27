import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import OktaClient
import Testing

@Suite struct SimulatedTenantTests {
    let tenant = SimulatedTenant()

    func user(_ login: String) async throws -> DirectoryUser {
        try await tenant.user(.login("\(login)@example.com"))
    }

    func group(_ name: String) async throws -> DirectoryGroup {
        try #require(try await tenant.findGroups(name, limit: 5).first { $0.name == name })
    }

    @Test func theSeedHasEveryStatusManagersGroupTypesAndApps() async throws {
        let seed = TenantSeed.demo()
        #expect((20...30).contains(seed.users.count))
        #expect(Set(seed.users.map(\.status)) == Set(UserStatus.allCases))
        #expect(Set(seed.groups.map(\.type)) == ["OKTA_GROUP", "APP_GROUP", "BUILT_IN"])
        #expect(seed.apps.count >= 6)
        let logins = Set(seed.users.map(\.login))
        for user in seed.users {
            if let manager = user.manager { #expect(logins.contains(manager), "\(user.login)'s manager") }
        }
        let jane = try await user("jane.doe")
        let manager = try await tenant.user(.id(try #require(jane.managerID)))
        #expect(manager.login == "sam.lee@example.com")
        #expect(try await tenant.factors(ofUser: jane.id).count == 3)
    }

    @Test func lookUpsByIdLoginAndEmailAndMisses() async throws {
        let jane = try await user("jane.doe")
        #expect(try await tenant.user(.id(jane.id)) == jane)
        #expect(try await tenant.user(.email(Fixtures.email("JANE.DOE@example.com"))).id == jane.id)
        await #expect { _ = try await tenant.user(.login("nobody@example.com")) } throws: { ($0 as? DirectoryError)?.kind == .notFound }
        #expect(try await tenant.searchUsers("ja", limit: 10).map(\.login) == ["jane.doe@example.com"])
        #expect(try await tenant.searchUsers("gr", limit: 10).isEmpty, "deprovisioned users are left out like Okta's q search")
        #expect(try await tenant.findApps("sales", limit: 5).map(\.label) == ["Salesforce"])
    }

    @Test func lifecycleCallsFollowOktasStatusRules() async throws {
        let tom = try await user("tom.becker")
        #expect(tom.status == .suspended)
        await #expect { _ = try await tenant.suspend(userID: tom.id) } throws: { ($0 as? DirectoryError)?.kind == .invalid }
        _ = try await tenant.unsuspend(userID: tom.id)
        #expect(try await tenant.user(.id(tom.id)).status == .active)

        let omar = try await user("omar.haddad")
        _ = try await tenant.unlock(userID: omar.id)
        #expect(try await tenant.user(.id(omar.id)).status == .active)
        await #expect { _ = try await tenant.unlock(userID: omar.id) } throws: { ($0 as? DirectoryError)?.kind == .invalid }

        let hannah = try await user("hannah.muller")
        await #expect {
            _ = try await tenant.unlock(userID: hannah.id)
        } throws: { "\($0)".contains("ACTIVE_DIRECTORY") }

        let nina = try await user("nina.petrova")
        await #expect { _ = try await tenant.suspend(userID: nina.id) } throws: { ($0 as? DirectoryError)?.kind == .invalid }
        _ = try await tenant.activate(userID: nina.id, sendEmail: true)
        #expect(try await tenant.user(.id(nina.id)).status == .active)

        let link = try await tenant.resetPassword(userID: omar.id, sendEmail: false)
        #expect(link.oneTimeLink != nil)
        #expect(try await tenant.user(.id(omar.id)).status == .recovery)
    }

    @Test func groupRulesMatchOkta() async throws {
        let jane = try await user("jane.doe")
        let vpn = try await group("VPN Users")
        let engineering = try await group("Engineering")
        let domainUsers = try await group("AD: Domain Users")
        let everyone = try await group("Everyone")

        #expect(try await tenant.addToGroup(userID: jane.id, groupID: vpn.id).summary == "already a member of VPN Users")
        #expect(try await tenant.addToGroup(userID: jane.id, groupID: engineering.id).summary == "added to Engineering")
        #expect(try await tenant.removeFromGroup(userID: jane.id, groupID: engineering.id).summary == "removed from Engineering")
        #expect(try await tenant.removeFromGroup(userID: jane.id, groupID: engineering.id).alreadyDone)
        for refused in [domainUsers, everyone] {
            await #expect { _ = try await tenant.addToGroup(userID: jane.id, groupID: refused.id) } throws: { ($0 as? DirectoryError)?.kind == .notAllowed }
        }
        #expect(await tenant.actionCount(.addToGroup) == 1)
        #expect(await tenant.actionCount(.removeFromGroup) == 1)
    }

    @Test func resetMFACountsFactorsAndLinksFollowTheState() async throws {
        let jane = try await user("jane.doe")
        #expect(jane.allowedOperations?.contains("resetFactors") == true)
        #expect(try await tenant.resetFactors(userID: jane.id).summary == "reset 3 factors")
        #expect(try await tenant.factors(ofUser: jane.id).isEmpty)
        #expect(try await tenant.user(.id(jane.id)).allowedOperations?.contains("resetFactors") == false)
        #expect(try await tenant.resetFactors(userID: jane.id).alreadyDone)
    }

    @Test func plannedFaultsFailBeforeOrAfterTheChange() async throws {
        let sam = try await user("sam.lee")
        await tenant.failNext(.suspend, with: DirectoryError(kind: .outcomeUnknown), afterApplying: true)
        await #expect { _ = try await tenant.suspend(userID: sam.id) } throws: { ($0 as? DirectoryError)?.kind == .outcomeUnknown }
        #expect(try await tenant.user(.id(sam.id)).status == .suspended, "the change happened; only the answer was lost")

        await tenant.failNext(nil, with: DirectoryError(kind: .forbidden))
        await #expect { _ = try await tenant.unsuspend(userID: sam.id) } throws: { ($0 as? DirectoryError)?.kind == .forbidden }
        #expect(try await tenant.user(.id(sam.id)).status == .suspended)
    }
}
