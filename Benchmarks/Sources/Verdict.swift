import Foundation

/// One target and what this run measured against it: met, not met, or not measured (the suite
/// could not take the figure). A suite prints its verdicts last, so a run says which targets it
/// reached without being compared by hand; `--verdicts PATH` also appends them to a file, which
/// `Benchmarks/end-to-end` prints once every suite has run.
struct Verdict {
    let target: String
    let measured: String
    let met: Bool?

    init(_ target: String, _ measured: String, met: Bool?) {
        self.target = target
        self.measured = measured
        self.met = met
    }

    var line: String {
        let mark = switch met {
        case true?: "met         "
        case false?: "NOT MET     "
        case nil: "NOT MEASURED"
        }
        return "  \(mark) \(target): \(measured)"
    }

    /// Prints `verdicts` under a heading and appends their lines to `file`, when given.
    static func report(_ suite: String, _ verdicts: [Verdict], to file: String?) throws {
        print("targets (\(suite)):")
        for verdict in verdicts { print(verdict.line) }
        guard let file else { return }
        if !FileManager.default.fileExists(atPath: file) { _ = FileManager.default.createFile(atPath: file, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: file) else { throw BenchmarkFailure("cannot write the verdicts to \(file)") }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(verdicts.map { $0.line + "\n" }.joined().utf8))
    }
}
