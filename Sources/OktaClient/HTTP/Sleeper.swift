import Foundation

/// Waits; a real sleep in the program, a recording that moves a test clock in tests.
public protocol Sleeper: Sendable {
    func sleep(seconds: TimeInterval) async throws
}

/// `Task.sleep`.
public struct TaskSleeper: Sleeper {
    public init() {}

    /// Waits `seconds`, at most an hour (a wait computed from a broken answer must not crash or hang).
    public func sleep(seconds: TimeInterval) async throws {
        guard seconds > 0, seconds.isFinite else { return }
        try await Task.sleep(nanoseconds: UInt64(min(seconds, 3_600) * 1_000_000_000))
    }
}
