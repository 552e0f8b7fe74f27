import Foundation
import HelpdeskCore
import Synchronization

/// One client as the handlers see it: who it is, the service bound to it after hello, and the
/// frames waiting to be written. Shared by the IO thread and the handler tasks, so every
/// mutable part is behind a lock.
final class ServerConnection: Sendable {
    let fd: Int32
    let credentials: PeerCredentials
    private let state = Mutex(State())
    private let wake: @Sendable () -> Void
    /// The export page after the last one sent, read while that one travels.
    let exportReadAhead = ExportReadAhead()

    /// Where the conversation is: waiting for hello, looking the peer up, serving, or refusing.
    enum Stage: Sendable { case awaitingHello, identifying, ready(any HelpdeskService), refused(ServiceError) }

    struct State {
        var stage = Stage.awaitingHello
        /// The peer's login once looked up (off the IO thread: the lookup may ask a directory service).
        var login: String?
        /// Frames to write from `outputHead` on; written ones are dropped in batches, so a long
        /// queue of small frames costs linear time to drain, not quadratic.
        var output: [Data] = []
        var outputHead = 0
        var outputOffset = 0
        var queuedBytes = 0
        /// The ids of the requests running now (a client may not reuse one until it is answered).
        var inFlight: Set<Int64> = []
        /// The reads running now, by request id, that the client may cancel (`cancel(_:)`).
        var cancellable: [Int64: (number: Int, task: Task<Void, Never>)] = [:]
        var nextNumber = 0
        var closed = false
        var closeWhenFlushed = false
        var overflowed = false
        var subscription: ServiceSubscription?
    }

    init(fd: Int32, credentials: PeerCredentials, wake: @escaping @Sendable () -> Void) {
        self.fd = fd
        self.credentials = credentials
        self.wake = wake
    }

    var stage: Stage { state.withLock { $0.stage } }
    func setStage(_ stage: Stage) { state.withLock { $0.stage = stage } }

    /// `alex (pid 4242)`, or `uid 1001 (pid 4242)` before the login is known.
    var who: String {
        let login = state.withLock { $0.login }
        return "\(login ?? "uid \(credentials.uid)") (pid \(credentials.pid))"
    }

    func setLogin(_ login: String?) { state.withLock { $0.login = login } }

    /// Queues a frame for the IO thread; a client that lets too much pile up is dropped.
    func send(_ frame: Data, limit: Int) {
        let queued = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            if state.queuedBytes + frame.count > limit {
                state.overflowed = true
                return true
            }
            state.output.append(frame)
            state.queuedBytes += frame.count
            return true
        }
        if queued { wake() }
    }

    /// Closes once everything queued is written (after a refusal that ends the conversation).
    func finishAfterFlush() {
        state.withLock { $0.closeWhenFlushed = true }
        wake()
    }

    /// Whether a request may start.
    enum Admission { case started, busy, idInUse }

    /// Starts request `id` unless too many are running or one with the same id is.
    func begin(_ id: Int64, max: Int) -> Admission {
        state.withLock { state in
            guard state.inFlight.count < max else { return .busy }
            return state.inFlight.insert(id).inserted ? .started : .idInUse
        }
    }

    func end(_ id: Int64) { _ = state.withLock { $0.inFlight.remove(id) } }

    /// Starts a request's work as `start` makes it; one that only reads is kept under its id
    /// until it ends, so the client can cancel it and a closed connection stops it.
    func run(_ id: Int64, mayBeCancelled: Bool, _ start: (_ ended: @escaping @Sendable () -> Void) -> Task<Void, Never>) {
        guard mayBeCancelled else {
            _ = start {}
            return
        }
        state.withLock { state in
            let number = state.nextNumber
            state.nextNumber += 1
            // Made under the lock, so the task's end (which takes it) always comes after it is kept.
            let task = start { [weak self] in
                self?.state.withLock { state in
                    if state.cancellable[id]?.number == number { state.cancellable[id] = nil }
                }
            }
            if state.closed { task.cancel() } else { state.cancellable[id] = (number, task) }
        }
    }

    /// The client no longer needs request `id`: a read still running stops (it is answered
    /// "cancelled"); anything else, or an id not running, is left as it is.
    func cancel(_ id: Int64) {
        state.withLock { $0.cancellable[id]?.task }?.cancel()
    }

    func keep(_ subscription: ServiceSubscription) {
        let previous = state.withLock { state -> ServiceSubscription? in
            defer { state.subscription = subscription }
            return state.subscription
        }
        previous?.cancel()
        if isClosed { subscription.cancel() }
    }

    var isClosed: Bool { state.withLock { $0.closed } }
    var isClosing: Bool { state.withLock { $0.closed || $0.closeWhenFlushed } }
    var hasOutput: Bool { state.withLock { $0.outputHead < $0.output.count } }
    var overflowed: Bool { state.withLock { $0.overflowed } }
    var shouldClose: Bool { state.withLock { $0.closeWhenFlushed && $0.outputHead == $0.output.count } }

    /// Writes what the socket takes now, without blocking; false when the peer is gone.
    func flush() -> Bool {
        while true {
            let next = state.withLock { state -> (Data, Int)? in
                guard state.outputHead < state.output.count else { return nil }
                return (state.output[state.outputHead], state.outputOffset)
            }
            guard let (chunk, offset) = next else { return true }
            let written = chunk.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, chunk.count - offset, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if written < 0 {
                if errno == EINTR { continue }
                return errno == EAGAIN || errno == EWOULDBLOCK
            }
            state.withLock { state in
                state.outputOffset += written
                if state.outputOffset == chunk.count {
                    state.outputHead += 1
                    state.outputOffset = 0
                    state.queuedBytes -= chunk.count
                    if state.outputHead == state.output.count {
                        state.output.removeAll(keepingCapacity: true)
                        state.outputHead = 0
                    } else if state.outputHead >= 1024, state.outputHead * 2 >= state.output.count {
                        state.output.removeFirst(state.outputHead)
                        state.outputHead = 0
                    }
                }
            }
        }
    }

    /// Marks the connection closed and ends its subscription; the IO thread closes the descriptor.
    func markClosed() {
        let (subscription, reads) = state.withLock { state -> (ServiceSubscription?, [Task<Void, Never>]) in
            state.closed = true
            state.output.removeAll()
            state.outputHead = 0
            defer {
                state.subscription = nil
                state.cancellable = [:]
            }
            return (state.subscription, state.cancellable.values.map(\.task))
        }
        subscription?.cancel()
        // Nobody is left to read their answers.
        for read in reads { read.cancel() }
        exportReadAhead.drop()
    }
}
