import Foundation

/// Work that runs on a thread of its own rather than the cooperative pool's (it blocks, or others
/// wait on it). Passed in where the work must go on without the thread: tests hand in a starter
/// that never runs it, as when the system cannot start a thread.
public enum DedicatedThread {
    /// Runs `work` on a new thread named `name`, or, as far as the caller may assume, never.
    public typealias Starter = @Sendable (_ name: String, _ work: @escaping @Sendable () -> Void) -> Void

    /// A Foundation thread.
    public static let start: Starter = { name, work in
        let thread = Thread(block: work)
        thread.name = name
        thread.start()
    }
}
