import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import OktaClient
import Synchronization
import Testing

/// An Okta (or something posing as it) that answers with broken HTTP, endless bodies, loops,
/// look-alike emails and ids that are not ids: every such answer is an error a person can read,
/// nothing crashes, nothing is held whole, and no changing call is recorded as failed when it may
/// have happened.
@Suite struct LyingOktaTests {
    static let token = "00lyingTOKENlyingTOKENlyingTOKEN0123"

    /// A server whose answers `answer` decides; every request is counted.
    final class Liar: Sendable {
        let server: LoopbackHTTPServer
        private let log = RequestLog()

        init(_ answer: @escaping @Sendable (LoopbackHTTPServer.Request, Int) -> LoopbackHTTPServer.Response) throws {
            let log = self.log
            server = try LoopbackHTTPServer { request in answer(request, log.add("\(request.method) \(request.path)")) }
        }

        var requests: [String] { log.all }

        func directory(timeout: TimeInterval = 5) throws -> OktaDirectory {
            var settings = OktaSettings(org: try OrgURL(server.baseURL), token: try APIToken(LyingOktaTests.token))
            settings.timeout = timeout
            return OktaDirectory(client: OktaHTTPClient(settings: settings, sleeper: InstantSleeper()))
        }
    }

    final class RequestLog: Sendable {
        private let lines = Mutex<[String]>([])
        func add(_ line: String) -> Int { lines.withLock { $0.append(line); return $0.count } }
        var all: [String] { lines.withLock { $0 } }
    }

    static let jane = #"{"id":"00ujane","status":"ACTIVE","profile":{"login":"jane@example.com","email":"jane@example.com","firstName":"Jane","lastName":"Doe"}}"#

    @Test func aStatusLineAndThenNothingIsAnErrorNotACrash() async throws {
        let liar = try Liar { _, _ in .raw(Data("HTTP/1.1 200 OK\r\n".utf8)) }
        defer { liar.server.stop() }
        let directory = try liar.directory()
        await #expect { try await directory.findGroups("a", limit: 5) } throws: { ($0 as? DirectoryError)?.kind == .unavailable }
        await #expect { try await directory.suspend(userID: "00ujane") } throws: { ($0 as? DirectoryError)?.kind == .outcomeUnknown }
        #expect(liar.requests.filter { $0.hasPrefix("POST") }.count == 1)
    }

    @Test func anAnswerThatIsNotHTTPAfterAChangeIsUnknownNotNotSent() async throws {
        let liar = try Liar { _, _ in .raw(Data("HELLO\r\n\r\n".utf8)) }
        defer { liar.server.stop() }
        await #expect { try await liar.directory().suspend(userID: "00ujane") } throws: { ($0 as? DirectoryError)?.kind == .outcomeUnknown }
    }

