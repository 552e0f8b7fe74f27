import ConsoleViewModel
import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import OktaClient
import SQLiteStore
import Synchronization
import Testing

/// The effect runner on an in-process service over a real store and the simulated tenant: each
/// effect answers with the message `update` expects, and Okta that does not answer ends in an error.
@Suite struct EffectRunnerTests {
    let folder = TemporaryDirectory("helpdesk-runner")
    let clock = ManualClock()
    let tenant: SimulatedTenant
    let directory: StallingDirectory
    let store: any RequestStore
    let backend: HelpdeskBackend

    init() throws {
        tenant = SimulatedTenant(clock: clock)
        directory = StallingDirectory(tenant)
        store = try TestStore.open(in: folder)
        let engine = ActionEngine(store: store, directory: directory, clock: clock, policy: .default, team: DemoTeamFixture.team)
        backend = HelpdeskBackend(engine: engine) { login in
            guard let member = DemoTeamFixture.team.member(login) else { throw Refusal("\(login) is not an operator") }
            return member
        }
    }

    /// The messages a runner delivered.
    final class Delivered: Sendable {
        private let messages = Mutex<[Message]>([])
        func add(_ message: Message) { messages.withLock { $0.append(message) } }
        var all: [Message] { messages.withLock { $0 } }
        func forget() { messages.withLock { $0 = [] } }
    }

    /// A runner as `login` on this suite's backend (or `other`), and what it delivers.
    func runner(as login: String = "alex", on other: HelpdeskBackend? = nil, oktaTimeout: TimeInterval = 60) throws -> (EffectRunner, Delivered) {
        let delivered = Delivered()
        let services = ConsoleServices(service: try (other ?? backend).service(for: login), clock: clock, cardDelay: 0, oktaTimeout: oktaTimeout)
        return (EffectRunner(services: services) { delivered.add($0) }, delivered)
    }

    /// Runs effects as `login` and returns every message they delivered.
    func run(_ effects: [Effect], as login: String = "alex", oktaTimeout: TimeInterval = 60) async throws -> [Message] {
        let (runner, delivered) = try runner(as: login, oktaTimeout: oktaTimeout)
        runner.submit(effects)
        await runner.waitUntilIdle()
        await runner.stop()
        return delivered.all
    }

    /// What a move back to `email` shows: the status on the card a load that may reuse a kept one
    /// hands out (nil when it hands out none). Stops the runner.
    func statusOnReturn(to email: EmailAddress, _ runner: EffectRunner, _ delivered: Delivered) async -> UserStatus? {
        delivered.forget()
        runner.submit([.loadCard(email, refresh: false)])
        await runner.waitUntilIdle()
        await runner.stop()
        guard case .cardLoaded(_, .success(let card), _)? = delivered.all.last else { return nil }
        return card.user.status
    }

    /// A load of the queue tab's first window, filtered by `text`.
    func queueLoad(_ generation: Int, text: String = "") -> Effect {
        .loadQueue(QueueLoad(generation: generation, tab: .queue, filter: Tab.queue.filter(for: "alex", text: text), after: nil,
                             direction: .forward, limit: 50, login: "alex", keep: nil, fallbackIndex: 0))
    }

    func jane() throws -> Request {
        try store.create(Fixtures.newRequest("Lost my phone", requester: "jane.doe@example.com"), by: "intake", at: clock.now())
    }

    @Test func aQueueLoadAnswersWithItsGenerationAndRows() async throws {
        let request = try jane()
        let load = QueueLoad(generation: 7, tab: .queue, filter: Tab.queue.filter(for: "alex", text: ""), after: nil, direction: .forward,
                             limit: 50, login: "alex", keep: request.id, fallbackIndex: 0)
        let messages = try await run([.loadQueue(load)])
        guard case .queueLoaded(let snapshot)? = messages.first, messages.count == 1 else { Issue.record("expected one queue: \(messages)"); return }
        #expect(snapshot.generation == 7)
        #expect(snapshot.window.rows.map(\.id) == [request.id])
        #expect(snapshot.keep == request.id)
        #expect(snapshot.counts.queue == 1)
    }

