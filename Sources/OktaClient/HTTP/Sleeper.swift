import Foundation

/// Waits; a real sleep in the program, a recording that moves a test clock in tests.
public protocol Sleeper: Sendable {
    func sleep(seconds: TimeInterval) async throws
}

/// `Task.sleep`.
public struct TaskSleeper: Sleeper {
    public init() {}

    public func sleep(seconds: TimeInterval) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
    }
}
