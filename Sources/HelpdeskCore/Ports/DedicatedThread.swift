import Foundation

/// Work that runs on a thread of its own rather than the cooperative pool's (it blocks, or others
/// wait on it). Passed in where the work must go on without the thread: tests hand in a starter
/// that never runs it, as when the system cannot start a thread.
public enum DedicatedThread {
    /// Runs `work` on a new thread named `name`, or, as far as the caller may assume, never.
    public typealias Starter = @Sendable (_ name: String, _ work: @escaping @Sendable () -> Void) -> Void

    /// A Foundation thread, known to the system by the first 15 bytes of `name` (Linux's limit; as
    /// `top -H`, `perf` and /proc show it).
    public static let start: Starter = { name, work in
        let thread = Thread {
            nameForTheSystem(name)
            work()
        }
        thread.name = name
        thread.start()
    }

    /// Foundation keeps a thread's name for itself; the system's is written from the thread.
    private static func nameForTheSystem(_ name: String) {
        let descriptor = open("/proc/thread-self/comm", O_WRONLY)
        guard descriptor >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }
}
