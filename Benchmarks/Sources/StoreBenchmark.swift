import Foundation
import HelpdeskCore
import SQLiteStore

/// Issue 2's figures: a store of a million requests; open, first page, deep page, full-text, counts, size.
enum StoreBenchmark {
    static func run(_ options: BenchmarkOptions) throws {
        let path = options.storePath
        print("store benchmark: \(options.rows) requests in \(path)")
        print(MachineNoise.report())
        try StoreGenerator.ensure(path: path, rows: options.rows)

        let open = try Timing.measure("open the store", runs: min(options.runs, 100)) {
            _ = try SQLiteRequestStore(path: path)
        }
        let store = try SQLiteRequestStore(path: path)
        let working = QueueFilter(statuses: RequestStatus.active)
        let firstPage = try Timing.measure("first page of 50 (working queue)", runs: options.runs) {
            _ = try store.read { try $0.queue(QueueQuery(filter: working, limit: 50)) }
        }
        let middle = try deepCursor(store)
        let deepPage = try Timing.measure("page of 50 at row \(options.rows / 2) (all)", runs: options.runs) {
            _ = try store.read { try $0.queue(QueueQuery(after: middle, limit: 50)) }
        }
        let lastPage = try Timing.measure("last page of 50 (End, all)", runs: options.runs) {
            _ = try store.read { try $0.queue(QueueQuery(direction: .backward, limit: 50)) }
        }
        let rare = try Timing.measure("full-text, rare word, page of 50", runs: options.runs) {
            _ = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: "user4242"), limit: 50)) }
        }
        let common = try Timing.measure("full-text, common word, page of 50", runs: min(options.runs, 50)) {
            _ = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: "salesforce"), limit: 50)) }
        }
        let commonWorking = try Timing.measure("full-text, common word, working queue", runs: min(options.runs, 50)) {
            _ = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(statuses: RequestStatus.active, text: "salesforce"), limit: 50)) }
        }
        let cjk = try Timing.measure("full-text inside CJK text (接続), page of 50", runs: min(options.runs, 50)) {
            _ = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: "接続"), limit: 50)) }
        }
        let cjkPhrase = try Timing.measure("full-text inside CJK text (できません, 105k rows), page of 50", runs: min(options.runs, 50)) {
            _ = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: "できません"), limit: 50)) }
        }
        let cjkRare = try Timing.measure("full-text, CJK word and a rare word, page of 50", runs: options.runs) {
            _ = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: "できません user4242"), limit: 50)) }
        }
        // Prefixes as typed into the filter, a window of 200 of the working queue each (issue 14).
        let typed = try ["u", "p", "vpn", "user4"].map { (typedText: String) in
            try Timing.measure("typed \"\(typedText)\", 200 rows (working)", runs: min(options.runs, 50)) {
                _ = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(statuses: RequestStatus.active, text: typedText), limit: 200)) }
            }
        }
        let counts = try Timing.measure("counts per status", runs: options.runs) {
            _ = try store.read { try $0.statusCounts() }
        }
        let changeCheck = try Timing.measure("change check (data_version)", runs: options.runs) {
            _ = try store.changeToken()
        }
        for timing in [open, firstPage, deepPage, lastPage, rare, common, commonWorking, cjk, cjkPhrase, cjkRare] + typed + [counts, changeCheck] {
            print(timing.line)
        }
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        print(String(format: "file size: %.0f MiB (%d bytes)", Double(size) / 1_048_576, size))
        let hits = try store.read { try $0.count(QueueFilter(text: "salesforce")) }
        print("rows matching the common word: \(hits)")
        print("rows matching 接続: \(try store.read { try $0.count(QueueFilter(text: "接続")) })")
    }

    private static func deepCursor(_ store: SQLiteRequestStore) throws -> QueueCursor? {
        var cursor: QueueCursor?
        // Walk to the middle with big pages once; the timed query starts from that cursor.
        let total = try store.read { try $0.count(.all) }
        var seen = 0
        while seen < total / 2 {
            let page = try store.read { try $0.queue(QueueQuery(after: cursor, limit: 1000)) }
            cursor = page.next
            seen += page.requests.count
            if cursor == nil { break }
        }
        return cursor
    }
}

/// Builds a realistic store once and reuses it: 5 % of requests in the working queue, the rest
/// history, three years of creation times, 5,000 requesters, templated subjects and bodies.
enum StoreGenerator {
    static let subjects = [
        "Lost my phone, need MFA reset", "Need Salesforce access", "Locked out of my account", "Password expired",
        "Add me to the VPN group", "New hire starting Monday", "Leaver on Friday", "Suspicious sign-in from abroad",
        "Zoom licence request", "GitHub admin for migration", "Workday access missing", "Okta Verify on new phone",
        "Reset link expired", "Slack tile missing", "AWS production access for on-call", "Remove Jira access",
        "VPNに接続できません", "メールにログインできません", "无法登录邮箱",
    ]
    static let words = ["laptop", "taxi", "airport", "badge", "manager", "urgent", "client", "meeting", "travel", "office",
                        "contract", "audit", "report", "tunnel", "printer", "browser", "cookies", "renewal", "licence", "team"]

    static func ensure(path: String, rows: Int) throws {
        if FileManager.default.fileExists(atPath: path) {
            let store = try SQLiteRequestStore(path: path)
            // A store made before the generator wrote text without spaces is made again.
            if try store.read({ try $0.count(.all) }) >= rows, try store.read({ try $0.count(QueueFilter(text: "接続")) }) > 0 { return }
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: path + "-wal")
            try? FileManager.default.removeItem(atPath: path + "-shm")
        }
        let store = try SQLiteRequestStore(path: path)
        let start = ContinuousClock.now
        var generator = SystemRandomNumberGenerator()
        let now = Date()
        let span = 3.0 * 365 * 86_400
        let batch = 10_000
        var made = 0
        while made < rows {
            try store.write { writer in
                for _ in 0..<min(batch, rows - made) {
                    made += 1
                    let age = span * Double(rows - made) / Double(rows)
                    let at = now.addingTimeInterval(-age)
                    let active = age < span * 0.05
                    let user = Int.random(in: 0..<5_000, using: &generator)
                    let subject = subjects[Int.random(in: 0..<subjects.count, using: &generator)]
                    let body = (0..<12).map { _ in words[Int.random(in: 0..<words.count, using: &generator)] }.joined(separator: " ")
                    let status: RequestStatus = active ? [.new, .open, .awaitingApproval][made % 3] : (made % 10 == 0 ? .closed : .resolved)
                    let new = try NewRequest(requester: try EmailAddress("user\(user)@example.com"), subject: subject, body: body,
                                             category: "access", priority: Priority.allCases[Int.random(in: 0..<4, using: &generator)],
                                             status: status)
                    let request = try writer.insertRequest(new, at: at)
                    let created = EventPayload.Created(requester: new.requester, subject: subject, priority: new.priority, category: "access")
                    try writer.append(EventDraft(actor: "intake", at: at, payload: .created(created)), to: request.id)
                }
            }
            if made % 100_000 == 0 { print("  generated \(made) requests") }
        }
        print("  generated \(rows) requests in \(start.duration(to: .now))")
    }
}
