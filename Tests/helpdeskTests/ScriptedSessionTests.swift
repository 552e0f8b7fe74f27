import ConsoleView
import ConsoleViewModel
import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import helpdesk
import SQLiteStore
import Testing

/// The console driven by keys on the headless backend, over the demo store and simulated tenant,
/// waiting for idle instead of sleeping.
@Suite struct ScriptedSessionTests {
    let folder = TemporaryDirectory("helpdesk-session")

    final class Session {
        let driver: ConsoleDriver
        let backend = HeadlessBackend(columns: 100, rows: 30)
        private var frames = FrameDiff()

        init(driver: ConsoleDriver) {
            self.driver = driver
        }

        func start() async {
            driver.send(.resize(columns: backend.size.columns, rows: backend.size.rows))
            driver.start()
            await settle()
        }

        func press(_ keys: Key...) async {
            for key in keys {
                driver.send(.key(key))
                await settle()
            }
        }

        func type(_ text: String) async {
            for character in text { await press(.char(character)) }
        }

        func settle() async {
            await driver.settle()
            backend.draw(frames.next(driver.state))
        }

        var text: String { backend.screen.text }
        var state: AppState { driver.state }
    }

    func session(as login: String = DemoSetup.agent.login, on shared: HelpdeskBackend? = nil) async throws -> Session {
        var environment = ProgramEnvironment.live()
        environment.clock = ManualClock(Date())
        let backend = try shared ?? DemoSetup.make(storePath: folder.file("demo.db"), environment: environment, latency: 0)
        let service = try backend.service(for: login)
        let session = try await service.session()
        let state = AppState(user: session.operator, personas: session.personas, agents: session.agents, isDemo: true, orgName: session.orgName,
                             policy: session.policy, now: environment.clock.now())
        let fast = ConsoleServices(service: service, persona: DemoSetup.persona(backend), clock: environment.clock, cardDelay: 0)
        let console = Session(driver: ConsoleDriver(state: state, services: fast))
        await console.start()
        return console
    }

    /// A driver for the console's own loop as the demo agent over a demo store of its own, and the
    /// service it works through.
    func loopDriver(store: String, latency: TimeInterval, cardDelay: TimeInterval) async throws -> (ConsoleDriver, any HelpdeskService) {
        var environment = ProgramEnvironment.live()
        environment.clock = ManualClock(Date())
        let backend = try DemoSetup.make(storePath: folder.file(store), environment: environment, latency: latency)
        let service = try backend.service(for: DemoSetup.agent.login)
        let session = try await service.session()
        let state = AppState(user: session.operator, agents: session.agents, orgName: session.orgName, policy: session.policy, now: environment.clock.now())
        return (ConsoleDriver(state: state, services: ConsoleServices(service: service, clock: environment.clock, cardDelay: cardDelay)), service)
    }

    /// The console's own loop draws a key's frame before the work the key asked for starts: each
    /// key arrives when all earlier work is done, and a move to another request asks for its card
    /// (held 200 ms before Okta is read), so work started at the key would still be running when
    /// the frame is drawn.
    @Test func theLoopDrawsAKeysFrameBeforeStartingItsWork() async throws {
        let (driver, _) = try await loopDriver(store: "loop.db", latency: 0, cardDelay: 0.2)
        let terminal = PacedBackend(keys: [.char("j"), .char("j"), .char("k"), .char("q")], driver: driver)
        // The loop blocks its thread, as on the terminal: it runs off the cooperative pool, which
        // runs the console's work.
        nonisolated(unsafe) let app = ConsoleApp(driver: driver, backend: terminal)
        try await offPool { app.run() }
        #expect(terminal.keyFrames.count == 3, "one frame for each move")
        #expect(terminal.keyFrames.allSatisfy { !$0.workStarted }, "work had started when a key's frame was drawn: \(terminal.keyFrames)")
        #expect(terminal.keyFrames.map(\.selected) == ["REQ-34", "REQ-11", "REQ-34"])
        driver.stop()
    }

