import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import OktaClient
import SQLiteStore

/// Issue 16's figures: offboarding a user in 40 groups with 15 apps through the HTTP client to a
/// loopback stand-in that allows 100 requests per 5-second window per bucket: wall time, requests
/// sent, the share of the limit used while it ran, and 429s (target: none after the first window).
enum PlaybookBenchmark {
    static let limit = 100
    static let window = 5

    static func run(_ options: BenchmarkOptions) async throws {
        print("playbook benchmark: offboarding 40 groups and 15 apps; stand-in allows \(limit) per \(window) s per bucket; \(max(1, options.runs)) runs")
        print(MachineNoise.report())
        var walls: [Double] = []
        for run in 0..<max(1, options.runs) {
            let figures = try await once()
            walls.append(figures.wall)
            print(String(format: "run %d: %.2f s, %d requests (%d changes), 429s %d (after the first window %d), limit used %.0f %% of the windows it ran in",
                         run + 1, figures.wall, figures.requests, figures.changes, figures.refused, figures.refusedLater, figures.share * 100))
        }
        let sorted = walls.sorted()
        print(String(format: "wall time median %.2f s (min %.2f, max %.2f)", sorted[sorted.count / 2], sorted.first ?? 0, sorted.last ?? 0))
    }

    struct Figures {
        let wall: Double
        let requests: Int
        let changes: Int
        let refused: Int
        let refusedLater: Int
        let share: Double
    }

    static func once() async throws -> Figures {
        let tenant = SimulatedTenant()
        let leaver = DirectoryUser(id: "00uleaver0000000000a", login: "lee.ver@example.com", email: "lee.ver@example.com", firstName: "Lee", lastName: "Ver", status: .active)
        var groupIDs: Set<String> = []
        for n in 0..<40 {
            let id = String(format: "00gbench%012d", n)
            await tenant.add(group: DirectoryGroup(id: id, name: "Bench group \(n)", type: .okta))
            groupIDs.insert(id)
        }
        await tenant.add(leaver, groups: groupIDs)
        for n in 0..<15 {
            let id = String(format: "0oabench%012d", n)
            await tenant.add(app: DirectoryApp(id: id, name: "bench\(n)", label: "Bench app \(n)"))
            _ = try await tenant.assignApp(userID: leaver.id, appID: id)
        }
        let standIn = try OktaStandIn(tenant: tenant)
        defer { standIn.stop() }
        standIn.limitRate(perWindow: limit, window: window)
        let folder = TemporaryDirectory("helpdesk-bench-playbook")
        let store = try SQLiteRequestStore(path: folder.file("bench.db"))
        let directory = OktaDirectory(client: OktaHTTPClient(settings: OktaSettings(org: try OrgURL(standIn.orgURL), token: try APIToken(standIn.token))))
        let team = DemoTeamFixture.team
        let engine = ActionEngine(store: store, directory: directory, clock: SystemClock(), policy: .default, team: team, runner: "bench:1")
        let offboarding = Playbook(name: "offboarding", title: "Offboarding", steps: [
            PlaybookStep(.action(.revokeSessions(oauthTokens: true))), PlaybookStep(.action(.suspend)), PlaybookStep(.removeEveryGroup), PlaybookStep(.removeEveryDirectApp),
        ])
        let playbooks = PlaybookEngine(reconciler: Reconciler(engine: engine), playbooks: [offboarding])
        let request = try store.create(Fixtures.newRequest("Leaver", requester: leaver.email), by: "intake", at: Date())

        let start = ContinuousClock.now
        let plan = try await playbooks.start(PlanAsk(requestID: request.id, source: .playbook("offboarding"), reason: "leaver"), expecting: nil, by: DemoTeamFixture.alex)
        let elapsed = start.duration(to: .now)
        guard plan.state == .finished else { throw Refusal("the plan ended \(plan.state.rawValue): \(plan.note ?? "")") }
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18

        let counts = standIn.rateCounts
        let windows = Set(counts.values.flatMap { Array($0.accepted.keys) + Array($0.refused.keys) })
        let first = windows.min() ?? 0
        let refused = counts.values.reduce(0) { $0 + $1.refused.values.reduce(0, +) }
        let refusedLater = counts.values.reduce(0) { total, bucket in total + bucket.refused.filter { $0.key > first }.values.reduce(0, +) }
        // The share of the limit used: of each bucket's windows it was busy in, how much of the limit it took.
        var used = 0, offered = 0
        for bucket in counts.values {
            let busy = Set(bucket.accepted.keys).union(bucket.refused.keys)
            used += bucket.accepted.values.reduce(0, +)
            offered += busy.count * limit
        }
        let changes = standIn.requests.filter { !$0.hasPrefix("GET") }.count
        for (bucket, count) in counts.sorted(by: { $0.key < $1.key }) {
            print("  bucket \(bucket): \(count.accepted.values.reduce(0, +)) let through, \(count.refused.values.reduce(0, +)) refused, over \(Set(count.accepted.keys).count) window(s)")
        }
        return Figures(wall: wall, requests: standIn.requests.count, changes: changes, refused: refused, refusedLater: refusedLater,
                       share: offered == 0 ? 0 : Double(used) / Double(offered))
    }
}
