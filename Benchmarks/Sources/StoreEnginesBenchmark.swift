import Foundation
import HelpdeskCore
import HelpdeskSocket
import PostgreSQLStore
import SQLiteStore
import Synchronization

/// Issue 15's figures: the same store of a million requests on SQLite and on PostgreSQL, side by
/// side in one run: open, pages, full-text, a write, and a change committed by one service seen
/// by another's change feed. The PostgreSQL copy is made with `helpdesk migrate-store`.
enum StoreEnginesBenchmark {
    static func run(_ options: BenchmarkOptions) async throws {
        guard let url = options.postgres else {
            print("usage: helpdesk-benchmarks stores --postgres URL [--db PATH] [--runs N]   (URL: a database holding a copy of the --db store)")
            exit(2)
        }
        print("store engines: \(options.storePath) and \(StoreURL.displayed(url))")
        print(MachineNoise.report())
        let engines: [(name: String, open: () throws -> any RequestStore)] = [
            ("SQLite", { try SQLiteRequestStore(path: options.storePath) }),
            ("PostgreSQL", { try PostgreSQLRequestStore(url: url) }),
        ]
        for engine in engines {
            print("\n\(engine.name)")
            for timing in try await measure(engine.open, runs: options.runs) { print(timing.line) }
        }
        print("\nTwo helpdesk serve processes on the PostgreSQL store")
        print(try await pushedBetweenServices(url: url, binary: options.binary, runs: min(options.runs, 100)).line)
    }

    /// A note through one `helpdesk serve` until a subscriber of another hears it: what two
    /// operators on two hosts see of each other's work.
    static func pushedBetweenServices(url: String, binary: String?, runs: Int) async throws -> Timing {
        let east = try ServeProcess(orgURL: "http://127.0.0.1:9", token: "00bench-token", store: url, roles: ["agent"], binary: binary)
        defer { east.stop() }
        let west = try ServeProcess(orgURL: "http://127.0.0.1:9", token: "00bench-token", store: url, roles: ["agent"], binary: binary)
        defer { west.stop() }
        let writer = RemoteHelpdeskService(path: east.socket)
        let watcher = RemoteHelpdeskService(path: west.socket)
        let target = try await writer.queue(QueueQuery(filter: QueueFilter(statuses: RequestStatus.active), limit: 1)).requests[0].id
        let heard = HeardUpTo()
        let subscription = await watcher.subscribe(after: nil) { event in
            if case .changed(let notice) = event { heard.heard(notice.lastEventID) }
        }
        defer { subscription.cancel() }
        try await Task.sleep(nanoseconds: 300_000_000)
        var timing = Timing("note via one service → pushed by the other")
        for index in 0..<(runs + 3) {
            let started = ContinuousClock.now
            let note = try await writer.note(target, "seen on the other host?")
            await heard.wait(for: note.id)
            if index >= 3 { timing.add(started.duration(to: .now)) }
            try await Task.sleep(nanoseconds: UInt64.random(in: 0...30_000_000))
        }
        return timing
    }

    static func measure(_ open: () throws -> any RequestStore, runs: Int) async throws -> [Timing] {
        let opening = try Timing.measure("open the store", runs: min(runs, 50)) { _ = try open() }
        let store = try open()
        let total = try store.read { try $0.count(.all) }
        let working = QueueFilter(statuses: RequestStatus.active)
        let first = try Timing.measure("first page of 50 (working queue)", runs: runs) {
            _ = try store.read { try $0.queue(QueueQuery(filter: working, limit: 50)) }
        }
        let middle = try cursor(store, at: total / 2)
        let deep = try Timing.measure("page of 50 at row \(total / 2) (all)", runs: runs) {
            _ = try store.read { try $0.queue(QueueQuery(after: middle, limit: 50)) }
        }
        let last = try Timing.measure("last page of 50 (End, all)", runs: runs) {
            _ = try store.read { try $0.queue(QueueQuery(direction: .backward, limit: 50)) }
        }
        let rare = try Timing.measure("full-text, rare word, page of 50", runs: runs) {
            _ = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: "user4242"), limit: 50)) }
        }
        let common = try Timing.measure("full-text, common word, page of 50", runs: min(runs, 50)) {
            _ = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: "salesforce"), limit: 50)) }
        }
        let typed = try ["u", "vpn", "接続"].map { (typedText: String) in
            try Timing.measure("typed \"\(typedText)\", 200 rows (working)", runs: min(runs, 30)) {
                _ = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(statuses: RequestStatus.active, text: typedText), limit: 200)) }
            }
        }
        let target = try store.read { try $0.queue(QueueQuery(filter: working, limit: 1)) }.requests[0].id
        let write = try Timing.measure("a write (a note)", runs: min(runs, 100)) {
            _ = try store.write { try $0.append(EventDraft(actor: "bench", at: Date(), payload: .note(text: "benchmark note")), to: target) }
        }
        let seen = try await changeSeen(writer: store, watcher: try open(), on: target, runs: min(runs, 100))
        return [opening, first, deep, last, rare, common] + typed + [write, seen]
    }

    /// A note committed through one store, until the change feed of another store (another
    /// service) tells its subscribers.
    static func changeSeen(writer: any RequestStore, watcher: any RequestStore, on target: RequestID, runs: Int) async throws -> Timing {
        let feed = ChangeFeed(store: watcher, pollInterval: watcher.changePollInterval)
        let heard = HeardUpTo()
        let subscription = await feed.subscribe(after: nil) { event in
            if case .changed(let notice) = event { heard.heard(notice.lastEventID) }
        }
        var timing = Timing("change committed → seen by another service")
        for index in 0..<(runs + 3) {
            let started = ContinuousClock.now
            let event = try writer.write { try $0.append(EventDraft(actor: "bench", at: Date(), payload: .note(text: "seen?")), to: target) }
            await heard.wait(for: event.id)
            if index >= 3 { timing.add(started.duration(to: .now)) }
            try await Task.sleep(nanoseconds: UInt64.random(in: 0...30_000_000))
        }
        await feed.unsubscribe(subscription)
        return timing
    }

    private static func cursor(_ store: any RequestStore, at row: Int) throws -> QueueCursor? {
        var cursor: QueueCursor?
        var seen = 0
        while seen < row {
            let page = try store.read { try $0.queue(QueueQuery(after: cursor, limit: 1000)) }
            cursor = page.next
            seen += page.requests.count
            if cursor == nil { break }
        }
        return cursor
    }
}

/// The newest event id a subscriber heard, and a wait for one.
final class HeardUpTo: Sendable {
    private let state = Mutex<(latest: Int64, expected: Int64, continuation: CheckedContinuation<Void, Never>?)>((0, 0, nil))

    func heard(_ eventID: Int64) {
        state.withLock { state in
            state.latest = max(state.latest, eventID)
            if state.latest >= state.expected, let continuation = state.continuation {
                state.continuation = nil
                continuation.resume()
            }
        }
    }

    /// Returns once an event at least this new was heard (at once if it already was).
    func wait(for eventID: Int64) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            state.withLock { state in
                if state.latest >= eventID {
                    continuation.resume()
                } else {
                    state.expected = eventID
                    state.continuation = continuation
                }
            }
        }
    }
}
