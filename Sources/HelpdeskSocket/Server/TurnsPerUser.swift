import Synchronization

/// Requests one user may have running at once, over all their connections; the rest wait their
/// turn in the order they came. The service's work runs on a pool of as many threads as the host
/// has cores: without turns, one user with many connections full of requests (each a store read
/// and an answer to encode) kept everyone else's request waiting behind theirs for a minute. Now
/// a user who floods the service delays mostly themselves. Requests that may wait for Okta take
/// turns apart from the store's quick ones (`key`), so a user's calls held by Okta's rate limits
/// never hold up their queue. Waiting costs no thread. Once the service stops, no waiting request
/// starts: each is told so instead; a request cancelled while it waits leaves the line.
final class TurnsPerUser: Sendable {
    let limit: Int
    private let state = Mutex(State())

    /// How a request's turn came.
    enum Turn {
        /// A turn was free.
        case now
        /// After waiting for the user's earlier requests (the client may have gone meanwhile).
        case afterWaiting
        /// None: the service is stopping.
        case refused
        /// None: the request was cancelled while it waited.
        case cancelled
    }

    private struct Waiter {
        let number: Int
        let continuation: CheckedContinuation<Turn, Never>
    }

    private struct State {
        var running: [UInt64: Int] = [:]
        var waiting: [UInt64: [Waiter]] = [:]
        var nextNumber = 0
        var closed = false
    }

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Whose turns, and which kind: a user's requests that may wait for Okta, or the rest.
    static func key(user: UInt32, waitsForOkta: Bool) -> UInt64 {
        UInt64(user) << 1 | (waitsForOkta ? 1 : 0)
    }

    /// Returns when `user` may start a request: at once while they have fewer than `limit`
    /// running, else when one of theirs ends and every request they sent before this one started.
    /// `.refused` when the service has stopped, `.cancelled` when the request's task is cancelled
    /// while it waits: the request does not run (and takes no turn).
    func begin(_ user: UInt64) async -> Turn {
        if let now = state.withLock({ admit(user, &$0) }) { return now ? .now : .refused }
        let number = state.withLock { state in
            defer { state.nextNumber += 1 }
            return state.nextNumber
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
                // A turn may have ended since: taken here, else waited for (unless cancelled already).
                let now = state.withLock { state -> Turn? in
                    if let now = admit(user, &state) { return now ? .afterWaiting : .refused }
                    if Task.isCancelled { return .cancelled }
                    state.waiting[user, default: []].append(Waiter(number: number, continuation: continuation))
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            withdraw(number, of: user)
        }
    }

    /// A cancelled request still waiting leaves the line; one whose turn came keeps it.
    private func withdraw(_ number: Int, of user: UInt64) {
        let waiter = state.withLock { state -> Waiter? in
            guard var queue = state.waiting[user], let index = queue.firstIndex(where: { $0.number == number }) else { return nil }
            let waiter = queue.remove(at: index)
            state.waiting[user] = queue.isEmpty ? nil : queue
            return waiter
        }
        waiter?.continuation.resume(returning: .cancelled)
    }

    /// Ends one of `user`'s requests: their next waiting one starts in its place.
    func end(_ user: UInt64) {
        let next = state.withLock { state -> Waiter? in
            if var queue = state.waiting[user], !queue.isEmpty {
                let next = queue.removeFirst()
                state.waiting[user] = queue.isEmpty ? nil : queue
                return next
            }
            let left = state.running[user, default: 1] - 1
            state.running[user] = left > 0 ? left : nil
            return nil
        }
        next?.continuation.resume(returning: .afterWaiting)
    }

    /// The service is serving (again, after a stop).
    func open() {
        state.withLock { $0.closed = false }
    }

    /// The service is stopping: every waiting request is told it will not run, and none waits again.
    func close() {
        let waiting = state.withLock { state in
            state.closed = true
            defer { state.waiting = [:] }
            return state.waiting.values.flatMap { $0 }
        }
        for waiter in waiting { waiter.continuation.resume(returning: .refused) }
    }

    /// Requests running and waiting for `user` (tests).
    func count(_ user: UInt64) -> (running: Int, waiting: Int) {
        state.withLock { ($0.running[user] ?? 0, $0.waiting[user]?.count ?? 0) }
    }

    /// True when a turn is free (and now taken), false when the service stopped, nil to wait.
    private func admit(_ user: UInt64, _ state: inout State) -> Bool? {
        if state.closed { return false }
        // Nobody waits while fewer than `limit` run: an ending turn passes to a waiter.
        guard state.running[user, default: 0] < limit else { return nil }
        state.running[user, default: 0] += 1
        return true
    }
}