    /// Home and End change nothing on screen until their rows come: the loop starts the read they
    /// wait for before it draws, so the read runs while the frame is drawn.
    @Test func theLoopStartsTheReadHomeAndEndWaitForBeforeItDraws() async throws {
        let (driver, _) = try await loopDriver(store: "ends.db", latency: 0, cardDelay: 0)
        let terminal = PacedBackend(keys: [.end, .home, .char("q")], driver: driver)
        nonisolated(unsafe) let app = ConsoleApp(driver: driver, backend: terminal)
        try await offPool { app.run() }
        #expect(terminal.keyFrames.count == 2, "one frame for each key")
        #expect(terminal.keyFrames.allSatisfy { $0.workStarted }, "the read had not started when the key's frame was drawn: \(terminal.keyFrames)")
        #expect(driver.state.queue.selected == 0 && !driver.state.queue.moreAbove, "Home: \(driver.state.queue.selected)")
        driver.stop()
    }

    /// A note typed and quit at once (Enter and q in one burst): the console finishes recording
    /// the note before its loop returns, instead of leaving it to a process about to exit.
    @Test func aNoteTypedJustBeforeQuittingIsRecorded() async throws {
        let (driver, service) = try await loopDriver(store: "quit.db", latency: 0, cardDelay: 0)
        let note: [Key] = "written as the console closed".map { .char($0) }
        let terminal = PacedBackend(keys: [.char("c")], driver: driver, thenAtOnce: note + [.enter, .char("q")])
        // A starved test process must not run out the console's closing wait.
        nonisolated(unsafe) let app = ConsoleApp(driver: driver, backend: terminal, closingWait: 60)
        let runner = driver.runner
        // Read the moment the loop returns, as a process would exit then.
        let stillRecording = try await offPool { app.run(); return runner.isRecording }
        #expect(!stillRecording, "the loop returned while the note was still being recorded")
        let selected = try #require(driver.state.selectedRequest?.id)
        let timeline = try await service.detail(of: selected).timeline
        #expect(timeline.contains { $0.payload == .note(text: "written as the console closed") }, "the note was not recorded when the loop returned")
        driver.stop()
    }

    /// Quitting while an Okta action is on its way (the operator answers yes to the question):
    /// the console says it is closing and waits for the action's answer to be recorded, within
    /// its limit, before its loop returns.
    @Test func quittingWhileAnActionRunsFinishesRecordingIt() async throws {
        let (driver, service) = try await loopDriver(store: "closing.db", latency: 0.4, cardDelay: 0)
        let reason: [Key] = "caller verified".map { .char($0) }
        let terminal = PacedBackend(keys: [.char("s")], driver: driver, thenAtOnce: reason + [.enter, .char("q"), .char("y")])
        nonisolated(unsafe) let app = ConsoleApp(driver: driver, backend: terminal, closingWait: 60)
        let runner = driver.runner
        let stillRecording = try await offPool { app.run(); return runner.isRecording }
        #expect(!stillRecording, "the loop returned while the action's answer was still to be recorded")
        #expect(driver.state.status?.text == "Closing: finishing work in progress…", "the closing frame: \(String(describing: driver.state.status))")
        let selected = try #require(driver.state.selectedRequest?.id)
        let timeline = try await service.detail(of: selected).timeline
        #expect(timeline.contains { if case .actionSucceeded = $0.payload { true } else { false } }, "\(timeline.map(\.payload))")
        driver.stop()
    }

    /// A terminal for the loop that types its next key only once the console's work is done and
    /// its answers drawn, and notes, for the first frame after each key, whether work had started
    /// (running, or its answer waiting for the loop).
    /// `thenAtOnce` follows the paced keys one a read, without waiting (a burst of typing).
    final class PacedBackend: TerminalBackend {
        var keys: [Key]
        var thenAtOnce: [Key]
        let driver: ConsoleDriver
        private(set) var keyFrames: [(selected: String?, workStarted: Bool)] = []
        private var keySent = false
        private var quietReads = 0

        init(keys: [Key], driver: ConsoleDriver, thenAtOnce: [Key] = []) {
            self.keys = keys
            self.driver = driver
            self.thenAtOnce = thenAtOnce
        }

        var size: (columns: Int, rows: Int) { (100, 30) }
        var wakesForAnswers: Bool { false }

        func read(timeoutMilliseconds: Int) -> TerminalInput? {
            if keys.isEmpty, !thenAtOnce.isEmpty { return .key(thenAtOnce.removeFirst()) }
            guard driver.runner.isIdle, !keys.isEmpty else {
                usleep(2_000)
                return nil
            }
            // Two reads in a row with nothing running: every answer has been handled and drawn.
            quietReads += 1
            guard quietReads >= 2 else { return nil }
            quietReads = 0
            keySent = true
            return .key(keys.removeFirst())
        }

