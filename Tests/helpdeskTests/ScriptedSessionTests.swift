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

    func session() async throws -> Session {
        var environment = ProgramEnvironment.live()
        environment.clock = ManualClock(Date())
        let (backend, _) = try DemoSetup.make(dbOption: folder.file("demo.db"), environment: environment, latency: 0)
        let service = try backend.service(for: DemoSetup.agent.login)
        let session = try await service.session()
        let state = AppState(user: session.operator, personas: session.personas, isDemo: true, orgName: session.orgName, policy: session.policy, now: environment.clock.now())
        let fast = ConsoleServices(service: service, persona: DemoSetup.persona(backend), clock: environment.clock, cardDelay: 0)
        let console = Session(driver: ConsoleDriver(state: state, services: fast))
        await console.start()
        return console
    }

    @Test func resetMFAFromAskingThroughTheManagersApprovalToOktasAnswer() async throws {
        let console = try await session()
        #expect(console.text.contains("1 Queue 33"))

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

    @Test func anotherProcessesChangeAppearsWithoutAKeyPressAndTheSelectionStays() async throws {
        let console = try await session()
        await console.press(.down, .down)
        let selected = try #require(console.state.selectedRequest)
        // Another process adds an urgent request above the selection.
        let other = try SQLiteRequestStore(path: folder.file("demo.db"))
        _ = try other.create(Fixtures.newRequest("Urgent from the command line", priority: .urgent), by: "cli", at: Date().addingTimeInterval(-7200))
        for _ in 0..<100 where !console.text.contains("Urgent from the command line") {
            try await Task.sleep(nanoseconds: 20_000_000)
            await console.settle()
        }
        #expect(console.state.selectedRequest?.id == selected.id)
        #expect(console.text.contains("Urgent from the command line"))
        #expect(console.text.contains("1 Queue 34"))
    }
}
