import Foundation
import HelpdeskCore
import SQLiteStore

/// `helpdesk demo`: the console on the built-in demo tenant with a fresh demo store.
enum DemoCommand {
    static let spec = CommandSpec(
        name: "demo",
        summary: "try helpdesk on the built-in demo tenant and queue (no configuration needed)",
        synopsis: "[--db PATH]",
        options: [.value("db", "PATH", "keep the demo store in PATH (default: a fresh store in a temporary folder)")],
        discussion: "The demo queue is seeded into an empty store; an existing store at --db is reused as it is."
    ) { invocation in
        let path: String
        if let option = invocation.arguments.value("db") {
            path = try StoreLocation.resolve(option: option, environment: invocation.environment, configured: nil)
        } else {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("helpdesk-demo-\(UUID().uuidString)")
            path = folder.appendingPathComponent("helpdesk.db").path
        }
        let store = try SQLiteRequestStore(path: path)
        if try store.read({ try $0.count(.all) }) == 0 {
            try DemoRequests.seed(into: store, now: invocation.now)
        }
        let page = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(statuses: RequestStatus.active), limit: 100)) }
        invocation.out.line("Demo store: \(path)")
        invocation.out.write(RequestTable.render(page.requests, now: invocation.now))
        return ExitCode.success
    }
}
