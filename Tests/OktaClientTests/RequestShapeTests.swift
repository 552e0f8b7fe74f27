import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import OktaClient
import Testing

@Suite struct RequestShapeTests {
    static let token = "00abcdefghijklmnopqrstuvwxyz0123456789ABCD"

    func directory(_ transport: StubTransport) throws -> OktaDirectory {
        let settings = OktaSettings(org: try OrgURL("https://acme.okta.com"), token: try APIToken(Self.token))
        let clock = ManualClock()
        return OktaDirectory(client: OktaHTTPClient(settings: settings, transport: transport, clock: clock, sleeper: RecordingSleeper(clock: clock)), clock: clock)
    }

    /// Runs one operation and returns the lines sent.
    func sent(_ transport: StubTransport = OktaRoutes.transport(), _ operation: (OktaDirectory) async throws -> Void) async throws -> [String] {
        try await operation(try directory(transport))
        return transport.lines
    }

    @Test func everyRequestCarriesTheTokenAgentAndAccept() async throws {
        let transport = OktaRoutes.transport()
        _ = try await directory(transport).user(.id("00u1"))
        let request = try #require(transport.requests.first)
        #expect(request.headers["Authorization"] == "SSWS \(Self.token)")
        #expect(request.headers["Accept"] == "application/json")
        #expect(request.headers["User-Agent"]?.hasPrefix("helpdesk/\(HelpdeskVersion.current)") == true)
        #expect(request.timeout == 20)
    }

    @Test func lookUpsSendTheSpecsRequests() async throws {
        #expect(try await sent { _ = try await $0.user(.id("00u1")) } == ["GET /api/v1/users/00u1"])
        #expect(try await sent { _ = try await $0.user(.login("jane.doe@example.com")) } == ["GET /api/v1/users/jane.doe%40example.com"])
        #expect(try await sent { _ = try await $0.searchUsers("jan", limit: 10) } == ["GET /api/v1/users?q=jan&limit=10"])
        #expect(try await sent { _ = try await $0.findGroups("VPN Us", limit: 20) } == ["GET /api/v1/groups?q=VPN%20Us&limit=20"])
        #expect(try await sent { _ = try await $0.findApps("sales", limit: 20) } == ["GET /api/v1/apps?q=sales&limit=20"])
        #expect(try await sent { _ = try await $0.group(id: "00g1") } == ["GET /api/v1/groups/00g1"])
        #expect(try await sent { _ = try await $0.app(id: "0oa1") } == ["GET /api/v1/apps/0oa1"])
        #expect(try await sent { _ = try await $0.groups(ofUser: "00u1") } == ["GET /api/v1/users/00u1/groups"])
        #expect(try await sent { _ = try await $0.apps(ofUser: "00u1") } == ["GET /api/v1/users/00u1/appLinks"])
        #expect(try await sent { _ = try await $0.factors(ofUser: "00u1") } == ["GET /api/v1/users/00u1/factors"])
        #expect(try await sent { _ = try await $0.isAssigned(userID: "00u1", appID: "0oa1") } == ["GET /api/v1/apps/0oa1/users/00u1"])
        let logs = try await sent { _ = try await $0.signIns(ofUser: "00u1", limit: 5) }
        #expect(logs.count == 1)
        #expect(logs[0].hasPrefix("GET /api/v1/logs?filter=eventType%20eq%20%22user.session.start%22%20and%20actor.id%20eq%20%2200u1%22&since=2026-"))
        #expect(logs[0].hasSuffix("&sortOrder=DESCENDING&limit=5"))
    }

