import ConsoleView
import ConsoleViewModel
import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import NcursesFrontEnd
import OktaClient
import SQLiteStore

/// Issue 5's figures over a store of a million requests: update + render + diff per key, the
/// first frame, resident memory, and the bytes ncurses writes for a cursor move against the
/// cells that changed.
enum ConsoleBenchmark {
    static let columns = 120
    static let rows = 40

    static func run(_ options: BenchmarkOptions) async throws {
        let path = options.storePath
        print("console benchmark: \(options.rows) requests in \(path), \(columns)x\(rows)")
        print(MachineNoise.report())
        try StoreGenerator.ensure(path: path, rows: options.rows)

        let terminal = try TerminalCapture(columns: columns, rows: rows)
        defer { terminal.end() }

        var firstFrame = Timing("open the store → first frame")
        var queueFrame = Timing("open the store → queue on screen")
        for _ in 0..<20 {
            let (first, queue) = try await coldStart(path: path)
            firstFrame.add(first)
            queueFrame.add(queue)
        }
        print(firstFrame.line)
        print(queueFrame.line)
        if let launch = processLaunch() { print(launch.line) }

        let session = try Session(path: path)
        await session.startAndSettle(drawingOn: terminal)
        let keys = KeyScript.keys(count: options.runs)
        var keyFrames = Timing("key → update + render + diff")
        var answerFrames = Timing("answer → update + render + diff")
        for key in keys {
            keyFrames.add(session.press(key))
            // A person types about 10 keys a second at most; answers arrive in between.
            let until = ContinuousClock.now + .milliseconds(15)
            while ContinuousClock.now < until {
                if let answer = session.drainAnswers() { answerFrames.add(answer) }
                try await Task.sleep(for: .milliseconds(1))
            }
        }
        await session.settle()
        print(keyFrames.line)
        print(answerFrames.line)
        // The settled screen again, unchanged: the renderer's and the diff's own cost, steadier
        // than a key's (no store read, no answer), to compare one build with another.
        print(Timing.measure("settled screen → render + diff again", runs: 20 * options.runs) { session.rerender() }.line)
        print(ResidentMemory.line())

        try await measureBytes(session, terminal: terminal, moves: 40)
    }

    /// One cold start: store, services and driver made from nothing, then frames until the
    /// queue shows, as the console's own loop does.
    private static func coldStart(path: String) async throws -> (first: Duration, queue: Duration) {
        let start = ContinuousClock.now
        let session = try Session(path: path)
        session.driver.send(.resize(columns: columns, rows: rows))
        session.driver.start()
        _ = session.frame()
        let first = start.duration(to: .now)
        while session.driver.state.queue.rows.isEmpty {
            await Task.yield()
            if session.driver.drain() { _ = session.frame() }
        }
        let queue = start.duration(to: .now)
        await session.settle()
        return (first, queue)
    }

    /// The cost of starting the program itself (exec, dynamic loading, argument parsing).
    private static func processLaunch() -> Timing? {
        let binary = BuiltProducts.executable("helpdesk")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            print("process launch: build the release binary first (swift build -c release --product helpdesk)")
            return nil
        }
        return try? Timing.measure("process launch (helpdesk --help)", runs: 20) {
            _ = try ChildProcess.run(binary, ["--help"])
        }
    }

    /// Settled screens before and after each move; what ncurses wrote for it.
    private static func measureBytes(_ session: Session, terminal: TerminalCapture, moves: Int) async throws {
        await session.redraw(on: terminal)
        var keyCells = 0, keyBytes = 0, settledCells = 0, settledBytes = 0
        for index in 0..<moves {
            let key: Key = index % 2 == 0 ? .down : .up
            let before = terminal.bytesWritten()
            let changedByKey = session.pressAndDraw(key, on: terminal)
            let afterKey = terminal.bytesWritten()
            keyCells += changedByKey
            keyBytes += afterKey - before
            settledCells += changedByKey + (await session.settleAndDraw(on: terminal))
            settledBytes += terminal.bytesWritten() - before
        }
        print(String(format: "cursor move, the key's frame: %.0f cells changed, %.0f bytes written (%.2f bytes per cell), mean of %d moves",
                     Double(keyCells) / Double(moves), Double(keyBytes) / Double(moves), Double(keyBytes) / Double(max(keyCells, 1)), moves))
        print(String(format: "cursor move, settled (new detail and card): %.0f cells changed, %.0f bytes written (%.2f bytes per cell)",
                     Double(settledCells) / Double(moves), Double(settledBytes) / Double(moves), Double(settledBytes) / Double(max(settledCells, 1))))
    }
}

/// A console over the store and the simulated tenant, drawn into a screen buffer.
private final class Session {
    let driver: ConsoleDriver
    private var frames = FrameDiff()