    /// A window read upwards from a row that nothing is above any more (the rows there were
    /// resolved since the window said there were more) is the top of the queue, not empty.
    @Test func aWindowReadUpwardsFromTheTopIsTheTopOfTheQueue() async throws {
        let first = try jane()
        let second = try store.create(Fixtures.newRequest("Need VPN", requester: "omar.haddad@example.com"), by: "intake", at: clock.now())
        let load = QueueLoad(generation: 3, tab: .queue, filter: Tab.queue.filter(for: "alex", text: ""), after: QueueCursor(first), direction: .backward,
                             limit: 100, login: "alex", keep: first.id, fallbackIndex: 0, moveBy: -1)
        let messages = try await run([.loadQueue(load)])
        guard case .queueLoaded(let snapshot)? = messages.first else { Issue.record("expected a queue: \(messages)"); return }
        #expect(snapshot.window.rows.map(\.id) == [first.id, second.id])
        #expect(!snapshot.window.moreAbove && !snapshot.window.moreBelow)
        let below = QueueLoad(generation: 4, tab: .queue, filter: Tab.queue.filter(for: "alex", text: ""), after: QueueCursor(second), direction: .backward,
                              limit: 100, login: "alex", keep: second.id, fallbackIndex: 0, moveBy: -1)
        guard case .queueLoaded(let upwards)? = try await run([.loadQueue(below)]).first else { Issue.record("expected a queue"); return }
        #expect(upwards.window.rows.map(\.id) == [first.id, second.id], "the row above, then the rest of the window")
    }

    @Test func onlyTheLatestWindowAskedForIsSureToBeRead() async throws {
        _ = try jane()
        let loads = (1...6).map { generation in
            Effect.loadQueue(QueueLoad(generation: generation, tab: .queue, filter: Tab.queue.filter(for: "alex", text: String(repeating: "l", count: generation)),
                                       after: nil, direction: .forward, limit: 50, login: "alex", keep: nil, fallbackIndex: 0))
        }
        let messages = try await run(loads)
        let generations = messages.compactMap { message -> Int? in if case .queueLoaded(let snapshot) = message { snapshot.generation } else { nil } }
        #expect(generations.contains(6), "the newest window is always read and delivered: \(generations)")
        #expect(Set(generations).count == generations.count)
    }

    @Test func theNewestGenerationIsReadWhateverOrderTheLoadsAreSubmittedIn() async throws {
        _ = try jane()
        let messages = try await run([queueLoad(2), queueLoad(1)])
        let generations = messages.compactMap { message -> Int? in if case .queueLoaded(let snapshot) = message { snapshot.generation } else { nil } }
        #expect(generations.contains(2), "the window the console waits for is read and delivered: \(messages)")
    }

    @Test func twoLoadsOfOneGenerationAreBothReadAndNeitherCancelled() async throws {
        _ = try jane()
        let messages = try await run([queueLoad(3), queueLoad(3)])
        #expect(messages.allSatisfy { if case .queueLoaded = $0 { true } else { false } }, "\(messages)")
        #expect(!messages.isEmpty)
    }

    @Test func aCardIsReadFromOktaAndReusedWhileFresh() async throws {
        let email = Fixtures.email("jane.doe@example.com")
        let first = try await run([.loadCard(email, refresh: false)])
        #expect(first.contains(.oktaHealth(true)))
        guard case .cardLoaded(let loaded, .success(let card), _)? = first.last else { Issue.record("expected a card: \(first)"); return }
        #expect(loaded == email)
        #expect(card.user.login == "jane.doe@example.com")
        #expect(card.factors.count == 3)
    }

