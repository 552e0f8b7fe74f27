import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import OktaClient
import Testing

/// Look-ups by email that overlap go to Okta as one search, and each still gets exactly its own
/// answer: its user, the refusal of an email several users share, or nobody.
@Suite struct EmailSearchesTests {
    static let people = (1...12).map { "person\($0)@corp.example.com" }

    /// Twelve people, two users who share an email (in different cases), and a login that is an address.
    static func standIn() async throws -> (OktaStandIn, OktaDirectory) {
        let tenant = SimulatedTenant()
        for (index, email) in people.enumerated() {
            await tenant.add(DirectoryUser(id: "00uperson\(index + 1)", login: "person\(index + 1)", email: email, firstName: "P", lastName: "\(index + 1)", status: .active))
        }
        await tenant.add(DirectoryUser(id: "00ushared1", login: "pat.one", email: "pat@corp.example.com", firstName: "Pat", lastName: "One", status: .active))
        await tenant.add(DirectoryUser(id: "00ushared2", login: "pat.two", email: "PAT@corp.example.com", firstName: "Pat", lastName: "Two", status: .active))
        await tenant.add(DirectoryUser(id: "00ucarl", login: "carl@corp.example.com", email: "carl.private@mail.example.org", firstName: "Carl", lastName: "X", status: .active))
        let standIn = try OktaStandIn(tenant: tenant)
        let settings = OktaSettings(org: try OrgURL(standIn.orgURL), token: try APIToken(standIn.token))
        return (standIn, OktaDirectory(client: OktaHTTPClient(settings: settings)))
    }

    /// What one look-up came to, in words a test can compare.
    static func outcome(_ directory: OktaDirectory, _ email: String) async -> String {
        do {
            return try await directory.user(.email(Fixtures.email(email))).id
        } catch let error as DirectoryError {
            return "\(error.kind): \(error.message)"
        } catch {
            return "\(error)"
        }
    }

    /// The first look-up's search is held; everyone who asks meanwhile waits for the next one.
    static func lookUpTogether(_ directory: OktaDirectory, _ emails: [String]) async -> [String: String] {
        let first = Task { await outcome(directory, emails[0]) }
        try? await Task.sleep(for: .milliseconds(100))
        var answers = [emails[0]: ""]
        await withTaskGroup(of: (String, String).self) { group in
            for email in emails.dropFirst() { group.addTask { (email, await outcome(directory, email)) } }
            for await (email, answer) in group { answers[email] = answer }
        }
        answers[emails[0]] = await first.value
        return answers
    }

    static func searches(_ standIn: OktaStandIn) -> Int { standIn.requests.filter { $0 == "GET /api/v1/users" }.count }

    @Test func overlappingLookUpsGoAsOneSearchAndEachGetsItsOwnAnswer() async throws {
        let (standIn, directory) = try await Self.standIn()
        defer { standIn.stop() }
        standIn.inject(.init("GET", "/api/v1/users", .stall(0.5)))
        let emails = Self.people + ["pat@corp.example.com", "carl@corp.example.com", "nobody@corp.example.com", "Person3@Corp.Example.com"]
        let answers = await Self.lookUpTogether(directory, emails)
        for (index, email) in Self.people.enumerated() {
            #expect(answers[email] == "00uperson\(index + 1)", "\(email): \(answers[email] ?? "-")")
        }
        #expect(answers["Person3@Corp.Example.com"] == "00uperson3", "in any case")
        #expect(answers["pat@corp.example.com"]?.contains("several Okta users have the email pat@corp.example.com (logins pat.one, pat.two)") == true,
                "\(answers["pat@corp.example.com"] ?? "-")")
        #expect(answers["carl@corp.example.com"]?.hasPrefix("notFound") == true, "an address that is only a login finds nobody")
        #expect(answers["nobody@corp.example.com"]?.hasPrefix("notFound") == true)
        // The held search, then 15 look-ups in batches of at most ten: two more, not fifteen.
        #expect(Self.searches(standIn) == 3, "\(standIn.requests)")
    }

    @Test func aLoneLookUpIsNotHeldBack() async throws {
        let (standIn, directory) = try await Self.standIn()
        defer { standIn.stop() }
        for email in Self.people.prefix(3) { _ = await Self.outcome(directory, email) }
        #expect(Self.searches(standIn) == 3)
        #expect(standIn.requests.filter { $0.hasPrefix("GET /api/v1/users/") }.count == 3, "each found user read by id: \(standIn.requests)")
    }

    @Test func aCombinedSearchOktaRefusesIsAskedAgainOneEmailAtATime() async throws {
        let (standIn, directory) = try await Self.standIn()
        defer { standIn.stop() }
        standIn.inject(.init("GET", "/api/v1/users", .stall(0.5)))
        standIn.inject(.init("GET", "/api/v1/users", .status(400)))
        let emails = Array(Self.people.prefix(4))
        let answers = await Self.lookUpTogether(directory, emails)
        for (index, email) in emails.enumerated() { #expect(answers[email] == "00uperson\(index + 1)", "\(email): \(answers[email] ?? "-")") }
        #expect(Self.searches(standIn) == 5, "the held one, the refused one for three, then three alone: \(standIn.requests)")
    }

    @Test func aFailedSearchFailsEveryoneWaitingEachAboutTheirOwnEmail() async throws {
        let (standIn, directory) = try await Self.standIn()
        defer { standIn.stop() }
        standIn.inject(.init("GET", "/api/v1/users", .stall(0.5)))
        standIn.inject(.init("GET", "/api/v1/users", .status(403), times: 1))
        let emails = Array(Self.people.prefix(4))
        let answers = await Self.lookUpTogether(directory, emails)
        #expect(answers[emails[0]] == "00uperson1")
        for email in emails.dropFirst() {
            let answer = answers[email] ?? "-"
            #expect(answer.hasPrefix("forbidden") && answer.contains("(user \(email))"), "\(answer)")
            for other in emails where other != email { #expect(!answer.contains(other), "\(answer) names \(other)") }
        }
        #expect(await Self.outcome(directory, emails[1]) == "00uperson2", "the next look-up searches again")
    }
}