    @Test func anEndlessBodyWithoutALengthIsCutAtTheLimit() async throws {
        let liar = try Liar { _, _ in .raw(Data("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[".utf8) + Data(repeating: 0x20, count: 20 << 20)) }
        defer { liar.server.stop() }
        await #expect {
            try await liar.directory().findGroups("a", limit: 5)
        } throws: { ($0 as? DirectoryError)?.summary?.contains("more than the client reads") == true }
    }

    @Test func aCompressedAnswerIsNotUnpacked() async throws {
        // A gzip stream of spaces; nothing here asks for or undoes compression, so it is read as the bytes it is.
        let gzipped = Data([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]) + Data(repeating: 0x2b, count: 64) + Data(repeating: 0, count: 8)
        let liar = try Liar { _, _ in .init(status: 200, headers: ["Content-Type": "application/json", "Content-Encoding": "gzip"], body: gzipped) }
        defer { liar.server.stop() }
        await #expect { try await liar.directory().findGroups("a", limit: 5) } throws: { ($0 as? DirectoryError)?.kind == .invalid }
    }

    @Test func aChangeWhoseEveryTryLostItsAnswerIsUnknownAndNotSentPastItsDeadline() async throws {
        let liar = try Liar { request, _ in
            switch (request.method, request.path) {
            case ("GET", "/api/v1/groups/00gvpn"): .json(200, #"{"id":"00gvpn","type":"OKTA_GROUP","profile":{"name":"VPN Users"}}"#)
            case ("GET", "/api/v1/users/00ujane/groups"): .json(200, "[]")
            default: .hangUp
            }
        }
        defer { liar.server.stop() }
        let directory = try liar.directory()
        await #expect {
            try await directory.addToGroup(userID: "00ujane", groupID: "00gvpn")
        } throws: { ($0 as? DirectoryError)?.kind == .outcomeUnknown }
        let puts = liar.requests.filter { $0.hasPrefix("PUT") }.count
        #expect(puts >= 1 && puts <= 8, "a membership may be repeated, a few times: \(liar.requests)")

        let before = liar.requests.filter { $0.hasPrefix("PUT") }.count
        await #expect {
            try await ActionDeadline.$current.withValue(Date().addingTimeInterval(-1)) { try await directory.addToGroup(userID: "00ujane", groupID: "00gvpn") }
        } throws: { ($0 as? DirectoryError)?.kind == .unavailable }
        #expect(liar.requests.filter { $0.hasPrefix("PUT") }.count == before, "nothing sent past the run's deadline")
    }

    @Test func anIdThatIsNotAnIdIsNeverPutInAPath() async throws {
        let liar = try Liar { _, _ in .json(200, "{}") }
        defer { liar.server.stop() }
        let directory = try liar.directory()
        for id in ["..", ".", ""] {
            await #expect {
                try await directory.resetFactor(userID: "00ujane", factorID: id)
            } throws: { ($0 as? DirectoryError)?.summary?.contains("cannot be an Okta id") == true }
        }
        #expect(liar.requests.isEmpty)
    }

    @Test func aLookAlikeEmailIsNotTheRequester() async throws {
        let kelvin = #"{"id":"00ukelvin","status":"ACTIVE","profile":{"login":"k@x.example","email":"\u212Aim@example.com","firstName":"K","lastName":"X"}}"#
        let liar = try Liar { _, _ in .json(200, "[\(kelvin)]") }
        defer { liar.server.stop() }
        await #expect { try await liar.directory().user(.email(Fixtures.email("kim@example.com"))) } throws: { ($0 as? DirectoryError)?.kind == .notFound }
        #expect(!Fixtures.email("kim@example.com").matches("\u{212A}im@example.com"))
        #expect(Fixtures.email("kim@example.com").matches("KIM@Example.com"))
    }

    @Test func pagesThatGoRoundOrElsewhereAreRefusedWithoutTheToken() async throws {
        let looping = try Liar { request, _ in
            .json(200, "[]", headers: ["Link": "<http://127.0.0.1:\(request.header("Host")?.split(separator: ":").last ?? "0")/api/v1/users/00ujane/groups>; rel=\"next\""])
        }
        defer { looping.server.stop() }
        await #expect {
            try await looping.directory().groups(ofUser: "00ujane")
        } throws: { ($0 as? DirectoryError)?.summary?.contains("go round in a circle") == true }
        #expect(looping.requests.count <= 2)

        let elsewhere = try Liar { _, _ in .json(200, "[]", headers: ["Link": "<http://\(Self.token).evil.example/x>; rel=\"next\""]) }
        defer { elsewhere.server.stop() }
        await #expect {
            try await elsewhere.directory().groups(ofUser: "00ujane")
        } throws: { error in
            let text = "\(error)"
            return text.contains("another host") && !text.contains(Self.token)
        }
    }

    @Test func aStatusThisBuildDoesNotKnowIsRefusedNotTakenForActive() async throws {
        let liar = try Liar { _, _ in .json(200, #"{"id":"00ujane","status":"ODD","profile":{"login":"jane@example.com","email":"jane@example.com"}}"#) }
        defer { liar.server.stop() }
        await #expect {
            try await liar.directory().user(.id("00ujane"))
        } throws: { ($0 as? DirectoryError)?.summary?.contains("status this build does not know") == true }
    }

    @Test func aResetWhoseLinkCannotBeReadStillHappenedAndAHugeRequestIdIsCut() async throws {
        let liar = try Liar { _, _ in .json(200, #"{"resetPasswordUrl": 5}"#, headers: ["X-Okta-Request-Id": String(repeating: "r", count: 20_000)]) }
        defer { liar.server.stop() }
        let receipt = try await liar.directory().resetPassword(userID: "00ujane", sendEmail: false)
        #expect(receipt.summary.contains("no readable one-time link"))
        #expect(receipt.oneTimeLink == nil)
        #expect((receipt.requestID?.count ?? 0) <= 129)
    }

    /// A 2xx whose body is not JSON came from something in Okta's place (a proxy's page): a call
    /// that changes Okta is "outcome unknown", for reconcile to read Okta's state, never done; a
    /// read is refused.
    @Test func aSuccessThatIsNotOktasJSONIsNotTakenForOktas() async throws {
        let page = "<html><body>Welcome to the hotel network</body></html>"
        let liar = try Liar { request, _ in
            request.method == "GET" && request.path.hasPrefix("/api/v1/groups/00g1")
                ? .json(200, #"{"id":"00g1","type":"OKTA_GROUP","profile":{"name":"VPN Users"}}"#)
                : request.method == "GET" && request.path.hasSuffix("/groups")
                ? .json(200, #"[{"id":"00g1","type":"OKTA_GROUP","profile":{"name":"VPN Users"}}]"#)
                : .init(status: 200, headers: ["Content-Type": "text/html"], body: Data(page.utf8))
        }
        defer { liar.server.stop() }
        await #expect { _ = try await liar.directory().removeFromGroup(userID: "00ujane", groupID: "00g1") } throws: { error in
            let error = error as? DirectoryError
            return error?.kind == .outcomeUnknown && error?.message.contains("(the answer (HTTP 200, text/html) was not Okta's JSON; a proxy may have answered in its place)") == true
        }
        await #expect { _ = try await liar.directory().user(.id("00ujane")) } throws: { error in
            let error = error as? DirectoryError
            // Not put in Okta's mouth: its words come with its error code.
            return error?.kind == .invalid && error?.message.contains("— the answer (HTTP 200, text/html) was not Okta's JSON") == true && error?.message.contains("Okta said") == false
        }
    }
}