    @Test func theLastCardAskedForAlwaysArrivesWhateverOrderTheLoadsRun() async throws {
        let jane = Fixtures.email("jane.doe@example.com"), omar = Fixtures.email("omar.haddad@example.com")
        for _ in 0..<30 {
            let messages = try await run([.loadCard(jane, refresh: true), .loadCard(omar, refresh: true)])
            #expect(messages.contains { if case .cardLoaded(omar, .success, _) = $0 { true } else { false } },
                    "an older load never cancels a newer one: \(messages)")
        }
    }

    /// A card read that began before a plan changed the account, and ended after it, is shown
    /// (the console reads it once more) but never reused as the account's state.
    @Test func aCardReadWhileAPlanRanIsNotReusedAfterIt() async throws {
        let request = try jane()
        let email = Fixtures.email("jane.doe@example.com")
        let suspend = Playbook(name: "suspend", title: "Suspend", steps: [PlaybookStep(.action(.suspend))])
        let backend = HelpdeskBackend(engine: backend.engine, playbooks: [suspend]) { login in
            guard let member = DemoTeamFixture.team.member(login) else { throw Refusal("\(login) is not an operator") }
            return member
        }
        let (runner, messages) = try runner(on: backend)
        directory.stallFactors.withLock { $0 = true }
        runner.submit([.loadCard(email, refresh: true)])
        #expect(await eventually { directory.factorReadsStalled.withLock { $0 } > 0 }, "the account was read as it was before the plan")
        let ask = PlanAsk(requestID: request.id, source: .playbook("suspend"), reason: "odd sign-in")
        runner.submit([.startPlan(ask, expecting: try await backend.service(for: "alex").previewPlan(ask).steps)])
        #expect(await eventually { messages.all.contains { if case .workFinished(_, reload: true) = $0 { true } else { false } } })
        #expect(try await tenant.user(.email(email)).status == .suspended)
        directory.stallFactors.withLock { $0 = false }
        await runner.waitUntilIdle()

        #expect(await statusOnReturn(to: email, runner, messages) == .suspended, "not the card read before the plan ended")
    }

    /// A card kept from before an action this console asked for is not handed out after it (the
    /// agent moved on before the action ended and came back within the minute).
    @Test func aCardKeptFromBeforeAnActionIsNotReusedAfterIt() async throws {
        let request = try jane()
        let email = Fixtures.email("jane.doe@example.com")
        let (runner, messages) = try runner()
        runner.submit([.loadCard(email, refresh: false)])
        await runner.waitUntilIdle()
        runner.submit([.ask(InFlight(requestID: request.id, action: .suspend), .suspend, reason: "odd sign-in", account: nil)])
        await runner.waitUntilIdle()
        #expect(try await tenant.user(.email(email)).status == .suspended)
        #expect(await statusOnReturn(to: email, runner, messages) == .suspended, "not the card kept from before the action")
    }

    /// A card kept for reuse says how old its read is, so the console can compare it with the timeline.
    @Test func aKeptCardCarriesTheTimeOfItsRead() async throws {
        let email = Fixtures.email("jane.doe@example.com")
        let (runner, messages) = try runner()
        let readAt = clock.now()
        runner.submit([.loadCard(email, refresh: false)])
        await runner.waitUntilIdle()
        clock.advance(by: 30)
        runner.submit([.loadCard(email, refresh: false)])
        await runner.waitUntilIdle()
        await runner.stop()
        let cards = messages.all.compactMap { message -> Date?? in if case .cardLoaded(_, .success, let at) = message { at } else { nil } }
        #expect(cards == [readAt, readAt], "read once, kept, and said to be 30 s old")
    }

    @Test func oktaThatDoesNotAnswerEndsInAnErrorThatSaysHowToRetry() async throws {
        directory.stall.withLock { $0 = true }
        defer { directory.stall.withLock { $0 = false } }
        // The read never ends while stalled: an answer at all shows the console is not left waiting.
        let messages = try await run([.loadCard(Fixtures.email("jane.doe@example.com"), refresh: true)], oktaTimeout: 0.3)
        #expect(messages.contains(.oktaHealth(false)))
        #expect(messages.last == .cardLoaded(Fixtures.email("jane.doe@example.com"), .failure(ConsoleFailure("Okta did not answer within 1 s; R retries")), readAt: clock.now()))
    }

    @Test func aCardNoLongerWantedStopsReadingOkta() async throws {
        directory.stall.withLock { $0 = true }
        defer { directory.stall.withLock { $0 = false } }
        let (runner, delivered) = try runner(oktaTimeout: 600)
        runner.submit([.loadCard(Fixtures.email("jane.doe@example.com"), refresh: true)])
        #expect(await eventually { directory.stalled.withLock { $0 } == 1 })
        // The operator moved on: the read for the request left behind stops, not at Okta's time limit.
        runner.submit([.loadCard(Fixtures.email("omar.haddad@example.com"), refresh: true)])
        #expect(await eventually { directory.stallsCancelled.withLock { $0 } == 1 })
        directory.stall.withLock { $0 = false }
        await runner.waitUntilIdle()
        await runner.stop()
        #expect(delivered.all.contains { if case .cardLoaded(let email, .success, _) = $0 { email.value == "omar.haddad@example.com" } else { false } })
        #expect(!delivered.all.contains { if case .cardLoaded(let email, _, _) = $0 { email.value == "jane.doe@example.com" } else { false } })
    }

    @Test func aPickerSearchTypedOverStopsAndSaysNothing() async throws {
        directory.stall.withLock { $0 = true }
        defer { directory.stall.withLock { $0 = false } }
        let (runner, delivered) = try runner(oktaTimeout: 600)
        runner.submit([.searchTargets(.group, query: "eng")])
        #expect(await eventually { directory.stalled.withLock { $0 } == 1 })
        // The next letter: the search for "eng" stops, not at Okta's time limit, and its
        // cancellation is not reported as a failed search.
        runner.submit([.searchTargets(.group, query: "engi")])
        #expect(await eventually { directory.stallsCancelled.withLock { $0 } == 1 })
        directory.stall.withLock { $0 = false }
        await runner.waitUntilIdle()
        await runner.stop()
        guard case .pickerResults(.group, let query, let items)? = delivered.all.first, delivered.all.count == 1 else {
            Issue.record("only the last search answers: \(delivered.all)"); return
        }
        #expect(query == "engi")
        #expect(!items.isEmpty)
    }

    @Test func everyOktaReadOfTheConsoleHasATimeLimit() async throws {
        directory.stall.withLock { $0 = true }
        defer { directory.stall.withLock { $0 = false } }
        let search = try await run([.searchTargets(.group, query: "eng")], oktaTimeout: 0.3)
        #expect(search == [.pickerResults(.group, query: "eng", items: []),
                           .workFinished(StatusLine("Okta search failed: Okta did not answer within 1 s; type to search again.", .error), reload: false)])
        let check = try await run([.checkRequester("jane.doe@example.com")], oktaTimeout: 0.3)
        #expect(check == [.requesterChecked(email: "jane.doe@example.com",
                                            .failed("Okta could not be asked (Okta did not answer within 1 s); Enter records the request anyway"))])
        let request = try jane()
        let approvers = try await run([.findApprovers(request.id, .resetMFA)], oktaTimeout: 0.3)
        #expect(approvers == [.approversFound(request.id, .resetMFA, .failure(ConsoleFailure("Okta did not answer within 1 s")))])
    }

    @Test func anUnknownRequesterSaysSoAndOtherFailuresSayHowToRetry() async throws {
        let messages = try await run([.loadCard(Fixtures.email("nobody.here@example.com"), refresh: true)])
        #expect(messages.last == .cardLoaded(Fixtures.email("nobody.here@example.com"), .failure(ConsoleFailure("Okta has no user with the email nobody.here@example.com")), readAt: clock.now()))
    }

    @Test func askingAnswersWithTheApprovalAndWhoMayGiveIt() async throws {
        let request = try jane()
        let approvers = try await run([.findApprovers(request.id, .resetMFA)])
        #expect(approvers == [.approversFound(request.id, .resetMFA, .success(["sam", "morgan"]))],
                "her manager and the approvers, never the requester herself (jane holds the approver role) nor the asker")
        let refused = try await run([.findApprovers(request.id, .resetMFA)], as: "sam")
        #expect(refused == [.approversFound(request.id, .resetMFA, .failure(ConsoleFailure(
            "sam has no agent role, so cannot ask for Okta actions; an admin can add the role in the configuration")))],
                "only agents ask, so only agents learn who would be asked (each answer reads Okta)")
        let key = InFlight(requestID: request.id, action: .resetMFA)
        let asked = try await run([.ask(key, .resetMFA, reason: "lost phone", account: nil)])
        guard case .actionFinished(let finished, let report)? = asked.first else { Issue.record("expected the outcome: \(asked)"); return }
        #expect(finished == key)
        #expect(report.line == StatusLine("\(request.id): Reset MFA waits for approval APR-1 by sam, morgan.", .success))
    }

    @Test func anActionThatRunsAtOnceReportsOktasAnswer() async throws {
        let request = try store.create(Fixtures.newRequest("Locked out", requester: "omar.haddad@example.com"), by: "intake", at: clock.now())
        let key = InFlight(requestID: request.id, action: .unlock)
        let messages = try await run([.ask(key, .unlock, reason: "locked out", account: nil)])
        guard case .actionFinished(_, let report)? = messages.first else { Issue.record("expected the outcome: \(messages)"); return }
        #expect(report.line.kind == .success)
        #expect(report.line.text.hasPrefix("Okta: unlocked the account (RUN-1"))
    }

    @Test func anAskIsForTheAccountTheAgentConfirmed() async throws {
        let request = try store.create(Fixtures.newRequest("Locked out", requester: "omar.haddad@example.com"), by: "intake", at: clock.now())
        let key = InFlight(requestID: request.id, action: .unlock)
        let someoneElse = try #require(await tenant.users(withEmail: Fixtures.email("jane.doe@example.com")).first)
        let messages = try await run([.ask(key, .unlock, reason: "locked out", account: someoneElse.id)])
        guard case .actionFinished(_, let report)? = messages.first else { Issue.record("expected the outcome: \(messages)"); return }
        #expect(report.line.kind == .error)
        #expect(report.line.text.contains("now finds another Okta account"), "\(report.line.text)")
        #expect(await tenant.actionCount() == 0, "nothing was sent to Okta")
    }

    @Test func workIsReportedAboutItsRequestAndRefusalsAreSentences() async throws {
        let request = try jane()
        let assigned = try await run([.assign(request.id, to: "jordan", version: request.version)])
        #expect(assigned == [.workFinished(StatusLine("\(request.id) is assigned to jordan.", .success, about: request.id), reload: true)])
        let raced = try await run([.assign(request.id, to: "morgan", version: request.version)])
        guard case .workFinished(let conflict, false)? = raced.first else { Issue.record("expected a refusal: \(raced)"); return }
        #expect(conflict.kind == .error, "taken with the version the agent saw: someone else changed it since (\(conflict.text))")
        let reopened = try await run([.reopen(request.id)])
        #expect(reopened == [.workFinished(StatusLine("\(request.id) is new, not resolved or closed", .error, about: request.id), reload: false)])
        let refused = try await run([.assign(request.id, to: "alex", version: nil)], as: "sam")
        guard case .workFinished(let line, false)? = refused.first else { Issue.record("expected a refusal: \(refused)"); return }
        #expect(line.text == "sam has no agent role, so cannot assign requests")
    }

    @Test func aNoteAndAResolveAnswerAndReload() async throws {
        let request = try jane()
        #expect(try await run([.note(request.id, "called back")]) == [.workFinished(StatusLine("Noted on \(request.id).", .success, about: request.id), reload: true)])
        #expect(try await run([.resolve(request.id, note: "done", version: request.version)])
                == [.workFinished(StatusLine("\(request.id) is resolved.", .success, about: request.id), reload: true)])
        #expect(try await run([.reopen(request.id)]) == [.workFinished(StatusLine("\(request.id) is open again.", .success, about: request.id), reload: true)])
    }
}