    @Test func aUserByEmailIsSearchedByProfileEmailOnlyNeverByLogin() async throws {
        let transport = StubTransport { request, _ in
            request.url.path == "/api/v1/users" ? .json(200, "[\(OktaRoutes.user)]") : .json(200, OktaRoutes.user)
        }
        let user = try await directory(transport).user(.email(Fixtures.email("Jane.Doe@example.com")))
        #expect(user.id == "00u1")
        #expect(transport.lines == [
            "GET /api/v1/users?search=profile.email%20eq%20%22jane.doe%40example.com%22&limit=200",
            "GET /api/v1/users/00u1",
        ], "GET /users/{email} would also match a login or a login's short name")
    }

    @Test func theUserCardReadsStatusManagerAndAllowedOperations() async throws {
        let user = try await directory(OktaRoutes.transport()).user(.id("00u1"))
        #expect(user.status == .active)
        #expect(user.managerID == "00u2")
        #expect(user.displayName == "Jane Doe")
        #expect(user.allowedOperations == ["suspend", "resetFactors"])
        #expect(user.isOktaSourced)
        #expect(user.lastLogin == Timestamp.parse("2026-11-20T10:00:00Z"))
    }

    @Test func actionsSendTheSpecsRequests() async throws {
        #expect(try await sent { _ = try await $0.resetFactors(userID: "00u1") }
                == ["GET /api/v1/users/00u1/factors", "POST /api/v1/users/00u1/lifecycle/reset_factors"])
        #expect(try await sent { _ = try await $0.resetFactor(userID: "00u1", factorID: "mbl1") } == ["DELETE /api/v1/users/00u1/factors/mbl1"])
        #expect(try await sent { _ = try await $0.revokeSessions(userID: "00u1", oauthTokens: true) } == ["DELETE /api/v1/users/00u1/sessions?oauthTokens=true"])
        #expect(try await sent(OktaRoutes.transport(memberOf: [])) { _ = try await $0.addToGroup(userID: "00u1", groupID: "00g1") }
                == ["GET /api/v1/groups/00g1", "PUT /api/v1/groups/00g1/users/00u1"], "the add is the PUT alone")
        #expect(try await sent { _ = try await $0.removeFromGroup(userID: "00u1", groupID: "00g1") }
                == ["GET /api/v1/groups/00g1", "GET /api/v1/users/00u1/groups", "DELETE /api/v1/groups/00g1/users/00u1"])
        #expect(try await sent { _ = try await $0.assignApp(userID: "00u1", appID: "0oa2") }
                == ["GET /api/v1/apps/0oa2", "GET /api/v1/apps/0oa2/users/00u1", "POST /api/v1/apps/0oa2/users"])
        #expect(try await sent(OktaRoutes.transport(assigned: true)) { _ = try await $0.removeApp(userID: "00u1", appID: "0oa1") }
                == ["GET /api/v1/apps/0oa1", "GET /api/v1/apps/0oa1/users/00u1", "DELETE /api/v1/apps/0oa1/users/00u1"])
        #expect(try await sent { _ = try await $0.suspend(userID: "00u1") } == ["POST /api/v1/users/00u1/lifecycle/suspend"])
        #expect(try await sent { _ = try await $0.unsuspend(userID: "00u1") } == ["POST /api/v1/users/00u1/lifecycle/unsuspend"])
        #expect(try await sent { _ = try await $0.unlock(userID: "00u1") } == ["POST /api/v1/users/00u1/lifecycle/unlock"])
        #expect(try await sent { _ = try await $0.activate(userID: "00u1", sendEmail: false) } == ["POST /api/v1/users/00u1/lifecycle/activate?sendEmail=false"])
        #expect(try await sent { _ = try await $0.deactivate(userID: "00u1") } == ["POST /api/v1/users/00u1/lifecycle/deactivate"])
        #expect(try await sent { _ = try await $0.resetPassword(userID: "00u1", sendEmail: true) } == ["POST /api/v1/users/00u1/lifecycle/reset_password?sendEmail=true"])
        #expect(try await sent { _ = try await $0.expirePassword(userID: "00u1") } == ["POST /api/v1/users/00u1/lifecycle/expire_password"])
    }

    @Test func assignAppSendsTheUserWithDirectScope() async throws {
        let transport = OktaRoutes.transport()
        let receipt = try await directory(transport).assignApp(userID: "00u1", appID: "0oa2")
        let post = try #require(transport.requests.last)
        #expect(post.headers["Content-Type"] == "application/json")
        #expect(String(decoding: post.body ?? Data(), as: UTF8.self) == #"{"id":"00u1","scope":"USER"}"#)
        #expect(receipt.summary == "assigned Salesforce")
        #expect(receipt.requestID == "req-stub")
    }

    @Test func lifecycleCallsSendNoBody() async throws {
        let transport = OktaRoutes.transport()
        _ = try await directory(transport).suspend(userID: "00u1")
        #expect(transport.requests.last?.body == nil)
        #expect(transport.requests.last?.headers["Content-Type"] == nil)
    }

    @Test func resetMFAReportsHowManyFactorsWereReset() async throws {
        let receipt = try await directory(OktaRoutes.transport()).resetFactors(userID: "00u1")
        #expect(receipt.summary == "reset 2 factors")
        #expect(!receipt.alreadyDone)
    }

    @Test func aOneTimeResetLinkIsReturnedNotLogged() async throws {
        let receipt = try await directory(OktaRoutes.transport()).resetPassword(userID: "00u1", sendEmail: false)
        #expect(receipt.oneTimeLink == "https://acme.okta.com/reset_password/drpXYZ")
        #expect(!receipt.summary.contains("drpXYZ"))
    }

    @Test func removingAccessThatIsGoneSucceedsAsAlreadyRemoved() async throws {
        let notMember = OktaRoutes.transport(memberOf: [])
        let group = try await directory(notMember).removeFromGroup(userID: "00u1", groupID: "00g1")
        #expect(group.alreadyDone)
        #expect(group.summary == "already removed from VPN Users")
        #expect(!notMember.lines.contains { $0.hasPrefix("DELETE") })

        let app = try await directory(OktaRoutes.transport(assigned: false)).removeApp(userID: "00u1", appID: "0oa1")
        #expect(app.alreadyDone)
        #expect(app.summary == "already removed from Salesforce")

        // Someone removed it between the read and the DELETE: Okta's 404, then its list without it.
        let gone = StubTransport { request, index in
            switch request.method {
            case "GET" where request.url.path.hasSuffix("/groups"): .json(200, index < 3 ? "[\(OktaRoutes.groupOkta)]" : "[]")
            case "GET": .json(200, OktaRoutes.groupOkta)
            default: .json(404, #"{"errorCode":"E0000007","errorSummary":"Not found"}"#)
            }
        }
        let raced = try await directory(gone).removeFromGroup(userID: "00u1", groupID: "00g1")
        #expect(raced.alreadyDone, "a 404 on the DELETE, and the list without it, mean someone removed it first")

        // Okta's 404 while its list still has the membership is not taken for done.
        let listed = StubTransport { request, _ in
            switch request.method {
            case "GET" where request.url.path.hasSuffix("/groups"): .json(200, "[\(OktaRoutes.groupOkta)]")
            case "GET": .json(200, OktaRoutes.groupOkta)
            default: .json(404, #"{"errorCode":"E0000007","errorSummary":"Not found"}"#)
            }
        }
        await #expect { _ = try await directory(listed).removeFromGroup(userID: "00u1", groupID: "00g1") } throws: { error in
            (error as? DirectoryError)?.summary?.contains("but still lists the membership") == true
        }

        // A 404 that is not Okta's (a proxy's page) is neither "gone" for a read nor "already removed" for a change.
        let proxied = StubTransport { request, _ in
            switch request.method {
            case "GET" where request.url.path.hasSuffix("/groups"): .json(200, "[\(OktaRoutes.groupOkta)]")
            case "GET": .json(200, OktaRoutes.groupOkta)
            default: .init(status: 404, headers: ["Content-Type": "text/html"], body: Data("<html>Not Found</html>".utf8))
            }
        }
        await #expect { _ = try await directory(proxied).removeFromGroup(userID: "00u1", groupID: "00g1") } throws: { error in
            (error as? DirectoryError)?.kind == .outcomeUnknown && (error as? DirectoryError)?.message.contains("HTTP 404 without Okta's error") == true
        }
        let proxiedRead = StubTransport(always: .init(status: 404, headers: ["Content-Type": "text/html"], body: Data("<html>Not Found</html>".utf8)))
        await #expect { _ = try await directory(proxiedRead).user(.id("00u1")) } throws: { ($0 as? DirectoryError)?.kind == .unavailable }

        // A gateway's JSON error is not Okta's either: Okta's codes are E and seven digits.
        for body in [#"{"errorCode":"NOT_FOUND","message":"no route to upstream"}"#, #"{"errorCode":""}"#, #"{"errorCode":"404"}"#] {
            let gateway = StubTransport(always: .json(404, body))
            await #expect { _ = try await directory(gateway).user(.id("00u1")) } throws: { ($0 as? DirectoryError)?.kind == .unavailable }
            await #expect { _ = try await directory(gateway).resetFactor(userID: "00u1", factorID: "mbl1") } throws: { ($0 as? DirectoryError)?.kind == .outcomeUnknown }
        }

        // A factor Okta answers 404 for while still listing it is not taken for removed.
        let stillEnrolled = StubTransport { request, _ in
            request.method == "GET" ? .json(200, OktaRoutes.factors) : .json(404, #"{"errorCode":"E0000007","errorSummary":"Not found"}"#)
        }
        await #expect { _ = try await directory(stillEnrolled).resetFactor(userID: "00u1", factorID: "mbl1") } throws: { error in
            (error as? DirectoryError)?.summary?.contains("but still lists the factor") == true
        }

        let factor = try await directory(StubTransport(always: .json(404, #"{"errorCode":"E0000007"}"#))).resetFactor(userID: "00u1", factorID: "x")
        #expect(factor.alreadyDone)
    }

    @Test func addingAnExistingMemberIsTheSameAddAndAnExistingAssignmentIsLeftAlone() async throws {
        let transport = OktaRoutes.transport(memberOf: ["00g1"])
        let receipt = try await directory(transport).addToGroup(userID: "00u1", groupID: "00g1")
        #expect(receipt.summary == "now a member of VPN Users", "Okta's PUT answers alike whether or not she was a member")
        #expect(transport.lines.contains { $0.hasPrefix("PUT") })
        let assigned = try await directory(OktaRoutes.transport(assigned: true)).assignApp(userID: "00u1", appID: "0oa1")
        #expect(assigned.summary == "already assigned Salesforce")
    }

    @Test func groupsOtherThanOktaGroupsAreRefusedBeforeAnyChange() async throws {
        let transport = OktaRoutes.transport()
        await #expect {
            _ = try await directory(transport).addToGroup(userID: "00u1", groupID: "00gAD")
        } throws: { error in
            let error = error as? DirectoryError
            return error?.kind == .notAllowed && error?.message.contains("APP_GROUP") == true && error?.message.contains("Active Directory") == true
        }
        #expect(transport.lines == ["GET /api/v1/groups/00gAD"])
    }

    @Test func groupScopedAppAssignmentsAreNotRemovedDirectly() async throws {
        let transport = OktaRoutes.transport(assigned: true, appScope: "GROUP")
        await #expect(throws: DirectoryError.self) { _ = try await directory(transport).removeApp(userID: "00u1", appID: "0oa1") }
        #expect(!transport.lines.contains { $0.hasPrefix("DELETE") })
    }
}
