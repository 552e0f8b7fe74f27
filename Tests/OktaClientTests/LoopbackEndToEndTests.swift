import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import OktaClient
import Testing

/// The real URLSession path against an Okta stand-in on 127.0.0.1.
@Suite struct LoopbackEndToEndTests {
    static let token = "00loopbackTOKENloopbackTOKEN0123456789"

    static func standIn() throws -> LoopbackHTTPServer {
        let box = ServerBox()
        let server = try LoopbackHTTPServer { request in
            guard request.header("Authorization") == "SSWS \(token)" else {
                return .json(401, #"{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorCauses":[]}"#, headers: ["X-Okta-Request-Id": "req-401"])
            }
            let limits = ["X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": "99", "X-Rate-Limit-Reset": "\(Int(Date().timeIntervalSince1970) + 60)",
                          "X-Okta-Request-Id": "req-\(request.method)-\(request.path.count)"]
            switch (request.method, request.target) {
            case ("GET", "/api/v1/users/00u1"):
                return .json(200, OktaRoutes.user, headers: limits)
            case ("GET", "/api/v1/users/00u1/groups"):
                return .json(200, "[\(OktaRoutes.groupOkta)]", headers: limits.merging(["Link": "<\(box.base)/api/v1/users/00u1/groups?after=p2>; rel=\"next\""]) { $1 })
            case ("GET", "/api/v1/users/00u1/groups?after=p2"):
                return .json(200, #"[{"id":"00g9","type":"OKTA_GROUP","profile":{"name":"Second page"}}]"#, headers: limits)
            case ("POST", "/api/v1/users/00u1/lifecycle/suspend"):
                return .json(200, "{}", headers: limits.merging(["X-Okta-Request-Id": "req-suspend-1"]) { $1 })
            case ("POST", "/api/v1/apps/0oa2/users"):
                return request.body == Data(#"{"id":"00u1","scope":"USER"}"#.utf8) ? .json(200, #"{"id":"00u1","scope":"USER"}"#, headers: limits) : .json(400, "{}")
            case ("GET", "/api/v1/apps/0oa2"):
                return .json(200, OktaRoutes.app, headers: limits)
            case ("GET", "/api/v1/apps/0oa2/users/00u1"):
                return .json(404, #"{"errorCode":"E0000007","errorSummary":"Not found"}"#, headers: limits)
            default:
                return .json(404, #"{"errorCode":"E0000007","errorSummary":"Not found: \#(request.target)"}"#, headers: limits)
            }
        }
        box.base = server.baseURL
        return server
    }

    func directory(_ server: LoopbackHTTPServer, token: String = token) throws -> OktaDirectory {
        OktaDirectory(client: OktaHTTPClient(settings: OktaSettings(org: try OrgURL(server.baseURL), token: try APIToken(token))))
    }

    @Test func looksUpActsAndFollowsPagesOverRealHTTP() async throws {
        let server = try Self.standIn()
        defer { server.stop() }
        let directory = try directory(server)
        let user = try await directory.user(.id("00u1"))
        #expect(user.login == "jane.doe@example.com")
        let groups = try await directory.groups(ofUser: "00u1")
        #expect(groups.map(\.name) == ["VPN Users", "Second page"])
        let suspended = try await directory.suspend(userID: "00u1")
        #expect(suspended.requestID == "req-suspend-1")
        let assigned = try await directory.assignApp(userID: "00u1", appID: "0oa2")
        #expect(assigned.summary == "assigned Salesforce")
        let snapshot = await directory.client.rateLimiter.snapshot("users")
        #expect(snapshot?.limit == 100)
        #expect(snapshot?.inFlight == 0)
    }

    @Test func aWrongTokenIsReportedAsSuchWithTheRequestID() async throws {
        let server = try Self.standIn()
        defer { server.stop() }
        await #expect {
            _ = try await directory(server, token: "00wrongTOKEN").user(.id("00u1"))
        } throws: { error in
            let error = error as? DirectoryError
            return error?.kind == .unauthorized && error?.requestID == "req-401" && error?.description.contains("00wrongTOKEN") == false
        }
    }

    @Test func aClosedPortIsUnavailableNotUnknown() async throws {
        let server = try Self.standIn()
        let url = server.baseURL
        server.stop()
        let directory = OktaDirectory(client: OktaHTTPClient(settings: OktaSettings(org: try OrgURL(url), token: try APIToken(Self.token))))
        await #expect { _ = try await directory.suspend(userID: "00u1") } throws: { ($0 as? DirectoryError)?.kind == .unavailable }
    }
}

/// Lets the stand-in's handler know its own address once the port is bound.
final class ServerBox: @unchecked Sendable {
    // Written once before the first request can arrive; read only by the handler afterwards.
    var base = ""
}
