import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import OktaClient
import Testing

/// A changing call reaches Okta at most once, whatever the connection does: Okta's stand-in does
/// the call and then drops the connection, on a fresh connection and after the client has kept
/// connections alive to it. The answer is lost, so the outcome is unknown — and never sent again.
@Suite struct AtMostOnceTests {
    /// Every action whose call is not safe to repeat, with the POST it sends and a user it applies to.
    static let changingCalls: [(ActionName, String, String)] = [
        (.resetMFA, "/lifecycle/reset_factors", "jane.doe@example.com"),
        (.suspend, "/lifecycle/suspend", "jane.doe@example.com"),
        (.unsuspend, "/lifecycle/unsuspend", "tom.becker@example.com"),
        (.unlock, "/lifecycle/unlock", "zoe.martin@example.com"),
        (.activate, "/lifecycle/activate", "nina.petrova@example.com"),
        (.deactivate, "/lifecycle/deactivate", "jane.doe@example.com"),
        (.resetPassword, "/lifecycle/reset_password", "jane.doe@example.com"),
        (.expirePassword, "/lifecycle/expire_password", "jane.doe@example.com"),
        (.assignApp, "/users", "jane.doe@example.com"),
    ]

    static func directory(_ standIn: OktaStandIn, timeout: TimeInterval = 20) throws -> OktaDirectory {
        var settings = OktaSettings(org: try OrgURL(standIn.orgURL), token: try APIToken(standIn.token))
        settings.timeout = timeout
        return OktaDirectory(client: OktaHTTPClient(settings: settings))
    }

    static func action(_ name: ActionName, directory: OktaDirectory) async throws -> OktaAction {
        switch name {
        case .assignApp: .assignApp(try await directory.findApps("Zoom", limit: 5).first!.ref, expiry: nil)
        case .resetPassword: .resetPassword(sendEmail: true)
        case .activate: .activate(sendEmail: true)
        case .resetMFA: .resetMFA
        case .suspend: .suspend
        case .unsuspend: .unsuspend
        case .unlock: .unlock
        case .deactivate: .deactivate
        default: .expirePassword
        }
    }

