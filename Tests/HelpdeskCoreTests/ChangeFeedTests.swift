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

        init(_ inner: any RequestStore) { self.inner = inner }

        private static func take(_ count: borrowing Mutex<Int>) -> Bool {
            count.withLock { left in
                guard left > 0 else { return false }
                left -= 1
                return true
            }
        }

        func read<T>(_ body: (any StoreReader) throws -> T) throws -> T {
            if Self.take(readsToFail) { throw StoreError.busy(path: inner.location) }
            return try inner.read(body)
        }

        func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T { try inner.write(body) }

        func changeToken() throws -> Int64 {
            if Self.take(tokensToFail) { throw StoreError.busy(path: inner.location) }
            return try inner.changeToken()
        }

        var changePollInterval: TimeInterval { inner.changePollInterval }
        var location: String { inner.location }
    }

    /// The requests the feed told of.
    final class Told: Sendable {
        private let seen = Mutex<[RequestID]>([])
        func add(_ requests: [RequestID]) { seen.withLock { $0 += requests } }
        var requests: [RequestID] { seen.withLock { $0 } }
    }

    let folder = TemporaryDirectory()

    func listen(_ store: UnsteadyStore, pollInterval: TimeInterval) async -> (ChangeFeed, Told) {
        let feed = ChangeFeed(store: store, pollInterval: pollInterval)
        let told = Told()
        _ = await feed.subscribe(after: nil) { event in
            if case .changed(let notice) = event { told.add(notice.requests) }
        }
        return (feed, told)
    }

    @Test func aCommitNoticedWhenTheStoreCouldNotBeReadIsToldByALaterPoll() async throws {
        let path = folder.file("feed.db")
        let store = UnsteadyStore(try SQLiteRequestStore(path: path))
        let (feed, told) = await listen(store, pollInterval: 0.02)
        store.readsToFail.withLock { $0 = 1 }
        let request = try SQLiteRequestStore(path: path).create(Fixtures.newRequest("Locked out"), by: "intake", at: Date())
        #expect(await eventually { told.requests.contains(request.id) })
        _ = feed
    }

    @Test func aCommitBeforeTheFirstPollIsToldWhenNoTokenCouldBeReadAtFirst() async throws {
        let path = folder.file("feed.db")
        let store = UnsteadyStore(try SQLiteRequestStore(path: path))
        store.tokensToFail.withLock { $0 = 1 }
        let (feed, told) = await listen(store, pollInterval: 0.3)
        let request = try SQLiteRequestStore(path: path).create(Fixtures.newRequest("Locked out"), by: "intake", at: Date())
        #expect(await eventually { told.requests.contains(request.id) })
        _ = feed
    }
}
