import Foundation

/// Repeated timings of one operation, summarised as median, spread and tail.
struct Timing {
    let label: String
    private(set) var samples: [Double] = []

    init(_ label: String) {
        self.label = label
    }

    /// Runs `body` `runs` times after `warmup` untimed runs.
    static func measure(_ label: String, runs: Int, warmup: Int = 3, _ body: () throws -> Void) rethrows -> Timing {
        for _ in 0..<warmup { try body() }
        var timing = Timing(label)
        for _ in 0..<runs {
            let start = ContinuousClock.now
            try body()
            timing.add(start.duration(to: .now))
        }
        return timing
    }

    mutating func add(_ duration: Duration) {
        let parts = duration.components
        samples.append(Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15)
    }

    func percentile(_ p: Double) -> Double {
        guard !samples.isEmpty else { return .nan }
        let sorted = samples.sorted()
        let rank = min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count - 1)).rounded())))
        return sorted[rank]
    }

    var median: Double { percentile(50) }

    /// One line: `label  median 1.23 ms  p10–p90 1.10–1.50 ms  p99 2.00 ms  (n=200)`.
    var line: String {
        let name = label.padding(toLength: 34, withPad: " ", startingAt: 0)
        return "\(name) median \(Self.ms(median))  p10–p90 \(Self.ms(percentile(10)))–\(Self.ms(percentile(90)))  p99 \(Self.ms(percentile(99)))  (n=\(samples.count))"
    }

    static func ms(_ value: Double) -> String {
        value < 10 ? String(format: "%.3f ms", value) : String(format: "%.1f ms", value)
    }
}

/// How noisy the machine is right now: the spread of a fixed CPU-bound loop.
enum MachineNoise {
    static func report(runs: Int = 50) -> String {
        var sink = 0
        let timing = Timing.measure("noise: fixed 2M-step loop", runs: runs) {
            var x = 1
            for i in 0..<2_000_000 { x = (x &* 31 &+ i) & 0xFFFF }
            sink &+= x
        }
        let spread = (timing.percentile(90) - timing.percentile(10)) / timing.median * 100
        return timing.line + String(format: "  spread p10–p90 = %.0f%% of median", spread) + (sink == 42 ? " " : "")
    }
}