/// The tenant, except that reading a user or searching groups can be made to hang until the
/// test ends or the call is cancelled.
final class StallingDirectory: ForwardingDirectory, @unchecked Sendable {
    let stall = Mutex(false)
    /// Reading a user's factors hangs while set (a card read then waits after reading the user).
    let stallFactors = Mutex(false)
    let factorReadsStalled = Mutex(0)

    /// Reads waiting on the stall now, and those that stopped because they were cancelled.
    let stalled = Mutex(0)
    let stallsCancelled = Mutex(0)

    private func waitWhileStalled() async throws {
        guard stall.withLock({ $0 }) else { return }
        stalled.withLock { $0 += 1 }
        defer { stalled.withLock { $0 -= 1 } }
        do {
            while stall.withLock({ $0 }) { try await Task.sleep(nanoseconds: 20_000_000) }
        } catch {
            stallsCancelled.withLock { $0 += 1 }
            throw error
        }
    }

    override func factors(ofUser userID: String) async throws -> [DirectoryFactor] {
        if stallFactors.withLock({ $0 }) {
            factorReadsStalled.withLock { $0 += 1 }
            while stallFactors.withLock({ $0 }) { try await Task.sleep(nanoseconds: 5_000_000) }
        }
        return try await super.factors(ofUser: userID)
    }

    override func user(_ lookup: UserLookup) async throws -> DirectoryUser {
        try await waitWhileStalled()
        return try await super.user(lookup)
    }

    override func findGroups(_ prefix: String, limit: Int) async throws -> [DirectoryGroup] {
        try await waitWhileStalled()
        return try await super.findGroups(prefix, limit: limit)
    }
}
