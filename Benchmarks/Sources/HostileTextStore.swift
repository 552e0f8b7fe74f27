import Foundation

/// A small store of requests whose text is built to be slow to lay out, written the way such text
/// arrives: bodies through `helpdesk import` (a ticket feed anyone can write to), notes through
/// `helpdesk note`. Every body is within the store's limits (20,000 characters, 80,000 bytes).
enum HostileTextStore {
    /// The bodies, each a request of its own, in queue order.
    static let bodies: [(name: String, body: String)] = [
        ("marks", String(repeating: "e\u{301}\u{302}", count: 15_000)),
        ("one character", "e" + String(repeating: "\u{301}", count: 39_000)),
        ("ideographs", String(repeating: "无法登录邮箱", count: 3_300)),
        ("joined emoji", String(repeating: "👨\u{200D}👩\u{200D}👧", count: 4_000)),
        ("overrides", String(repeating: "\u{202E}abc العربية ", count: 1_500)),
        ("one word", String(repeating: "averyveryverylongwordwithoutanyspaces", count: 500)),
        ("lines", String(repeating: "x\n", count: 9_999)),
        ("tabs", String(repeating: "\t", count: 19_000) + "x"),
        ("skin tones", String(repeating: "1🏽\u{200D}", count: 6_000)),
    ]
    /// Notes on the last request: a timeline of long entries in scripts that are slow to lay out.
    static let notes = 40
    static let noteText = String(repeating: "無法登入 e\u{301}\u{302} ", count: 500)

    /// Requests in the store.
    static var requests: Int { bodies.count + 1 }

    /// Imports the requests and adds the notes, through `binary` with `config`.
    static func make(binary: String, config: String, folder: String) throws {
        let feed = folder + "/hostile.jsonl"
        var lines = bodies.enumerated().map { index, item in
            line(id: index + 1, subject: "hostile text: \(item.name)", body: item.body)
        }
        lines.append(line(id: bodies.count + 1, subject: "hostile text: \(notes) long notes", body: "see the notes"))
        try (lines.joined(separator: "\n") + "\n").write(toFile: feed, atomically: false, encoding: .utf8)
        let url = URL(fileURLWithPath: binary)
        let imported = try ChildRun.timed(url, ["import", feed, "--config", config])
        guard imported.status == 0 else { throw BenchmarkFailure("helpdesk import of the hostile requests exited \(imported.status)") }
        for _ in 0..<notes {
            let noted = try ChildRun.timed(url, ["note", "REQ-\(bodies.count + 1)", noteText, "--config", config])
            guard noted.status == 0 else { throw BenchmarkFailure("helpdesk note exited \(noted.status)") }
        }
    }

    private static func line(id: Int, subject: String, body: String) -> String {
        let object: [String: String] = ["externalId": "HOSTILE-\(id)", "requester": "user\(id)@example.com", "subject": subject, "body": body]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
