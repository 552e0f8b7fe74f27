import ConsoleView
import ConsoleViewModel
import Foundation
import HelpdeskCore
import HelpdeskSocket
import HelpdeskTestSupport

/// Issue 11's figures: the real `helpdesk serve` (release build) over the million-request store,
/// and clients in this process over its socket: a queue page of 50, the console's frames, a
/// change in one console until another shows it, and the service's memory with 20 consoles.
enum ServiceBenchmark {
    static let columns = 120
    static let rows = 40

    static func run(_ options: BenchmarkOptions) async throws {
        let path = options.storePath
        print("service benchmark: \(options.rows) requests in \(path), consoles \(columns)x\(rows)")
        print(MachineNoise.report())
        try StoreGenerator.ensure(path: path, rows: options.rows)
        let service = try ServeProcess(orgURL: "http://127.0.0.1:9", token: "00bench", store: path, roles: ["admin"])
        defer { service.stop() }
        print("service: pid \(service.pid), \(ResidentMemory.of(service.pid))")

        let client = RemoteHelpdeskService(path: service.socket)
        _ = try await client.session()
        var page = Timing("queue page of 50 over the socket")
        var deep = Timing("page of 50 after row 1,000 (working queue)")
        let working = QueueFilter(statuses: RequestStatus.active)
        let middle = try await client.queue(QueueQuery(filter: working, limit: 1000))
        for run in 0..<(options.runs + 3) {
            let start = ContinuousClock.now
            _ = try await client.queue(QueueQuery(filter: working, limit: 50))
            if run >= 3 { page.add(start.duration(to: .now)) }
            let cursor = middle.requests.last.map(QueueCursor.init)
            let deepStart = ContinuousClock.now
            _ = try await client.queue(QueueQuery(filter: working, after: cursor, limit: 50))
            if run >= 3 { deep.add(deepStart.duration(to: .now)) }
        }
        print(page.line)
        print(deep.line)

        let console = try await Console(socket: service.socket)
        await console.start()
        var keyFrames = Timing("key → update + render + diff")
        var settled = Timing("key → settled (answers over the socket)")
        for key in keyScript(count: options.runs) {
            let start = ContinuousClock.now
            console.driver.send(.key(key))
            _ = console.frame()
            keyFrames.add(start.duration(to: .now))
            await console.settle()
            settled.add(start.duration(to: .now))
        }
        print(keyFrames.line)
        print(settled.line)

        // The watcher has a request of its own open on its Mine tab (a fresh one each run, so its
        // timeline does not grow from run to run); another operator notes on it, and the note must
        // appear there.
        let writer = RemoteHelpdeskService(path: service.socket)
        let fresh = try await writer.create(try NewRequest(requester: try EmailAddress("jane.doe@example.com"), subject: "benchmark watch \(UUID().uuidString.prefix(8))"))
        _ = try await writer.assign(fresh.id, to: try await writer.session().operator.login, expectedVersion: nil)
        let watcher = try await Console(socket: service.socket)
        await watcher.start()
        watcher.driver.send(.key(.tab))
        await watcher.settle()
        for _ in 0..<watcher.driver.state.queue.rows.count where watcher.driver.state.selectedRequest?.id != fresh.id {
            watcher.driver.send(.key(.char("j")))
            await watcher.settle()
        }
        guard watcher.driver.state.selectedRequest?.id == fresh.id else { throw BenchmarkFailure("the watcher did not find \(fresh.id) on its Mine tab") }
        let watched = fresh.id
        var pushed = Timing("change in one console → shown in another (Mine tab)")
        var noted = Timing("note over the socket (commit and answer)")
        for index in 0..<50 {
            let text = "benchmark note \(index) \(UUID().uuidString.prefix(6))"
            let start = ContinuousClock.now
            _ = try await writer.note(watched, text)
            noted.add(start.duration(to: .now))
            while !(watcher.driver.state.detail.timeline.contains { $0.payload == .note(text: text) }) {
                // The change's answer asks for the timeline: drawn, then read, as in the console.
                if watcher.driver.drain() { _ = watcher.frame() }
                try await Task.sleep(nanoseconds: 200_000)
            }
            _ = watcher.frame()
            pushed.add(start.duration(to: .now))
        }
        print(noted.line)
        print(pushed.line)

        var consoles: [Console] = [console, watcher]
        while consoles.count < 20 {
            let another = try await Console(socket: service.socket)
            await another.start()
            consoles.append(another)
        }
        for other in consoles { for key in [Key.end, .home, .char("j")] { other.driver.send(.key(key)); await other.settle() } }
        print("service with \(consoles.count) connected consoles: \(ResidentMemory.of(service.pid))")
    }

    private static func keyScript(count: Int) -> [Key] {
        let pattern: [Key] = Array(repeating: .char("j"), count: 12) + [.pageDown, .pageDown] + Array(repeating: .char("k"), count: 6)
            + [.pageUp, .end, .home, .tab, .char("j"), .char("j"), .backTab]
        return (0..<count).map { pattern[$0 % pattern.count] }
    }
}

/// A console driven and drawn in this process, its service over the socket.
private final class Console {
    let driver: ConsoleDriver
    private var frames = FrameDiff()

    init(socket: String) async throws {
        let service = RemoteHelpdeskService(path: socket)
        let session = try await service.session()
        let state = AppState(user: session.operator, orgName: session.orgName, policy: session.policy, now: Date(),
                             columns: ServiceBenchmark.columns, rows: ServiceBenchmark.rows)
        driver = ConsoleDriver(state: state, services: ConsoleServices(service: service, cardDelay: 0))
    }

    func start() async {
        driver.send(.resize(columns: ServiceBenchmark.columns, rows: ServiceBenchmark.rows))
        driver.start()
        await settle()
    }

    @discardableResult
    /// The next frame; then the work it shows starts, as in the console's loop
    /// (work a key waits for, before).
    func frame() -> [CellRun] {
        driver.startAwaitedWork()
        defer { driver.startWork() }
        return frames.next(driver.state)
    }

    func settle() async {
        await driver.settle()
        _ = frame()
    }
}
