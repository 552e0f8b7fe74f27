import Foundation
import HelpdeskCore
import Synchronization
import HelpdeskTestSupport
@testable import OktaClient
import Testing

/// Look-ups by email that overlap go to Okta as one search, and each still gets exactly its own
/// answer: its user, the refusal of an email several users share, or nobody.
@Suite struct EmailSearchesTests {
    static let people = (1...12).map { "person\($0)@corp.example.com" }

    /// Twelve people, two users who share an email (in different cases), and a login that is an address.
    /// Look-ups wait behind a search on its way for as long as it takes (`patience`), unless told otherwise.
    static func standIn(patience: Duration = .seconds(30)) async throws -> (OktaStandIn, OktaDirectory) {
        let tenant = SimulatedTenant()
        for (index, email) in people.enumerated() {
            await tenant.add(DirectoryUser(id: "00uperson\(index + 1)", login: "person\(index + 1)", email: email, firstName: "P", lastName: "\(index + 1)", status: .active))
        }
        await tenant.add(DirectoryUser(id: "00ushared1", login: "pat.one", email: "pat@corp.example.com", firstName: "Pat", lastName: "One", status: .active))
        await tenant.add(DirectoryUser(id: "00ushared2", login: "pat.two", email: "PAT@corp.example.com", firstName: "Pat", lastName: "Two", status: .active))
        await tenant.add(DirectoryUser(id: "00ucarl", login: "carl@corp.example.com", email: "carl.private@mail.example.org", firstName: "Carl", lastName: "X", status: .active))
        let standIn = try OktaStandIn(tenant: tenant)
        let settings = OktaSettings(org: try OrgURL(standIn.orgURL), token: try APIToken(standIn.token))
        return (standIn, OktaDirectory(client: OktaHTTPClient(settings: settings), clock: SystemClock(), searchPatience: patience))
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

    /// The first look-up's search is held at the stand-in; everyone who asks meanwhile waits for the next one.
    static func lookUpTogether(_ directory: OktaDirectory, _ standIn: OktaStandIn, _ emails: [String]) async -> [String: String] {
        let first = Task { await outcome(directory, emails[0]) }
        _ = await eventually { searches(standIn) == 1 }
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
        standIn.inject(.init("GET", "/api/v1/users", .stall(3)))
        let emails = Self.people + ["pat@corp.example.com", "carl@corp.example.com", "nobody@corp.example.com", "Person3@Corp.Example.com"]
        let answers = await Self.lookUpTogether(directory, standIn, emails)
        for (index, email) in Self.people.enumerated() {
            #expect(answers[email] == "00uperson\(index + 1)", "\(email): \(answers[email] ?? "-")")
        }
        #expect(answers["Person3@Corp.Example.com"] == "00uperson3", "in any case")
        #expect(answers["pat@corp.example.com"]?.contains("several Okta users have the email pat@corp.example.com (logins pat.one, pat.two)") == true,
                "\(answers["pat@corp.example.com"] ?? "-")")
        #expect(answers["carl@corp.example.com"]?.hasPrefix("notFound") == true, "an address that is only a login finds nobody")
        #expect(answers["nobody@corp.example.com"]?.hasPrefix("notFound") == true)
        // The held search, then 15 look-ups in searches of at most ten emails: two more, not fifteen.
        #expect(Self.searches(standIn) == 3, "\(standIn.requests)")
    }

    @Test func aLoneLookUpIsNotHeldBack() async throws {
        let (standIn, directory) = try await Self.standIn(patience: .seconds(120))
        defer { standIn.stop() }
        let start = ContinuousClock.now
        for email in Self.people.prefix(3) { _ = await Self.outcome(directory, email) }
        // Held behind the last search's patience, the second and third would take four minutes;
        // a whole suite run beside them, keeping every thread busy, has delayed the three by 25 s.
        #expect(ContinuousClock.now - start < .seconds(60), "none waited for the last one's patience")
        #expect(Self.searches(standIn) == 3)
        #expect(Self.reads(standIn) == 3, "each found user read by id: \(standIn.requests)")
    }

    static func reads(_ standIn: OktaStandIn) -> Int { standIn.requests.filter { $0.hasPrefix("GET /api/v1/users/") }.count }