        func draw(_ runs: [CellRun]) {
            guard keySent else { return }
            keySent = false
            keyFrames.append((driver.state.selectedRequest?.id.description, !driver.runner.isIdle || driver.hasAnswersWaiting))
        }
    }

    @Test func resetMFAFromAskingThroughTheManagersApprovalToOktasAnswer() async throws {
        let console = try await session()
        #expect(console.text.contains("1 Queue 34"))

        // Find Jane's lost-phone request with the filter, and see her Okta state.
        await console.press(.char("/"))
        await console.type("lost phone")
        await console.press(.enter)
        #expect(console.state.selectedRequest?.subject == "Lost my phone — need MFA reset")
        #expect(console.text.contains("ACTIVE  Jane Doe  jane.doe@example.com"))
        #expect(console.text.contains("MFA     Okta Verify push (iPhone 12), SMS"))

        // Ask for reset MFA with a reason.
        await console.press(.char("m"))
        #expect(console.text.contains("Reset all MFA factors for jane.doe@example.com (Okta Verify push"))
        #expect(console.text.contains("Needs approval by sam or morgan"), "the service names exactly who the engine will ask")
        await console.type("lost phone; ID checked on video")
        await console.press(.enter)
        #expect(console.text.contains("waits for approval APR-1 by sam, morgan"))
        #expect(console.text.contains("asked for approval APR-1"))

        // Switch to the manager, who finds it awaiting his approval.
        await console.press(.function(2))
        #expect(console.text.contains("sam (manager)"))
        await console.press(.char("3"))
        #expect(console.text.contains("3 Awaiting my approval 1"))
        #expect(console.text.contains("Approval APR-1"))
        #expect(console.text.contains("“lost phone; ID checked on"))
        await console.press(.char("a"))
        #expect(console.text.contains("It runs in Okta now, in your name."))
        await console.press(.enter)
        #expect(console.state.status?.text.contains("Okta: reset 3 factors") == true, "\(console.text)")

        // Back on the queue, the timeline tells the whole story.
        await console.press(.char("1"))
        #expect(console.state.filter.text == "lost phone", "the filter stays while changing tabs")
        let kinds = console.state.detail.timeline.map(\.kind)
        #expect(kinds == [.created, .approvalRequested, .statusChanged, .approvalGranted, .statusChanged, .actionStarted, .actionSucceeded])
        #expect(console.text.contains("MFA     no factors enrolled"))
        #expect(console.text.contains("Okta: reset 3 factors (RUN-1"))
    }

    /// Alex's and Morgan's consoles on one demo service.
    func agentAndApprover() async throws -> (Session, Session) {
        var environment = ProgramEnvironment.live()
        environment.clock = ManualClock(Date())
        let backend = try DemoSetup.make(storePath: folder.file("demo.db"), environment: environment, latency: 0)
        return (try await session(as: "alex", on: backend), try await session(as: "morgan", on: backend))
    }

    /// Waits (settling) until `condition` holds on the console, up to ten seconds.
    func waitFor(_ console: Session, _ condition: (Session) -> Bool) async throws {
        for _ in 0..<500 where !condition(console) {
            try await Task.sleep(nanoseconds: 20_000_000)
            await console.settle()
        }
    }

    @Test func twoConsolesOnOneServiceNeverShowACardTheTimelineContradicts() async throws {
        let (alex, morgan) = try await agentAndApprover()
        for console in [alex, morgan] {
            await console.press(.char("/"))
            await console.type("too many password")
            await console.press(.enter)
        }
        #expect(alex.text.contains("LOCKED_OUT  Omar Haddad"))
        #expect(morgan.text.contains("LOCKED_OUT  Omar Haddad"))
        #expect(morgan.text.contains("l Unlock"))

        // Alex unlocks; Morgan presses nothing.
        await alex.press(.char("l"))
        await alex.type("locked out after holiday; ID checked")
        await alex.press(.enter)
        #expect(alex.text.contains("ACTIVE  Omar Haddad"))
        try await waitFor(morgan) { $0.text.contains("ACTIVE  Omar Haddad") }
        #expect(morgan.text.contains("ACTIVE  Omar Haddad"), "the other console's card follows Okta's answer on the timeline")
        #expect(morgan.text.contains("Okta: unlocked the account"))
        #expect(morgan.text.contains("not locked out"), "and its panel no longer offers the unlock")
        await morgan.press(.char("l"))
        #expect(morgan.state.modal == nil)
        #expect(morgan.state.status?.text.contains("not available") == true)
    }

