import Foundation
import HelpdeskCore
import HelpdeskSocket
import HelpdeskTestSupport

/// Issue 14's Okta figures: 500 add-to-group asks through the real `helpdesk serve` from 10
/// clients at once, against a loopback Okta that limits each family of paths to 100 requests per
/// 5-second window, beside the official Python SDK doing the same checks at 10 in flight.
enum OktaServiceBenchmark {
    static let limit = 100
    static let window = 5
    static let clients = 10

    static func run(_ options: BenchmarkOptions) async throws {
        let asks = options.calls
        print("okta-service benchmark: \(asks) add-to-group asks, \(clients) at once; the stand-in allows \(limit) per \(window) s per family")
        print(MachineNoise.report())
        let standIn = try OktaStandIn()
        defer { standIn.stop() }
        let emails = (0..<asks).map { "bench\($0)@example.com" }
        for (index, email) in emails.enumerated() {
            await standIn.tenant.add(DirectoryUser(id: String(format: "00ubench%012d", index), login: email, email: email, firstName: "Bench", lastName: "User \(index)", status: .active))
        }
        guard let group = try await standIn.tenant.findGroups("", limit: 100).first(where: { $0.type == .okta && $0.type.whyNotChangeable == nil }) else {
            throw BenchmarkFailure("the stand-in's tenant has no group whose memberships can change")
        }
        print("group: \(group.name) (\(group.id))")
        standIn.limitRate(perWindow: limit, window: window)

        var sdkSeconds: Double?
        if let sdk = try await runSDK(standIn: standIn, group: group, emails: emails) {
            print("Python SDK: \(sdk)")
            report(standIn)
            sdkSeconds = (try? JSONSerialization.jsonObject(with: Data(sdk.utf8)) as? [String: Any])?["wall"] as? Double
        }
        for index in 0..<asks { _ = try? await standIn.tenant.removeFromGroup(userID: String(format: "00ubench%012d", index), groupID: group.id) }

        // Add-to-group needs no approval here, so every ask runs.
        let service = try ServeProcess(orgURL: standIn.orgURL, token: standIn.token, roles: ["agent"], policy: #"{"add-to-group": {"approval": "none"}}"#, binary: options.binary)
        defer { service.stop() }
        let writer = RemoteHelpdeskService(path: service.socket)
        var requests: [RequestID] = []
        for email in emails {
            requests.append(try await writer.create(try NewRequest(requester: try EmailAddress(email), subject: "benchmark: add to \(group.name)")).id)
        }
        let socket = service.socket
        let asked = Array(zip(requests, (0..<asks).map { String(format: "00ubench%012d", $0) }))
        // As the console asks: for the account the agent saw and confirmed.
        let console = try await runHelpdesk("helpdesk service, console asks (the confirmed account)", standIn: standIn, socket: socket, asked: asked, groupID: group.id, confirmed: true)
        for index in 0..<asks { _ = try? await standIn.tenant.removeFromGroup(userID: String(format: "00ubench%012d", index), groupID: group.id) }
        // As `helpdesk act` asks: the requester's account found by the email.
        let commandLine = try await runHelpdesk("helpdesk service, command-line asks (found by email)", standIn: standIn, socket: socket, asked: asked, groupID: group.id, confirmed: false)
        let runs = [console, commandLine]
        let slowest = runs.map(\.seconds).max() ?? 0
        try Verdict.report("okta-service", [
            Verdict("\(asks) asks through the service at least twice as fast as the Python SDK",
                    sdkSeconds.map { String(format: "%.1f s and %.1f s against the SDK's %.1f s (%.2f×)", console.seconds, commandLine.seconds, $0, $0 / slowest) }
                        ?? "the SDK did not run (pip install okta==3.4.6)",
                    met: sdkSeconds.map { $0 / slowest >= 2 }),
            Verdict("0 failures", runs.map { "\($0.failures)" }.joined(separator: " and "), met: runs.allSatisfy { $0.failures == 0 }),
            Verdict("no 429 after the first window", runs.map { "\($0.limits.refusedAfterFirst)" }.joined(separator: " and "),
                    met: runs.allSatisfy { $0.limits.refusedAfterFirst == 0 }),
            Verdict("≥ 95 % of the limit used (the busiest family's middle windows)", runs.map { String(format: "%.0f %%", $0.limits.busiestUse) }.joined(separator: " and "),
                    met: runs.allSatisfy { $0.limits.busiestUse >= 95 }),
        ], to: options.verdicts)
    }

    /// One run of the asks through the service, for the verdicts.
    struct Run {
        let seconds: Double
        let failures: Int
        let limits: Limits
    }

    /// The stand-in's counts over a run: 429s after each family's first window, and the share of
    /// the limit the busiest family used in its middle windows.
    struct Limits {
        var refusedAfterFirst = 0
        var busiestUse = 0.0
        var busiestRequests = 0
    }

    /// The asks from `clients` connections at once, each taking every tenth, one after another.
    private static func runHelpdesk(_ label: String, standIn: OktaStandIn, socket: String, asked: [(RequestID, String)], groupID: String, confirmed: Bool) async throws -> Run {
        await waitForWindowStart()
        standIn.clearRateCounts()
        let failures = Counter()
        let start = ContinuousClock.now
        await withTaskGroup(of: Void.self) { tasks in
            for client in 0..<clients {
                tasks.addTask {
                    let connection = RemoteHelpdeskService(path: socket)
                    for (id, userID) in stride(from: client, to: asked.count, by: clients).map({ asked[$0] }) {
                        do {
                            _ = try await connection.act(ActionAsk(requestID: id, spec: ActionSpec(.addToGroup, group: .id(groupID)), reason: "benchmark",
                                                                   confirmedUserID: confirmed ? userID : nil))
                        } catch {
                            if failures.value < 5 { print("  failure: \(error)") }
                            failures.add()
                        }
                    }
                }
            }
        }
        let elapsed = start.duration(to: .now)
        print("\(label): wall \(elapsed), \(asked.count) asks, failures \(failures.value)")
        let parts = elapsed.components
        return Run(seconds: Double(parts.seconds) + Double(parts.attoseconds) / 1e18, failures: failures.value, limits: report(standIn))
    }

    /// The SDK's run, or nil (with the reason) when Python or the SDK is missing.
    private static func runSDK(standIn: OktaStandIn, group: DirectoryGroup, emails: [String]) async throws -> String? {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scripts/okta_sdk_add_to_group.py").path
        let list = FileManager.default.temporaryDirectory.appendingPathComponent("hd-bench-emails-\(getpid()).txt")
        try emails.joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: list) }
        await waitForWindowStart()
        standIn.clearRateCounts()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script]
        process.environment = ProcessInfo.processInfo.environment.merging([
            "ORG_URL": standIn.orgURL, "TOKEN": standIn.token, "GROUP_ID": group.id, "EMAILS": list.path, "IN_FLIGHT": String(clients),
        ]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            print("Python SDK: not run (exit \(process.terminationStatus); pip install okta==3.4.6)")
            return nil
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Waits for the next window to begin, so both runs start alike.
    private static func waitForWindowStart() async {
        let now = Date().timeIntervalSince1970
        let next = (floor(now / Double(window)) + 1) * Double(window)
        try? await Task.sleep(nanoseconds: UInt64((next - now) * 1e9))
    }

    /// Per family: requests let through, windows used, 429s, and the share of the allowance used.
    @discardableResult
    private static func report(_ standIn: OktaStandIn) -> Limits {
        var limits = Limits()
        for (bucket, count) in standIn.rateCounts.sorted(by: { $0.key < $1.key }) {
            let windows = Set(count.accepted.keys).union(count.refused.keys)
            guard let first = windows.min(), let last = windows.max() else { continue }
            let accepted = count.accepted.values.reduce(0, +)
            let refused = count.refused.values.reduce(0, +)
            let refusedAfterFirst = count.refused.filter { $0.key > first }.values.reduce(0, +)
            let span = last - first + 1
            let fewest = Int((Double(accepted) / Double(limit)).rounded(.up))
            let full = span > 1 ? count.accepted.filter { $0.key > first && $0.key < last }.values.reduce(0, +) : accepted
            let fullWindows = max(1, span - 2)
            let used = span > 2 ? Double(full) / Double(fullWindows * limit) * 100 : 100
            print(String(format: "  %@: %d requests over %d windows (fewest possible %d), 429s %d (after the first window %d), middle windows used %.0f%% of the limit",
                         bucket, accepted, span, fewest, refused, refusedAfterFirst, used))
            limits.refusedAfterFirst += refusedAfterFirst
            if accepted > limits.busiestRequests { (limits.busiestRequests, limits.busiestUse) = (accepted, used) }
        }
        return limits
    }
}
