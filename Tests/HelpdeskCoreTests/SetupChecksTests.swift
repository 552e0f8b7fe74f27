import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import Synchronization
import Testing

/// The setup checks ask Okta each time they are read and any operator may ask: one reading
/// answers everyone for `checksReuse`, including those who ask while it is on its way.
@Suite struct SetupChecksTests {
    @Test func oneReadingOfTheChecksAnswersEveryoneForAWhile() async throws {
        let fixture = try EngineFixture()
        let readings = Readings()
        let backend = HelpdeskBackend(engine: fixture.engine, identify: { _ in DemoTeamFixture.sam }, checks: {
            readings.add()
            try? await Task.sleep(nanoseconds: 50_000_000)
            return [.passed("okta", "reading \(readings.count)")]
        })
        let answers = await withTaskGroup(of: [ServiceCheck].self) { group in
            for _ in 0..<20 { group.addTask { await backend.setupChecks() } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(readings.count == 1, "twenty operators at once, one reading")
        #expect(Set(answers.map { $0.first?.detail }) == ["reading 1"])
        _ = try await backend.service(for: "sam").setupChecks()
        #expect(readings.count == 1)
    }

    @Test func aReadingOnItsWayIsSharedHoweverLongItTakes() async throws {
        let fixture = try EngineFixture()
        let readings = Readings()
        let gate = AsyncGate()
        let backend = HelpdeskBackend(engine: fixture.engine, identify: { _ in DemoTeamFixture.sam }, checks: {
            readings.add()
            await gate.wait()
            return [.passed("okta", "reading \(readings.count)")]
        }, checksReuse: .zero)
        async let first = backend.setupChecks()
        #expect(await eventually { readings.count == 1 })
        async let second = backend.setupChecks()
        try await Task.sleep(nanoseconds: 50_000_000)
        gate.open()
        #expect(await first == (await second), "asked while the first was on its way, however long after it began")
        #expect(readings.count == 1)
        _ = await backend.setupChecks()
        #expect(readings.count == 2, "with no reuse, one that ended is read again")
    }
}

/// How many times the checks were read.
private final class Readings: Sendable {
    private let value = Mutex(0)
    func add() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}
