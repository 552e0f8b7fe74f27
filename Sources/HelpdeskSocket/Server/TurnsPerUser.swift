import Synchronization

/// Requests one user may have running at once, over all their connections; the rest wait their
/// turn in the order they came. The service's work runs on a pool of as many threads as the host
/// has cores: without turns, one user with many connections full of requests (each a store read
/// and an answer to encode) kept everyone else's request waiting behind theirs for a minute. Now
/// a user who floods the service delays mostly themselves. Waiting costs no thread.
final class TurnsPerUser: Sendable {
    let limit: Int
    private let state = Mutex(State())

    private struct State {
        var running: [UInt32: Int] = [:]
        var waiting: [UInt32: [CheckedContinuation<Void, Never>]] = [:]
    }

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Returns when `user` may start a request: at once while they have fewer than `limit`
    /// running, else when one of theirs ends and every request they sent before this one started.
    func begin(_ user: UInt32) async {
        guard !takeTurn(user) else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state in
                if state.running[user, default: 0] < limit {
                    state.running[user, default: 0] += 1
                    return true
                }
                state.waiting[user, default: []].append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Ends one of `user`'s requests: their next waiting one starts in its place.
    func end(_ user: UInt32) {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if var queue = state.waiting[user], !queue.isEmpty {
                let next = queue.removeFirst()
                state.waiting[user] = queue.isEmpty ? nil : queue
                return next
            }
            let left = state.running[user, default: 1] - 1
            state.running[user] = left > 0 ? left : nil
            return nil
        }
        next?.resume()
    }

    /// Requests running and waiting for `user` (tests).
    func count(_ user: UInt32) -> (running: Int, waiting: Int) {
        state.withLock { ($0.running[user] ?? 0, $0.waiting[user]?.count ?? 0) }
    }

    private func takeTurn(_ user: UInt32) -> Bool {
        state.withLock { state in
            // Nobody waits while fewer than `limit` run: an ending turn passes to a waiter.
            guard state.running[user, default: 0] < limit else { return false }
            state.running[user, default: 0] += 1
            return true
        }
    }
}
