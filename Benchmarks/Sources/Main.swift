import Foundation

/// The benchmark executable: `swift run -c release helpdesk-benchmarks SUITE [options]`.
/// Suites print medians and the spread of repeated runs; figures go in Benchmarks/README.md.
@main
enum BenchmarkMain {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let suite = arguments.first else {
            print("usage: helpdesk-benchmarks store|stores|okta|okta-service|playbook|console|service|end-to-end|import-export [--rows N] [--db PATH] [--runs N] [--binary PATH] [--postgres URL] [--frames PATH] [--verdicts PATH]")
            exit(2)
        }
        let options = BenchmarkOptions(Array(arguments.dropFirst()))
        switch suite {
        case "store": try StoreBenchmark.run(options)
        case "stores": try await StoreEnginesBenchmark.run(options)
        case "okta": try await OktaRateBenchmark.run(options)
        case "console": try await ConsoleBenchmark.run(options)
        case "service": try await ServiceBenchmark.run(options)
        case "end-to-end": try await EndToEndBenchmark.run(options)
        case "okta-service": try await OktaServiceBenchmark.run(options)
        case "import-export": try await ImportExportBenchmark.run(options)
        case "playbook": try await PlaybookBenchmark.run(options)
        default:
            print("unknown suite \(suite); expected store, stores, okta, okta-service, playbook, console, service, end-to-end or import-export")
            exit(2)
        }
    }
}

/// The suites' options: `--rows N`, `--db PATH`, `--runs N` and the rest the usage line names.
struct BenchmarkOptions {
    var rows = 1_000_000
    var db: String?
    var runs = 200
    var calls = 500
    /// The `helpdesk` binary the end-to-end suite runs (default: the one beside the benchmarks).
    var binary: String?
    /// The PostgreSQL database the `stores` suite measures beside the SQLite file.
    var postgres: String?
    /// Where the end-to-end suite writes each key's frame (`FrameLog`).
    var frames: String?
    /// A file the suites of issue 14 append their verdicts to (`Verdict`).
    var verdicts: String?

    /// `--db`, or a store of `rows` requests in the temporary folder, kept between runs.
    var storePath: String {
        db ?? FileManager.default.temporaryDirectory.appendingPathComponent("helpdesk-bench-\(rows).db").path
    }

    init(_ words: [String]) {
        var index = 0
        while index + 1 < words.count {
            switch words[index] {
            case "--rows": rows = Int(words[index + 1]) ?? rows
            case "--db": db = words[index + 1]
            case "--runs": runs = Int(words[index + 1]) ?? runs
            case "--calls": calls = Int(words[index + 1]) ?? calls
            case "--binary": binary = words[index + 1]
            case "--postgres": postgres = words[index + 1]
            case "--frames": frames = words[index + 1]
            case "--verdicts": verdicts = words[index + 1]
            default: break
            }
            index += 2
        }
    }
}
