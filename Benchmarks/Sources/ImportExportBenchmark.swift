import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import SQLiteStore

/// Issue 14's bulk figures, from the real binary: `import` of generated JSON lines (rate and peak
/// memory at two sizes, so flat memory shows), and `export` of the million-request store in
/// process and through `helpdesk serve`, with `--since` for the newest thousandth.
enum ImportExportBenchmark {
    static let importSizes = [100_000, 300_000]
    static let repeats = 3

    static func run(_ options: BenchmarkOptions) async throws {
        let binary = URL(fileURLWithPath: options.binary ?? BuiltProducts.executable("helpdesk").path)
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw BenchmarkFailure("build the release binary first (swift build -c release --product helpdesk)")
        }
        print("import-export benchmark: \(binary.path)")
        print(MachineNoise.report())
        let folder = TemporaryDirectory("hd-bench-bulk")
        var imports: [Figures] = []
        var floors: [Figures] = []

        for lines in importSizes {
            let input = folder.file("requests-\(lines).jsonl")
            try writeImportLines(lines, to: input)
            var runs: [ChildRun] = []
            var floor: [Double] = []
            let firstStore = folder.file("import-\(lines)-0.db")
            for run in 0..<repeats {
                let store = folder.file("import-\(lines)-\(run).db")
                runs.append(try ChildRun.timed(binary, ["import", input, "--db", store]))
                if run > 0 { removeStore(store) }
                // SQLite alone after each import, from the first import's rows: the machine's
                // speed in the same minutes, at the same size (a larger store costs more a line).
                guard runs.last?.status == 0 else { continue }
                let copy = folder.file("floor-\(lines)-\(run).db")
                floor.append(try ImportFloor.copy(from: firstStore, into: copy))
                removeStore(copy)
            }
            removeStore(firstStore)
            imports.append(report("import \(lines) lines", runs, items: lines, unit: "lines"))
            floors.append(report("SQLite alone, the \(lines) requests", seconds: floor, items: lines, unit: "lines"))
        }

        let store = options.storePath
        try StoreGenerator.ensure(path: store, rows: options.rows)
        let events = try eventCount(store)
        var inProcess: [ChildRun] = []
        for _ in 0..<repeats { inProcess.append(try ChildRun.timed(binary, ["export", "--db", store])) }
        let exported = report("export \(events) events, in process", inProcess, items: events, unit: "events")

        let okta = try OktaStandIn()
        defer { okta.stop() }
        let service = try ServeProcess(orgURL: okta.orgURL, token: okta.token, store: store, roles: ["agent"], binary: binary.path)
        defer { service.stop() }
        var served: [ChildRun] = []
        for _ in 0..<repeats { served.append(try ChildRun.timed(binary, ["export", "--socket", service.socket])) }
        let exportedThroughService = report("export \(events) events, through helpdesk serve", served, items: events, unit: "events")

