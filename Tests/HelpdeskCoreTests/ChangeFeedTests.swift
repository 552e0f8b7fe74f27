import Foundation
@testable import HelpdeskCore
import HelpdeskTestSupport
import SQLiteStore
import Synchronization
import Testing

/// A commit by another process reaches the feed's subscribers even when the store could not be
/// read at the moment it was noticed.
@Suite struct ChangeFeedTests {
    /// The feed's store, whose next reads or change tokens can be made to fail.
    final class UnsteadyStore: RequestStore {
        let inner: any RequestStore
        let readsToFail = Mutex(0)
        let tokensToFail = Mutex(0)
        let readsTried = Mutex(0)
        let tokensRead = Mutex(0)

        init(_ inner: any RequestStore) { self.inner = inner }

        private static func take(_ count: borrowing Mutex<Int>) -> Bool {
            count.withLock { left in
                guard left > 0 else { return false }
                left -= 1
                return true
            }
        }

        func read<T>(_ body: (any StoreReader) throws -> T) throws -> T {
            readsTried.withLock { $0 += 1 }
            if Self.take(readsToFail) { throw StoreError.busy(path: inner.location) }
            return try inner.read(body)
        }

        func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T { try inner.write(body) }

        func changeToken() throws -> Int64 {
            tokensRead.withLock { $0 += 1 }
            if Self.take(tokensToFail) { throw StoreError.busy(path: inner.location) }
            return try inner.changeToken()
        }

        var changePollInterval: TimeInterval { inner.changePollInterval }
        var location: String { inner.location }
    }

    /// What the feed told: requests, "reload everything" notices, alerts.
    final class Told: Sendable {
        private let seen = Mutex<(requests: [RequestID], reloads: Int, alerts: [String])>(([], 0, []))
        func add(_ event: ServiceEvent) {
            seen.withLock { seen in
                switch event {
                case .changed(let notice):
                    seen.requests += notice.requests
                    if notice.truncated { seen.reloads += 1 }
                case .alert(let text): seen.alerts.append(text)
                default: break
                }
            }
        }
        var requests: [RequestID] { seen.withLock { $0.requests } }
        var reloads: Int { seen.withLock { $0.reloads } }
        var alerts: [String] { seen.withLock { $0.alerts } }
    }

    let folder = TemporaryDirectory()

    /// A request written to the store at `path` through a connection of its own, as another process would.
    func commitByAnotherConnection(at path: String) throws -> RequestID {
        try SQLiteRequestStore(path: path).create(Fixtures.newRequest("Locked out"), by: "intake", at: Date()).id
    }

    func listen(_ store: UnsteadyStore, pollInterval: TimeInterval) async -> (ChangeFeed, Told) {
        let feed = ChangeFeed(store: store, pollInterval: pollInterval)
        let told = Told()
        _ = await feed.subscribe(after: nil) { event in told.add(event) }
        return (feed, told)
    }

    /// What fails: a read just as a commit is noticed, or the change token when listening begins
    /// (a commit may then come before the first poll, which is made slow for it).
    enum Failure: CaseIterable, Sendable { case readAsACommitIsNoticed, tokenWhenListeningBegins }

    @Test(arguments: Failure.allCases)
    func aCommitIsToldThoughTheStoreFailedOnce(_ failure: Failure) async throws {
        let path = folder.file("feed.db")
        let store = UnsteadyStore(try SQLiteRequestStore(path: path))
        if failure == .tokenWhenListeningBegins { store.tokensToFail.withLock { $0 = 1 } }
        let (feed, told) = await listen(store, pollInterval: failure == .tokenWhenListeningBegins ? 0.3 : 0.02)
        if failure == .readAsACommitIsNoticed { store.readsToFail.withLock { $0 = 1 } }
        let request = try commitByAnotherConnection(at: path)
        #expect(await eventually { told.requests.contains(request) })
        _ = feed
    }

    /// A subscriber whose first read failed was told to reload; a commit after that is told too.
    @Test func aCommitAfterTheFirstReadFailedIsTold() async throws {
        let path = folder.file("feed.db")
        let store = UnsteadyStore(try SQLiteRequestStore(path: path))
        store.readsToFail.withLock { $0 = 1 }
        let (feed, told) = await listen(store, pollInterval: 0.02)
        #expect(told.reloads == 1)
        try await Task.sleep(nanoseconds: 100_000_000)
        let request = try commitByAnotherConnection(at: path)
        #expect(await eventually { told.requests.contains(request) || told.reloads > 1 })
        _ = feed
    }

    /// A store that cannot be read is tried again less and less often, not on every poll.
    @Test func readsThatKeepFailingAreTriedLessAndLessOften() async throws {
        let path = folder.file("feed.db")
        let store = UnsteadyStore(try SQLiteRequestStore(path: path))
        let (feed, told) = await listen(store, pollInterval: 0.02)
        store.readsToFail.withLock { $0 = 1_000_000 }
        _ = try commitByAnotherConnection(at: path)
        #expect(await eventually { !told.alerts.isEmpty }, "the failed read is said")
        let before = store.readsTried.withLock { $0 }
        try await Task.sleep(nanoseconds: 1_000_000_000)
        let reads = store.readsTried.withLock { $0 } - before
        #expect(reads < 10, "\(reads) reads in a second of 20 ms polls")
        #expect(told.alerts.count == 1, "\(told.alerts)")
        _ = feed
    }

    /// A change token that could not be read is followed by word that the store is back.
    @Test func aTokenThatCouldNotBeReadIsFollowedByTheStoresReturn() async throws {
        let store = UnsteadyStore(try SQLiteRequestStore(path: folder.file("feed.db")))
        let (feed, told) = await listen(store, pollInterval: 0.02)
        store.tokensToFail.withLock { $0 = 1 }
        #expect(await eventually { told.alerts.last == "the store can be read again" }, "\(told.alerts)")
        _ = feed
    }

    /// A feed no one holds any more stops polling the store.
    @Test func aFeedNoOneHoldsStopsPolling() async throws {
        let store = UnsteadyStore(try SQLiteRequestStore(path: folder.file("feed.db")))
        var feed: ChangeFeed? = ChangeFeed(store: store, pollInterval: 0.02)
        _ = await feed?.subscribe(after: nil) { _ in }
        #expect(await eventually { store.tokensRead.withLock { $0 } > 2 }, "it polls")
        feed = nil
        try await Task.sleep(nanoseconds: 100_000_000)
        let before = store.tokensRead.withLock { $0 }
        try await Task.sleep(nanoseconds: 300_000_000)
        let after = store.tokensRead.withLock { $0 }
        #expect(after - before <= 1, "\(after - before) polls after the feed was let go")
    }
}
