import Synchronization

/// The first of several results to arrive (work's answer, a time limit, a cancellation): it is
/// handed to the one waiter, whether it came before or after the waiter began to wait; later
/// ones are dropped. Lets a caller stop waiting for work that does not stop when cancelled.
public final class FirstResult<T: Sendable>: Sendable {
    private struct State {
        var result: Result<T, any Error>?
        var waiter: CheckedContinuation<T, any Error>?
        var done = false
    }

    private let state = Mutex(State())

    public init() {}

    public func finish(_ result: Result<T, any Error>) {
        let waiter: CheckedContinuation<T, any Error>? = state.withLock { state in
            guard state.result == nil, !state.done else { return nil }
            guard let waiter = state.waiter else {
                state.result = result
                return nil
            }
            state.done = true
            return waiter
        }
        waiter?.resume(with: result)
    }

    /// Waits for the first result; a cancelled caller gets `CancellationError` at once.
    public func value() async throws -> T {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let ready: Result<T, any Error>? = state.withLock { state in
                    if let result = state.result, !state.done {
                        state.done = true
                        return result
                    }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            finish(.failure(CancellationError()))
        }
    }

    /// `task`'s value, or `CancellationError` as soon as the caller is cancelled (the task goes on).
    public static func value(of task: Task<T, any Error>) async throws -> T {
        let first = FirstResult<T>()
        Task { first.finish(await task.result) }
        return try await first.value()
    }
}
