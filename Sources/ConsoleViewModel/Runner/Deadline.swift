import Foundation
import Synchronization

/// Runs work with a time limit: past it the caller gets `Expired` at once, even when the work
/// does not stop when cancelled (it is cancelled and its late answer dropped). A caller that is
/// cancelled itself (a card for a request the operator has left) gets `CancellationError` at once,
/// and the work is cancelled with it.
public enum Deadline {
    /// The work took longer than its limit.
    public struct Expired: Error, Sendable, Equatable {
        public let seconds: Int
    }

    public static func run<T: Sendable>(seconds: TimeInterval, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let race = Race<T>()
        let limit = max(1, Int(seconds.rounded()))
        let workTask = Task { race.finish(await Result(catching: { try await work() })) }
        let timerTask = Task {
            try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
            race.finish(.failure(Expired(seconds: limit)))
        }
        defer {
            workTask.cancel()
            timerTask.cancel()
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { race.wait($0) }
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }

    /// The first answer wins; it is handed to the waiter whether it comes before or after it waits.
    private final class Race<T: Sendable>: Sendable {
        private struct State {
            var result: Result<T, any Error>?
            var waiter: CheckedContinuation<T, any Error>?
            var done = false
        }

        private let state = Mutex(State())

        func finish(_ result: Result<T, any Error>) {
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

        func wait(_ continuation: CheckedContinuation<T, any Error>) {
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
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