    @Test(arguments: changingCalls.map(\.0), [false, true])
    func aDroppedAnswerIsUnknownAndTheCallWasSentOnce(_ name: ActionName, keptAlive: Bool) async throws {
        let (_, path, email) = try #require(Self.changingCalls.first { $0.0 == name })
        let standIn = try OktaStandIn()
        defer { standIn.stop() }
        let directory = try Self.directory(standIn)
        let user = try await directory.user(.email(Fixtures.email(email)))
        let action = try await Self.action(name, directory: directory)
        if keptAlive {
            // Connections the client keeps alive to the org, used by look-ups and an earlier change.
            for _ in 0..<3 { _ = try await directory.groups(ofUser: user.id) }
            _ = try await directory.revokeSessions(userID: user.id, oauthTokens: false)
        }
        standIn.inject(.init("POST", path, .dropAfterDoing))
        await #expect {
            try await directory.perform(action, on: user.id)
        } throws: { error in
            (error as? DirectoryError)?.kind == .outcomeUnknown
        }
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(standIn.count("POST", path) == 1, "\(standIn.requests)")
    }

    @Test func everyChangeGoesOnAConnectionOfItsOwnThatIsResetAfter() async throws {
        let standIn = try OktaStandIn()
        defer { standIn.stop() }
        let directory = try Self.directory(standIn)
        let user = try await directory.user(.email(Fixtures.email("jane.doe@example.com")))
        let group = try #require(try await directory.findGroups("Engineering", limit: 5).first)
        for _ in 0..<2 {
            _ = try await directory.groups(ofUser: user.id)
            _ = try await directory.addToGroup(userID: user.id, groupID: group.id)
            _ = try await directory.groups(ofUser: user.id)
            _ = try await directory.removeFromGroup(userID: user.id, groupID: group.id)
            _ = try await directory.revokeSessions(userID: user.id, oauthTokens: false)
        }
        let log = standIn.requestsByConnection
        let changes = log.filter { !$0.request.hasPrefix("GET ") }
        #expect(changes.count == 6, "\(log)")
        for change in changes {
            #expect(log.filter { $0.connection == change.connection }.count == 1, "\(change.request) shared its connection: \(log)")
        }
        #expect(Set(log.map(\.connection)).count < log.count, "look-ups keep their connections alive")
        #expect(await eventually { changes.allSatisfy { standIn.connectionEndings[$0.connection] == "reset" } },
                "a change's connection is closed without lingering: \(standIn.connectionEndings)")
    }

    @Test func aHungChangingCallIsGivenUpAtTheTimeoutAndNotRepeated() async throws {
        let standIn = try OktaStandIn()
        defer { standIn.stop() }
        let directory = try Self.directory(standIn, timeout: 1)
        let user = try #require(await standIn.tenant.users(withEmail: Fixtures.email("jane.doe@example.com")).first)
        standIn.inject(.init("POST", "/lifecycle/suspend", .stall(30)))
        await #expect {
            try await directory.suspend(userID: user.id)
        } throws: { ($0 as? DirectoryError)?.kind == .outcomeUnknown }
        #expect(!standIn.answered.contains { $0.request.hasSuffix("/lifecycle/suspend") }, "given up before the stand-in, stalled 30 s, answered")
        #expect(standIn.count("POST", "/lifecycle/suspend") == 1)
    }

    @Test func aChangingCallIsNotSentPastItsRunsDeadline() async throws {
        let standIn = try OktaStandIn()
        defer { standIn.stop() }
        let directory = try Self.directory(standIn)
        let user = try await directory.user(.email(Fixtures.email("jane.doe@example.com")))
        await #expect {
            try await ActionDeadline.$current.withValue(Date().addingTimeInterval(-1)) { try await directory.suspend(userID: user.id) }
        } throws: { error in
            let failure = error as? DirectoryError
            return failure?.kind == .unavailable && failure?.summary?.contains("its time to be sent had passed") == true
        }
        #expect(standIn.count("POST", "/lifecycle/suspend") == 0)
        #expect(try await standIn.tenant.user(.id(user.id)).status == .active)
    }

    @Test func anOversizedAnswerIsRefusedWithoutBeingHeld() async throws {
        let standIn = try OktaStandIn()
        defer { standIn.stop() }
        let directory = try Self.directory(standIn)
        standIn.inject(.init("GET", "/groups", .hugeBody(20 << 20)))
        await #expect {
            try await directory.findGroups("a", limit: 5)
        } throws: { error in
            let failure = error as? DirectoryError
            return failure?.kind == .invalid && failure?.summary?.contains("more than the client reads") == true
        }
        #expect(try await directory.findGroups("VPN", limit: 5).map(\.name) == ["VPN Users"], "the next answer is read as usual")
    }

    @Test func aSafeLookUpIsRetriedAfterADroppedAnswer() async throws {
        let standIn = try OktaStandIn()
        defer { standIn.stop() }
        let settings = OktaSettings(org: try OrgURL(standIn.orgURL), token: try APIToken(standIn.token))
        let directory = OktaDirectory(client: OktaHTTPClient(settings: settings, sleeper: InstantSleeper()))
        standIn.inject(.init("GET", "/groups", .dropBeforeDoing))
        #expect(try await directory.findGroups("VPN", limit: 5).map(\.name) == ["VPN Users"])
        #expect(standIn.count("GET", "/groups") == 2)
    }
}

/// Waits no time (retry backoff in tests).
struct InstantSleeper: Sleeper {
    func sleep(seconds: TimeInterval) async throws {}
}

/// Groups and apps are read once and kept; Okta saying one is gone drops it.
@Suite struct LookupCacheTests {
    @Test func anAppIsReadOnceForManyAssignmentsAndAgainAfterOktaSaysItIsGone() async throws {
        let standIn = try OktaStandIn()
        defer { standIn.stop() }
        let directory = try AtMostOnceTests.directory(standIn)
        guard let app = try await directory.findApps("S", limit: 5).first else { Issue.record("the tenant has no app starting with S"); return }
        var users: [DirectoryUser] = []
        for letter in ["a", "e", "i", "o", "s", "m"] {
            for user in try await directory.searchUsers(letter, limit: 10) where !users.contains(where: { $0.id == user.id }) { users.append(user) }
        }
        try #require(users.count >= 4)
        for user in users.prefix(3) { _ = try await directory.assignApp(userID: user.id, appID: app.id) }
        #expect(standIn.count("GET", "/apps/\(app.id)") == 1, "\(standIn.requests)")
        standIn.inject(.init("POST", "/apps/\(app.id)/users", .status(404)))
        let other = users[3]
        _ = try? await directory.removeApp(userID: other.id, appID: app.id)
        await #expect(throws: DirectoryError.self) { try await directory.assignApp(userID: other.id, appID: app.id) }
        _ = try await directory.assignApp(userID: other.id, appID: app.id)
        #expect(standIn.count("GET", "/apps/\(app.id)") == 2, "read again after the 404: \(standIn.requests)")
    }
}