    init(path: String) throws {
        let store = try SQLiteRequestStore(path: path)
        let clock = SystemClock()
        let tenant = SimulatedTenant(clock: clock, latency: 0.05)
        let agent = Operator(login: "alex", email: try? EmailAddress("alex.kim@example.com"), roles: [.agent])
        let engine = ActionEngine(store: store, directory: tenant, clock: clock, policy: .default, team: Team([agent]), runner: nil)
        let backend = HelpdeskBackend(engine: engine) { _ in agent }
        let state = AppState(user: agent, orgName: tenant.orgName, policy: .default, now: clock.now())
        driver = ConsoleDriver(state: state, services: ConsoleServices(service: try backend.service(for: agent.login)))
    }

    /// Renders the state and diffs it against the last frame; then the work it shows starts, as
    /// in the console's loop (work a key waits for, before).
    @discardableResult
    func frame() -> [CellRun] {
        driver.startAwaitedWork()
        defer { driver.startWork() }
        return frames.next(driver.state)
    }

    func startAndSettle(drawingOn terminal: TerminalCapture) async {
        driver.send(.resize(columns: ConsoleBenchmark.columns, rows: ConsoleBenchmark.rows))
        driver.start()
        await settle()
        terminal.draw(frame())
    }

    func press(_ key: Key) -> Duration {
        let start = ContinuousClock.now
        driver.send(.key(key))
        _ = frame()
        return start.duration(to: .now)
    }

    /// Handles the answers that have arrived and draws: the time taken, or nil when none had.
    func drainAnswers() -> Duration? {
        let start = ContinuousClock.now
        guard driver.drain() else { return nil }
        _ = frame()
        return start.duration(to: .now)
    }

    func settle() async {
        await driver.settle()
        _ = frame()
    }

    /// Renders and diffs the state as it is, starting no work.
    func rerender() {
        _ = frames.next(driver.state)
    }

    /// Draws the whole screen on `terminal`: frames timed without it left ncurses behind.
    func redraw(on terminal: TerminalCapture) async {
        await driver.settle()
        frames.forget()
        terminal.draw(frame())
    }

    func pressAndDraw(_ key: Key, on terminal: TerminalCapture) -> Int {
        driver.send(.key(key))
        let runs = frame()
        terminal.draw(runs)
        return runs.cellCount
    }

    func settleAndDraw(on terminal: TerminalCapture) async -> Int {
        await driver.settle()
        let runs = frame()
        terminal.draw(runs)
        return runs.cellCount
    }
}

private extension [CellRun] {
    var cellCount: Int { reduce(0) { $0 + $1.cells.count } }
}

/// The keys a person moving through the queue presses: mostly j/k, some paging, a tab change.
private enum KeyScript {
    static func keys(count: Int) -> [Key] {
        let pattern: [Key] = Array(repeating: .char("j"), count: 12) + [.pageDown, .pageDown] + Array(repeating: .char("k"), count: 6)
            + [.pageUp, .end, .home, .tab, .char("j"), .char("j"), .backTab]
        return (0..<count).map { pattern[$0 % pattern.count] }
    }
}

/// ncurses writing to a file instead of a terminal, so its output can be counted.
private final class TerminalCapture {
    private let file: UnsafeMutablePointer<FILE>
    private let backend: NcursesBackend
    let path: String

    init(columns: Int, rows: Int) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("helpdesk-bench-terminal-\(getpid()).out").path
        guard let file = fopen(path, "w") else { throw BenchmarkFailure("cannot write \(path)") }
        self.file = file
        setenv("TERM", "xterm-256color", 1)
        setenv("COLUMNS", String(columns), 1)
        setenv("LINES", String(rows), 1)
        backend = try NcursesBackend(useColor: true, output: file)
        let size = backend.size
        guard size.columns == columns, size.rows == rows else {
            throw BenchmarkFailure("ncurses sized the screen \(size.columns)x\(size.rows), not \(columns)x\(rows)")
        }
    }

    func draw(_ runs: [CellRun]) { backend.draw(runs) }

    func bytesWritten() -> Int {
        fflush(file)
        var status = stat()
        fstat(fileno(file), &status)
        return Int(status.st_size)
    }

    func end() {
        backend.end()
        fclose(file)
        unlink(path)
    }
}

/// Resident memory from /proc: this process's, or another's.
enum ResidentMemory {
    static func line() -> String { "resident memory: " + of("self") }

    static func of(_ pid: Int32) -> String { "resident memory " + of(String(pid)) }

    private static func of(_ process: String) -> String {
        guard let status = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8) else { return "/proc unavailable" }
        let fields = status.split(separator: "\n").filter { $0.hasPrefix("VmRSS") || $0.hasPrefix("VmHWM") }
        return fields.map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }.joined(separator: ", ")
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