    /// Six agents each look up ten people one after another, faster than a rate limit of thirty
    /// `users` requests a second allows (each look-up is a search and a read by id), on a desk the
    /// limit has already held back: searches go `patience` apart and gather whoever asked meanwhile.
    @Test func lookUpsFasterThanTheRateLimitGatherIntoFewSearches() async throws {
        let (standIn, directory) = try await Self.standIn(patience: EmailSearches.patience)
        defer { standIn.stop() }
        standIn.limitRate(perWindow: 30, window: 1)
        // Fifteen look-ups one after another fill a window; the sixteenth waits for the next.
        for turn in 0..<16 { #expect(await Self.outcome(directory, Self.people[turn % Self.people.count]).hasPrefix("00uperson")) }
        let (searchesBefore, readsBefore) = (Self.searches(standIn), Self.reads(standIn))
        let answers = await withTaskGroup(of: [String].self) { group in
            for agent in 0..<6 {
                group.addTask {
                    var answers: [String] = []
                    for turn in 0..<10 { answers.append(await Self.outcome(directory, Self.people[(agent * 10 + turn) % Self.people.count])) }
                    return answers
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(answers.count == 60 && answers.allSatisfy { $0.hasPrefix("00uperson") }, "\(answers)")
        #expect(Self.reads(standIn) - readsBefore == 60, "each found user read by id")
        // One search per look-up would be 60; gathered, about one for each round of the agents' turns
        // (10–16 measured; 23–28 when each search went as soon as the last was answered).
        let searches = Self.searches(standIn) - searchesBefore
        #expect(searches <= 19, "\(searches) searches for 60 look-ups")
        #expect(standIn.rateCounts.values.allSatisfy { $0.refused.isEmpty }, "no 429: \(standIn.rateCounts)")
    }

    /// Once the rate limit has held a `users` request back, a search answered at once still holds
    /// the next back for `patience`, so that it can carry whoever asks meanwhile.
    @Test func afterTheRateLimitHeldALookUpBackSearchesGoPatienceApart() async throws {
        let patience = Duration.milliseconds(400)
        let (standIn, directory) = try await Self.standIn(patience: patience)
        defer { standIn.stop() }
        standIn.limitRate(perWindow: 6, window: 1)
        // Three look-ups (a search and a read each) fill the window; the fourth waits for the next.
        for person in Self.people.prefix(4) { #expect(await Self.outcome(directory, person).hasPrefix("00uperson")) }
        // Room enough from here on, so that only the spacing holds the next searches back.
        standIn.limitRate(perWindow: 600, window: 1)
        #expect(await Self.outcome(directory, Self.people[4]) == "00uperson5")
        #expect(await Self.outcome(directory, Self.people[5]) == "00uperson6")
        // Timed where Okta answers them: the spacing is decided where the client sends, and in a
        // busy test run each search's way to Okta varies by up to a few hundred milliseconds (317
        // ms apart measured for 400). Without the spacing: 3–11 ms.
        let searches = standIn.answered.filter { $0.request == "GET /api/v1/users" }.map(\.time)
        let apart = Duration.nanoseconds(Int64(searches[searches.count - 1] - searches[searches.count - 2]))
        #expect(apart >= patience / 4, "the second search went \(apart) after the first")
    }

    @Test func aCombinedSearchOktaRefusesIsAskedAgainOneEmailAtATime() async throws {
        let (standIn, directory) = try await Self.standIn()
        defer { standIn.stop() }
        standIn.inject(.init("GET", "/api/v1/users", .stall(3)))
        standIn.inject(.init("GET", "/api/v1/users", .status(400)))
        let emails = Array(Self.people.prefix(4))
        let answers = await Self.lookUpTogether(directory, standIn, emails)
        for (index, email) in emails.enumerated() { #expect(answers[email] == "00uperson\(index + 1)", "\(email): \(answers[email] ?? "-")") }
        #expect(Self.searches(standIn) == 5, "the held one, the refused one for three, then three alone: \(standIn.requests)")
    }

    @Test func aFailedSearchFailsEveryoneWaitingEachAboutTheirOwnEmail() async throws {
        let (standIn, directory) = try await Self.standIn()
        defer { standIn.stop() }
        standIn.inject(.init("GET", "/api/v1/users", .stall(3)))
        standIn.inject(.init("GET", "/api/v1/users", .status(403), times: 1))
        let emails = Array(Self.people.prefix(4))
        let answers = await Self.lookUpTogether(directory, standIn, emails)
        #expect(answers[emails[0]] == "00uperson1")
        for email in emails.dropFirst() {
            let answer = answers[email] ?? "-"
            #expect(answer.hasPrefix("forbidden") && answer.contains("(user \(email))"), "\(answer)")
            for other in emails where other != email { #expect(!answer.contains(other), "\(answer) names \(other)") }
        }
        #expect(await Self.outcome(directory, emails[1]) == "00uperson2", "the next look-up searches again")
    }
}

/// What a lying, crowded, slow or dry Okta does to shared searches (found by the attack review).
@Suite struct EmailSearchesUnderStressTests {
    static func userJSON(_ id: String, _ email: String) -> String {
        #"{"id":"\#(id)","status":"ACTIVE","profile":{"login":"\#(id)","email":"\#(email)","firstName":"F","lastName":"L"},"_links":{}}"#
    }

    static func value(_ request: HTTPRequest, _ name: String) -> String? {
        URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == name }?.value
    }

    static func directory(_ transport: StubTransport) throws -> OktaDirectory {
        let settings = OktaSettings(org: try OrgURL("https://acme.okta.com"), token: try APIToken("00abcdefghijklmnopqrstuvwxyz0123456789ABCD"))
        return OktaDirectory(client: OktaHTTPClient(settings: settings, transport: transport))
    }

    /// `next` pages of noise after the first, then the email's second account on the last.
    static func pages(of request: HTTPRequest, noise: Int) -> HTTPResponse {
        let page = Self.value(request, "after").flatMap(Int.init) ?? 0
        let body = page == noise ? Self.userJSON("00uvictimadmin", "VICTIM@corp.example.com") : page == 0 ? Self.userJSON("00uvictim", "victim@corp.example.com") : Self.userJSON("00unoisy\(page)", "noisy@corp.example.com")
        let next = page < noise ? ["Link": #"<https://acme.okta.com/api/v1/users?after=\#(page + 1)&limit=200>; rel="next""#] : [:]
        return .json(200, "[\(body)]", headers: next)
    }

    @Test func aSharerOnAPageBeyondTheLastReadIsNeverTakenForNoSharer() async throws {
        // A search whose pages run past fifty: with another's email, and then on its own.
        let transport = StubTransport { request, _ in
            guard request.url.path == "/api/v1/users" else { return .json(200, Self.userJSON("00uvictim", "victim@corp.example.com")) }
            let search = Self.value(request, "search") ?? ""
            if search.contains("noisy@") || Self.value(request, "after") != nil { return Self.pages(of: request, noise: 60) }
            return .json(200, "[\(Self.userJSON("00uvictim", "victim@corp.example.com")),\(Self.userJSON("00uvictimadmin", "VICTIM@corp.example.com"))]")
        }
        let directory = try Self.directory(transport)
        async let noisy = EmailSearchesTests.outcome(directory, "noisy@corp.example.com")
        async let victim = EmailSearchesTests.outcome(directory, "victim@corp.example.com")
        let (n, v) = await (noisy, victim)
        #expect(v.contains("several Okta users have the email victim@corp.example.com"), "\(v)")
        #expect(n.hasPrefix("invalid") && n.contains("more than 50 pages"), "a list cut short is refused, never read as whole: \(n)")
    }

    @Test func oneUserOnTwoPagesIsOneUser() async throws {
        let transport = StubTransport { request, _ in
            guard request.url.path == "/api/v1/users" else { return .json(200, Self.userJSON("00uv", "v@corp.example.com")) }
            let next = Self.value(request, "after") == nil ? ["Link": #"<https://acme.okta.com/api/v1/users?after=x&limit=200>; rel="next""#] : [:]
            return .json(200, "[\(Self.userJSON("00uv", "v@corp.example.com"))]", headers: next)
        }
        #expect(await EmailSearchesTests.outcome(try Self.directory(transport), "v@corp.example.com") == "00uv")
    }

    @Test func aUserSeenWithTwoEmailsCountsForBoth() async throws {
        // The users bucket runs dry after the first look-up, so the next two wait and go as one search,
        // whose second page has X again, its email changed to b's.
        let reset = Int(Date().timeIntervalSince1970) + 6
        let transport = StubTransport { request, index in
            let headers = ["X-Rate-Limit-Limit": "10", "X-Rate-Limit-Remaining": index == 0 ? "5" : "0", "X-Rate-Limit-Reset": "\(reset)"]
            guard request.url.path == "/api/v1/users" else {
                return .json(200, request.url.path.hasSuffix("00uY") ? Self.userJSON("00uY", "b@corp.example.com") : Self.userJSON("00uw", "w@corp.example.com"), headers: headers)
            }
            let search = Self.value(request, "search") ?? ""
            if search.contains("w@") { return .json(200, "[\(Self.userJSON("00uw", "w@corp.example.com"))]", headers: headers) }
            if Self.value(request, "after") == nil {
                return .json(200, "[\(Self.userJSON("00uX", "a@corp.example.com"))]",
                             headers: headers.merging(["Link": #"<https://acme.okta.com/api/v1/users?after=2&limit=200>; rel="next""#]) { $1 })
            }
            return .json(200, "[\(Self.userJSON("00uX", "b@corp.example.com")),\(Self.userJSON("00uY", "b@corp.example.com"))]", headers: headers)
        }
        let directory = try Self.directory(transport)
        #expect(await EmailSearchesTests.outcome(directory, "w@corp.example.com") == "00uw")
        async let a = EmailSearchesTests.outcome(directory, "a@corp.example.com")
        async let b = EmailSearchesTests.outcome(directory, "b@corp.example.com")
        let (_, answerB) = await (a, b)
        #expect(transport.lines.filter { $0.hasPrefix("GET /api/v1/users?search=") }.count == 2, "one search for both: \(transport.lines)")
        #expect(answerB.contains("several Okta users have the email b@corp.example.com"), "\(answerB)")
    }

    @Test func aSearchThatDoesNotAnswerHoldsOthersBackOnlyBriefly() async throws {
        let (standIn, directory) = try await EmailSearchesTests.standIn(patience: EmailSearches.patience)
        defer { standIn.stop() }
        #expect(await EmailSearchesTests.outcome(directory, "person1@corp.example.com") == "00uperson1", "the rate limit's headers are known")
        standIn.inject(.init("GET", "/api/v1/users", .stall(8)))
        let stalled = Task { await EmailSearchesTests.outcome(directory, "person2@corp.example.com") }
        _ = await eventually { EmailSearchesTests.searches(standIn) == 2 }
        try await Task.sleep(for: .milliseconds(100))
        #expect(await EmailSearchesTests.outcome(directory, "person3@corp.example.com") == "00uperson3")
        let searchesAnswered = standIn.answered.filter { $0.request == "GET /api/v1/users" }.count
        #expect(searchesAnswered == 2, "answered before the unrelated search that does not answer (first, person 3's; not the held one)")
        #expect(await stalled.value == "00uperson2")
    }

    @Test func aLookUpCancelledInsideASearchEndsAtOnceAndTheOthersInItStillGetTheirs() async throws {
        let (standIn, directory) = try await EmailSearchesTests.standIn()
        defer { standIn.stop() }
        standIn.inject(.init("GET", "/api/v1/users", .stall(1.5), times: 2))
        let first = Task { await EmailSearchesTests.outcome(directory, "person1@corp.example.com") }
        _ = await eventually { EmailSearchesTests.searches(standIn) == 1 }
        let cancelled = Task { await EmailSearchesTests.outcome(directory, "person2@corp.example.com") }
        let finished = Mutex(false)
        let other = Task {
            defer { finished.withLock { $0 = true } }
            return await EmailSearchesTests.outcome(directory, "person3@corp.example.com")
        }
        // Both wait behind the first search, then go together in the second, which Okta holds too.
        #expect(await eventually { EmailSearchesTests.searches(standIn) == 2 })
        cancelled.cancel()
        #expect(await cancelled.value.contains("CancellationError"))
        #expect(!finished.withLock { $0 }, "ended while its search was still on its way")
        #expect(await other.value == "00uperson3")
        #expect(await first.value == "00uperson1")
    }

    @Test func aCancelledLookUpWaitingForTheRateLimitEndsAtOnceAndSendsNothing() async throws {
        // Far enough ahead that a test process starved of the pool still cancels before it.
        let reset = Int(Date().timeIntervalSince1970) + 120
        let transport = StubTransport { request, index in
            let headers = ["X-Rate-Limit-Limit": "10", "X-Rate-Limit-Remaining": index == 0 ? "5" : "0", "X-Rate-Limit-Reset": "\(reset)"]
            guard request.url.path == "/api/v1/users" else { return .json(200, Self.userJSON("00ua", "a@corp.example.com"), headers: headers) }
            return .json(200, "[\(Self.userJSON("00ua", "a@corp.example.com"))]", headers: headers)
        }
        let directory = try Self.directory(transport)
        _ = await EmailSearchesTests.outcome(directory, "a@corp.example.com")  // the users bucket is dry for two minutes
        let sent = transport.lines.count
        let lookUp = Task { await EmailSearchesTests.outcome(directory, "b@corp.example.com") }
        try await Task.sleep(for: .milliseconds(200))
        lookUp.cancel()
        let answer = await lookUp.value
        #expect(Date().timeIntervalSince1970 < Double(reset), "ended before the bucket opened again: \(answer)")
        #expect(answer.contains("CancellationError"), "\(answer)")
        #expect(transport.lines.count == sent, "nothing sent for it: \(transport.lines)")
    }

    /// A hold of a whole minute (Okta's windows are a minute long) is measured from its end: the
    /// searches after it are spaced, not left as if the hold were already a minute old.
    @Test func aHoldCountsFromWhenItEnded() async throws {
        let clock = ManualClock()
        let limiter = try await Self.dryLimiter(clock, resetIn: 60)
        #expect(await limiter.sinceHeldBack("users") == nil, "nothing held back yet")
        try await limiter.acquire("users")
        #expect(await limiter.sinceHeldBack("users") == 0, "the wait of about a minute just ended")
        clock.advance(by: 10)
        #expect(await limiter.sinceHeldBack("users") == 10)
    }

    /// A wall clock set back an hour after a hold does not make the hold an hour ahead: it ended
    /// now, and a minute later it is a minute old (searches are spaced a minute, not an hour).
    @Test func aWallClockSetBackAfterAHoldCountsItAsJustEnded() async throws {
        let clock = ManualClock()
        let limiter = try await Self.dryLimiter(clock, resetIn: 5)
        try await limiter.acquire("users")
        clock.advance(by: -3_600)
        #expect(await limiter.sinceHeldBack("users") == 0)
        clock.advance(by: 61)
        #expect(await limiter.sinceHeldBack("users") == 61)
    }

    /// A wall clock set back an hour while a bucket is dry holds the next request a window at
    /// most, not the hour.
    @Test func aWallClockSetBackWhileDryHoldsTheNextRequestAWindowAtMost() async throws {
        let clock = ManualClock()
        let limiter = try await Self.dryLimiter(clock, resetIn: 30)
        clock.advance(by: -3_600)
        let start = clock.now()
        try await limiter.acquire("users")
        #expect(clock.now().timeIntervalSince(start) <= RateLimiter.longestWindow + 1)
    }

    /// A wait for the window that never ends (cancelled) still says the desk was held back.
    @Test func aHoldCountsFromItsStartUntilItEnds() async throws {
        let clock = ManualClock()
        let limiter = try await Self.dryLimiter(clock, resetIn: 30, sleeper: NeverWakes())
        await #expect(throws: CancellationError.self) { try await limiter.acquire("users") }
        #expect(await limiter.sinceHeldBack("users") == 0)
    }

    /// A limiter whose `users` bucket is dry until `resetIn` seconds from now (one request sent).
    static func dryLimiter(_ clock: ManualClock, resetIn: Int, sleeper: (any Sleeper)? = nil) async throws -> RateLimiter {
        let limiter = RateLimiter(clock: clock, sleeper: sleeper ?? RecordingSleeper(clock: clock), jitter: { 0.05 })
        try await limiter.acquire("users")
        await limiter.finish("users", response: HTTPResponse(status: 200, headers: [
            "X-Rate-Limit-Limit": "1", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "\(Int(clock.now().timeIntervalSince1970) + resetIn)"]))
        return limiter
    }

    @Test func aLimitOfNothingDoesNotHoldCallsBackForGood() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(clock: clock, sleeper: FewSleeps(clock: clock), jitter: { 0.05 })
        try await limiter.acquire("users")
        await limiter.finish("users", response: HTTPResponse(status: 200, headers: [
            "X-Rate-Limit-Limit": "0", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "\(Int(clock.now().timeIntervalSince1970) + 30)"]))
        let start = clock.now()
        try await limiter.waitForRoom("users")
        try await limiter.acquire("users")
        #expect(clock.now().timeIntervalSince(start) <= 31, "one request a window at least")
    }
}

/// A wait that is cancelled before it ends.
private struct NeverWakes: Sleeper {
    func sleep(seconds: TimeInterval) async throws { throw CancellationError() }
}

/// Moves the test clock on for each wait, and gives up after fifty: a limiter that would wait for
/// ever fails the test instead of hanging it.
private final class FewSleeps: Sleeper {
    private let clock: ManualClock
    private let count = Mutex(0)

    init(clock: ManualClock) {
        self.clock = clock
    }

    func sleep(seconds: TimeInterval) async throws {
        guard count.withLock({ $0 += 1; return $0 }) <= 50 else { throw CancellationError() }
        clock.advance(by: seconds)
    }
}
