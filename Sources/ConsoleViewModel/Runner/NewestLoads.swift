import Synchronization

/// Loads of one kind of which only the newest is wanted: the queue's windows, known by their
/// generation; the selected request's timeline and a picker's Okta search, numbered as
/// submitted. Once a higher number is asked for, a lower one is not delivered, and the one
/// running is cancelled, so the service stops its read and the newer load is not kept waiting
/// behind it. Two loads of one number are both wanted; neither cancels the other.
///
/// Its methods are never inlined. The runner calls them on both sides of an `await`, and where
/// a `Mutex` was inlined so, the optimizer kept the address of the thread's cached id across the
/// suspension: resumed on another thread, the lock was taken under the first thread's id and its
/// unlock trapped ("Call to unlock Mutex on a thread which hasn't acquired the lock"). Release
/// builds only; `.ci/check-thread-ids` looks for that shape in the built binary.
final class NewestLoads: Sendable {
    private struct State {
        var newest = Int.min
        var running: (number: Int, task: Task<Void, Never>)?
    }

    private let state = Mutex(State())

    /// Notes a load asked for with `number`; that number.
    @inline(never)
    func asked(_ number: Int) -> Int {
        state.withLock { $0.newest = max($0.newest, number) }
        return number
    }

    /// Notes a load asked for after every other; its number.
    @inline(never)
    func askedLast() -> Int {
        state.withLock { state in
            state.newest = state.newest == .min ? 1 : state.newest + 1
            return state.newest
        }
    }

    /// Loads numbered below `number` are not wanted, though none replaces them: the one running stops.
    @inline(never)
    func drop(before number: Int) {
        let superseded = state.withLock { state -> Task<Void, Never>? in
            state.newest = max(state.newest, number)
            guard let current = state.running, current.number < number else { return nil }
            state.running = nil
            return current.task
        }
        superseded?.cancel()
    }

    /// False once a load with a higher number was asked for.
    @inline(never)
    func isLatest(_ number: Int) -> Bool { state.withLock { number >= $0.newest } }

    /// `task` runs the load numbered `number`: a lower one running is cancelled, and so is `task`
    /// when a higher one already runs.
    @inline(never)
    func started(_ task: Task<Void, Never>, number: Int) {
        let superseded = state.withLock { state -> Task<Void, Never>? in
            guard let current = state.running, current.number >= number else {
                defer { state.running = (number, task) }
                return state.running?.task
            }
            return current.number == number ? nil : task
        }
        superseded?.cancel()
    }
}
