import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import OktaClient
import Synchronization

/// Issue 3's figures: 500 add-to-group calls against a loopback Okta stand-in that allows 100
/// requests per 5-second window per bucket.
enum OktaRateBenchmark {
    static let limit = 100
    static let window = 5

    static func run(_ options: BenchmarkOptions) async throws {
        let calls = options.calls
        print("okta benchmark: \(calls) add-to-group calls, stand-in allows \(limit) per \(window) s per bucket")
        print(MachineNoise.report())
        let standIn = RateLimitedStandIn(limit: limit, window: window)
        let server = try LoopbackHTTPServer { standIn.answer($0) }
        defer { server.stop() }
        let settings = OktaSettings(org: try OrgURL(server.baseURL), token: try APIToken("00benchmarkTOKEN"))
        let directory = OktaDirectory(client: OktaHTTPClient(settings: settings))

        let start = ContinuousClock.now
        let failures = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<calls {
                group.addTask {
                    do {
                        // The membership check and the add: the workload this suite has always measured.
                        _ = try await directory.groups(ofUser: "00u\(index)")
                        _ = try await directory.addToGroup(userID: "00u\(index)", groupID: "00gVPN")
                    } catch {
                        failures.add()
                        print("  failure: \(error)")
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = start.duration(to: .now)
        print("wall time: \(elapsed)")
        print("failures: \(failures.value)")
        for line in standIn.report() { print(line) }
    }
}

/// Answers like Okta with fixed windows per bucket, counting what it let through and refused.
final class RateLimitedStandIn: Sendable {
    struct Stats {
        var accepted: [Int: Int] = [:]
        var refused: [Int: Int] = [:]
    }

    let limit: Int
    let window: Int
    private let stats = Mutex<[String: Stats]>([:])

    init(limit: Int, window: Int) {
        self.limit = limit
        self.window = window
    }

    func answer(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
        let bucket = request.path.split(separator: "/").dropFirst(2).first.map(String.init) ?? "other"
        let now = Int(Date().timeIntervalSince1970)
        let current = now / window
        let reset = (current + 1) * window
        let used: Int = stats.withLock { all in
            var stats = all[bucket] ?? Stats()
            let used = stats.accepted[current] ?? 0
            if used < limit {
                stats.accepted[current, default: 0] += 1
            } else {
                stats.refused[current, default: 0] += 1
            }
            all[bucket] = stats
            return used
        }
        let headers = ["X-Rate-Limit-Limit": "\(limit)", "X-Rate-Limit-Remaining": "\(max(0, limit - used - 1))",
                       "X-Rate-Limit-Reset": "\(reset)", "X-Okta-Request-Id": "bench-\(bucket)-\(used)", "Date": HTTPDate.format(Date())]
        guard used < limit else {
            return .json(429, #"{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}"#, headers: headers)
        }
        switch (request.method, request.path) {
        case ("GET", "/api/v1/groups/00gVPN"):
            return .json(200, #"{"id":"00gVPN","type":"OKTA_GROUP","profile":{"name":"VPN Users"}}"#, headers: headers)
        case ("GET", _) where request.path.hasSuffix("/groups"):
            return .json(200, "[]", headers: headers)
        case ("PUT", _):
            return LoopbackHTTPServer.Response(status: 204, headers: headers)
        default:
            return .json(404, #"{"errorCode":"E0000007"}"#, headers: headers)
        }
    }

    func report() -> [String] {
        stats.withLock { all in
            all.keys.sorted().map { bucket in
                let stats = all[bucket]!
                let windows = stats.accepted.keys.sorted()
                let accepted = stats.accepted.values.reduce(0, +)
                let refused = stats.refused.values.reduce(0, +)
                let span = (windows.last ?? 0) - (windows.first ?? 0) + 1
                let refusedAfterFirst = stats.refused.filter { $0.key != windows.first }.values.reduce(0, +)
                let share = Double(accepted) / Double(limit * span) * 100
                let fewest = (accepted + limit - 1) / limit
                return String(format: "bucket %@: %d accepted over %d windows (fewest possible %d), %d × 429 (%d after the first window), share of the allowed rate used %.1f%% (%.1f%% of the best possible)",
                              bucket, accepted, span, fewest, refused, refusedAfterFirst, share, Double(fewest) / Double(span) * 100)
            }
        }
    }
}

/// A count shared by concurrent tasks.
final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
