import Foundation
import HelpdeskCore
import Synchronization

/// Work run in the order it was posted, on a thread of its own: a connection's writes, so a
/// service that stops reading holds that thread and nothing the rest of the process shares (a
/// caller's thread, the cooperative pool's, Dispatch's).
final class Outbox: Sendable {
    private struct Queue {
        var work: [@Sendable () -> Void] = []
        var closed = false
    }

    private let queue = Mutex(Queue())
    /// One signal per piece of work posted, and one for the close.
    private let posted = DispatchSemaphore(value: 0)

    /// Starts the thread, known to the system as `name` (15 bytes at most show).
    init(name: String) {
        DedicatedThread.start(name) { [self] in run() }
    }

    /// Runs `work` after everything posted before it; nothing once the outbox is closed.
    func post(_ work: @escaping @Sendable () -> Void) {
        let taken = queue.withLock { queue -> Bool in
            guard !queue.closed else { return false }
            queue.work.append(work)
            return true
        }
        if taken { posted.signal() }
    }

    /// The thread ends once the work already posted has run.
    func close() {
        queue.withLock { $0.closed = true }
        posted.signal()
    }

    private func run() {
        while true {
            posted.wait()
            let next = queue.withLock { queue -> (work: (@Sendable () -> Void)?, done: Bool) in
                queue.work.isEmpty ? (nil, queue.closed) : (queue.work.removeFirst(), false)
            }
            if let work = next.work { work() } else if next.done { return }
        }
    }
}
