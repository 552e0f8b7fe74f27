import Foundation
import HelpdeskCore

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
        let first = FirstResult<T>()
        let limit = max(1, Int(seconds.rounded()))
        let workTask = Task { first.finish(await Result(catching: { try await work() })) }
        let timerTask = Task {
            try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
            first.finish(.failure(Expired(seconds: limit)))
        }
        defer {
            workTask.cancel()
            timerTask.cancel()
        }
        return try await first.value()
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