        let since = try newestThousandth(store)
        var recent: [ChildRun] = []
        for _ in 0..<repeats * 3 { recent.append(try ChildRun.timed(binary, ["export", "--db", store, "--since", Timestamp.iso8601(since)])) }
        let sinceFigures = report("export --since (the newest thousandth), in process", recent, items: nil, unit: "")
        try Verdict.report("import-export", [
            Verdict("import ≥ 50k lines/s", imports.map { String(format: "%.0fk/s (%d lines)", $0.rate / 1000, $0.items) }.joined(separator: ", ")
                        + "; SQLite alone, the same rows in the same transactions: "
                        + floors.map { $0.ok ? String(format: "%.0fk/s (%d)", $0.rate / 1000, $0.items) : "failed (\($0.items))" }.joined(separator: ", "),
                    met: imports.allSatisfy { $0.ok && $0.rate >= 50_000 }),
            Verdict("import memory flat, ≤ 50 MiB at any size", imports.map { String(format: "%.1f MiB (%d lines)", $0.peakMiB, $0.items) }.joined(separator: ", "),
                    met: imports.allSatisfy { $0.ok && $0.peakMiB <= 50 }),
            Verdict("export ≥ 200k events/s", String(format: "%.0fk/s in process, %.0fk/s through helpdesk serve", exported.rate / 1000, exportedThroughService.rate / 1000),
                    met: exported.ok && exportedThroughService.ok && min(exported.rate, exportedThroughService.rate) >= 200_000),
            // The look-up names the index (INDEXED BY): a query that could not use it would fail, not scan.
            Verdict("export --since uses the time index (a scan took 183 ms)", "median \(Timing.ms(sinceFigures.milliseconds)), every run answered: \(sinceFigures.ok)",
                    met: sinceFigures.ok && sinceFigures.milliseconds < 50),
        ], to: options.verdicts)
    }

    /// What `report` printed, for the verdicts: the median rate, the highest peak, whether every run succeeded.
    struct Figures {
        let items: Int
        let rate: Double
        let milliseconds: Double
        let peakMiB: Double
        let ok: Bool
    }

    /// Lines shaped like a ticketing system's export: about 360 bytes each, written a thousand
    /// at a time (the benchmark stays small: a child's peak memory counts its parent's at spawn).
    static func writeImportLines(_ count: Int, to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
            throw BenchmarkFailure("cannot write \(path)")
        }
        defer { try? file.close() }
        let categories = ["mfa", "access", "account", "hardware", "general"]
        let body = String(repeating: "Hello, I changed my phone yesterday and now the authenticator does not work. Please help. ", count: 2)
        var text = ""
        for index in 0..<count {
            text += #"{"externalId": "ZD-\#(index)", "requester": "user\#(index % 5_000)@example.com", "subject": "Cannot sign in to app \#(index % 97) after a phone change", "#
                + #""body": "\#(body)", "category": "\#(categories[index % categories.count])", "priority": "normal"}"# + "\n"
            if index % 1_000 == 999 || index == count - 1 {
                try file.write(contentsOf: Data(text.utf8))
                text = ""
            }
        }
    }

    /// Events are append-only with growing ids from 1, so the newest id is the count.
    private static func eventCount(_ path: String) throws -> Int {
        Int(try SQLiteRequestStore(path: path).read { try $0.lastEventID() })
    }

    /// The time after which about a thousandth of the generated requests were created.
    private static func newestThousandth(_ path: String) throws -> Date {
        let store = try SQLiteRequestStore(path: path)
        let total = try store.read { try $0.count(.all) }
        guard let newest = try store.read({ try $0.request(RequestID(Int64(total))) }),
              let oldest = try store.read({ try $0.request(RequestID(1)) }) else {
            throw BenchmarkFailure("the store has no requests 1 and \(total)")
        }
        return newest.createdAt.addingTimeInterval(-newest.createdAt.timeIntervalSince(oldest.createdAt) / 1000)
    }

    private static func removeStore(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    private static func report(_ label: String, _ runs: [ChildRun], items: Int?, unit: String) -> Figures {
        let peakKiB = runs.map(\.peakKiB).max()
        return report(label, seconds: runs.map(\.seconds), failed: runs.filter { $0.status != 0 }.count, peakKiB: peakKiB, items: items, unit: unit)
    }

    private static func report(_ label: String, seconds: [Double], failed: Int = 0, peakKiB: Int? = nil, items: Int?, unit: String) -> Figures {
        var timing = Timing(label)
        for run in seconds { timing.add(.nanoseconds(Int64(run * 1e9))) }
        let rate = items.map { String(format: "  %.0fk %@/s at the median", Double($0) / (timing.median / 1000) / 1000, unit) } ?? ""
        let peak = peakKiB.map { String(format: "  peak resident %.1f MiB", Double($0) / 1024) } ?? ""
        print(timing.line + rate + peak + (failed > 0 ? "  FAILED runs: \(failed)" : ""))
        return Figures(items: items ?? 0, rate: Double(items ?? 0) / (timing.median / 1000), milliseconds: timing.median,
                       peakMiB: Double(peakKiB ?? 0) / 1024, ok: failed == 0 && !seconds.isEmpty)
    }
}

/// One run of a child process to its end: wall time, exit status and peak resident memory.
struct ChildRun {
    let seconds: Double
    let status: Int32
    let peakKiB: Int

    /// Runs `binary` with output to /dev/null.
    static func timed(_ binary: URL, _ arguments: [String]) throws -> ChildRun {
        let start = ContinuousClock.now
        let pid = try ChildProcess.spawn(binary, arguments)
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
        let elapsed = start.duration(to: .now).components
        return ChildRun(seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18,
                        status: status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f), peakKiB: usage.ru_maxrss)
    }
}