    @Test func everyDemoRequestCanBeWorkedToResolutionFromTheKeyboard() async throws {
        let console = try await session()
        await console.press(.char("4"))
        await console.press(.char("1"))
        var resolved = 0
        // Resolve from the top until the queue is empty: every request has a way through.
        for _ in 0..<40 {
            guard let request = console.state.selectedRequest else { break }
            if request.status == .awaitingApproval {
                await console.press(.function(2), .function(2))
                #expect(console.state.user.login == "morgan")
                await console.press(.char("3"))
                await console.press(.char("d"))
                await console.type("handled in the demo walk-through")
                await console.press(.enter)
                await console.press(.function(2))
                await console.press(.char("1"))
                continue
            }
            await console.press(.char("r"))
            await console.type("done")
            await console.press(.enter)
            #expect(console.state.status?.kind != .error, "\(request.id): \(console.state.status?.text ?? "")")
            resolved += 1
        }
        #expect(console.state.counts.queue == 0, "every request resolved: \(console.text)")
        #expect(resolved >= 30)
    }

    /// Finds a request with the filter, asks for the action behind `key` (choosing the first
    /// item of a picker), and has Morgan approve it; returns Okta's answer as the status said it.
    func askAndApprove(_ agent: Session, _ approver: Session, find: String, key: Character, choose: Int? = nil) async -> String? {
        for console in [agent, approver] {
            await console.press(.char("/"))
            await console.press(.ctrl("u"))
            await console.type(find)
            await console.press(.enter)
        }
        await agent.press(.char(key))
        if let choose {
            for _ in 0..<choose { await agent.press(.down) }
            await agent.press(.enter)
        }
        await agent.type("checked with the requester on a video call")
        await agent.press(.enter)
        guard agent.state.status?.text.contains("waits for approval") == true else { return agent.state.status?.text }
        await approver.press(.char("3"))
        await approver.press(.char("a"))
        await approver.press(.enter)
        let answer = approver.state.status?.text
        await approver.press(.char("1"))
        return answer
    }

    @Test func theDemosHardRequestsHaveAWayThrough() async throws {
        let (alex, morgan) = try await agentAndApprover()

        // A PROVISIONED user who never got the email: v resends it.
        let resent = await askAndApprove(alex, morgan, find: "activation email", key: "v")
        #expect(resent?.contains("activation email sent again") == true, "\(resent ?? "")")

        // A STAGED new hire: v activates.
        let activated = await askAndApprove(alex, morgan, find: "New hire starting Monday", key: "v")
        #expect(activated?.contains("activated; activation email sent") == true, "\(activated ?? "")")

        // A lost YubiKey: f resets that one factor and keeps the phone.
        await alex.press(.char("/"))
        await alex.press(.ctrl("u"))
        await alex.type("Lost YubiKey")
        await alex.press(.enter)
        #expect(alex.text.contains("Okta Verify push (Pixel 8), security key or biometric"))
        #expect(alex.state.status == nil, "the message about the last request went with it")
        let reset = await askAndApprove(alex, morgan, find: "Lost YubiKey", key: "f", choose: 1)
        #expect(reset?.contains("Okta:") == true, "\(reset ?? "")")
        await alex.press(.char("R"))
        #expect(alex.text.contains("MFA     Okta Verify push (Pixel 8)"))
        #expect(!alex.text.contains("Okta Verify push (Pixel 8), security key"), "only the security key was reset")
    }

    @Test func anotherProcessesChangeAppearsWithoutAKeyPressAndTheSelectionStays() async throws {
        let console = try await session()
        await console.press(.down, .down)
        let selected = try #require(console.state.selectedRequest)
        // Another process adds an urgent request above the selection.
        let other = try SQLiteRequestStore(path: folder.file("demo.db"))
        _ = try other.create(Fixtures.newRequest("Urgent from the command line", priority: .urgent), by: "cli", at: Date().addingTimeInterval(-7200))
        for _ in 0..<500 where !console.text.contains("Urgent from the command line") {
            try await Task.sleep(nanoseconds: 20_000_000)
            await console.settle()
        }
        #expect(console.state.selectedRequest?.id == selected.id)
        #expect(console.text.contains("Urgent from the command line"))
        #expect(console.text.contains("1 Queue 35"))
    }
}
