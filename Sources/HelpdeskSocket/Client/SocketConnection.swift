import Foundation
import HelpdeskCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One connection to the service: frames go out in order on a queue of the connection's own (so a
/// service that stops reading holds no caller's thread), a reader thread matches each answer to
/// its waiting caller by id and hands events to `onEvent`. When the service goes away every
/// waiting call fails with "unavailable" and `onClose` is told once.
final class SocketConnection: Sendable {
    /// The socket; tests fill its buffer through it.
    let fd: Int32
    private let state = Mutex(State())
    /// Whether `fd` is still open; writes happen under this lock, so none reaches a closed (or reused) descriptor.
    private let writable = Mutex(true)
    /// Whether `fd` is still open, held only to shut the socket down or close it: a closing shuts
    /// it down under this lock, not `writable`, so it never waits behind a stalled write, which the
    /// shutdown ends at once.
    private let descriptor = Mutex(true)
    private let onEvent: @Sendable (WireEvent) -> Void
    private let onClose: @Sendable (SocketConnection, String) -> Void
    /// Writes a whole frame, or fails with `errno` set.
    private let write: @Sendable (Int32, Data) -> Bool
    /// Where frames wait to be written, in the order they were put there (under the state lock).
    private let outbox = Outbox(name: "hd-client-write")

    typealias Waiter = CheckedContinuation<Data, any Error>

    struct State {
        var nextID: Int64 = 1
        var waiting: [Int64: Waiter] = [:]
        /// Cancellable requests in the outbox, not yet written: a cancel withdraws them.
        var queued: Set<Int64> = []
        var closed: String?
    }

    private init(fd: Int32, onEvent: @escaping @Sendable (WireEvent) -> Void, onClose: @escaping @Sendable (SocketConnection, String) -> Void,
                 write: @escaping @Sendable (Int32, Data) -> Bool) {
        self.fd = fd
        self.onEvent = onEvent
        self.onClose = onClose
        self.write = write
    }

    /// Connects and starts reading; `hello` is the caller's first request. Frames go out by
    /// `write` (tests make writes fail).
    static func open(_ path: String, onEvent: @escaping @Sendable (WireEvent) -> Void,
                     onClose: @escaping @Sendable (SocketConnection, String) -> Void,
                     write: @escaping @Sendable (Int32, Data) -> Bool = { UnixSocket.writeAll($0, $1, within: 10) }) throws(ServiceError) -> SocketConnection {
        let fd: Int32
        do {
            fd = try UnixSocket.connect(path, timeout: 5)
        } catch {
            throw ServiceError(.unavailable, Self.unreachable(path, error))
        }
        let connection = SocketConnection(fd: fd, onEvent: onEvent, onClose: onClose, write: write)
        let thread = Thread { connection.readLoop() }
        thread.name = "helpdesk-client"
        thread.start()
        return connection
    }

    /// The words for a socket that does not answer, with what to do.
    static func unreachable(_ path: String, _ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("No such file") || text.contains("Connection refused") {
            return "the helpdesk service is not running (nothing answers at \(path)); an admin starts it with systemctl start helpdesk"
        }
        if text.contains("Permission denied") {
            return "this login may not connect to the helpdesk service at \(path) (permission denied); an admin adds operators to the socket's group"
        }
        return "the helpdesk service at \(path) cannot be reached: \(text)"
    }

    /// Sends one request and waits for its answer (the whole response frame), up to `timeout` seconds.
    func call(_ method: ServiceMethod, _ params: some Encodable, timeout: TimeInterval) async throws -> Data {
        let id = state.withLock { state -> Int64 in
            defer { state.nextID += 1 }
            return state.nextID
        }
        let payload: Data
        do {
            payload = try WireProtocol.encoder.encode(WireRequest(id: id, method: method, params: params))
        } catch {
            throw ServiceError(.internal, "the request could not be written: \(error)")
        }
        guard payload.count <= WireProtocol.maxRequestFrame else {
            throw ServiceError(.refused, "the request is \(payload.count) bytes; the service takes at most \(WireProtocol.maxRequestFrame)")
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(nanoseconds: UInt64(timeout * 1_000_000_000))
            guard !Task.isCancelled else { return }
            self?.timedOut(id, after: timeout, cancellable: method.mayBeCancelled)
        }
        defer { timer.cancel() }
        guard method.mayBeCancelled else { return try await send(id, payload, cancellable: false) }
        return try await withTaskCancellationHandler {
            try await send(id, payload, cancellable: true)
        } onCancel: {
            cancel(id)
        }
    }

    /// Puts the request in the outbox and waits for its answer. A cancellable one is not sent once
    /// its task is cancelled: its flag is read, the caller registered and the frame queued under the
    /// state lock, which `cancel` takes too, so a cancellation either comes first and the request
    /// never leaves, or finds the caller and withdraws the request if it is still in the outbox, or
    /// queues its cancel after it.
    private func send(_ id: Int64, _ payload: Data, cancellable: Bool) async throws -> Data {
        let frame = Frame.encode(payload)
        return try await withCheckedThrowingContinuation { continuation in
            let refusal = state.withLock { state -> (any Error)? in
                if let closed = state.closed { return ServiceError(.unavailable, closed) }
                if cancellable, Task.isCancelled { return CancellationError() }
                state.waiting[id] = continuation
                if cancellable { state.queued.insert(id) }
                post(frame, request: id, withdrawable: cancellable)
                return nil
            }
            if let refusal { continuation.resume(throwing: refusal) }
        }
    }

    /// The caller no longer waits for request `id`: it ends now with `CancellationError`, and the
    /// service is asked to stop it (its answer, if one comes, is dropped).
    private func cancel(_ id: Int64) {
        let waiter = state.withLock { state -> Waiter? in
            guard let waiter = state.waiting.removeValue(forKey: id) else { return nil }
            if state.queued.remove(id) == nil, let frame = try? WireProtocol.encoder.encode(WireCancel(cancel: id)) {
                post(Frame.encode(frame), request: nil)
            }
            return waiter
        }
        waiter?.resume(throwing: CancellationError())
    }

    /// The caller of request `id` stops waiting after `timeout` seconds. A read still in the outbox
    /// is withdrawn (nothing was asked); one already written is cancelled, as a caller's cancel
    /// would; a change, once written or not, may still happen.
    private func timedOut(_ id: Int64, after timeout: TimeInterval, cancellable: Bool) {
        let ended = state.withLock { state -> (waiter: Waiter, withdrawn: Bool)? in
            guard let waiter = state.waiting.removeValue(forKey: id) else { return nil }
            if state.queued.remove(id) != nil { return (waiter, true) }
            if cancellable, let frame = try? WireProtocol.encoder.encode(WireCancel(cancel: id)) { post(Frame.encode(frame), request: nil) }
            return (waiter, false)
        }
        guard let ended else { return }
        ended.waiter.resume(throwing: ended.withdrawn
            ? ServiceError(.unavailable, "the helpdesk service did not take the request within \(Int(timeout)) s; nothing was asked")
            : ServiceError(.unavailable, "the helpdesk service did not answer within \(Int(timeout)) s; what was asked may still happen — check the request"))
    }

    /// Queues a frame (called under the state lock, which keeps the outbox in order); a
    /// `withdrawable` request is skipped once a cancel has taken it out of `queued`. A request
    /// that cannot be written because the service has gone ends with the service's own words, or
    /// when there are none, as never asked.
    private func post(_ frame: Data, request: Int64?, withdrawable: Bool = false) {
        outbox.post { [self] in
            enum Outcome { case written, notSent, ended([Waiter], String) }
            let outcome = writable.withLock { open -> Outcome in
                let wanted = state.withLock { state in
                    state.closed == nil && (!withdrawable || request.map { state.queued.remove($0) != nil } == true)
                }
                guard open, wanted else { return .written }
                if write(fd, frame) { return .written }
                return writeFailed(errno).map { .ended($0.waiting, $0.reason) } ?? .notSent
            }
            switch outcome {
            case .written: break
            case .notSent:
                guard let request else { break }
                // The reader is about to read why the service closed (too many connections, not an
                // operator) and end every call with it. A call still waiting after that was never
                // asked, and a service that reads no more but keeps its end is left.
                for _ in 0..<100 where !isClosed { usleep(10_000) }
                fail(request, ServiceError(.unavailable, "the helpdesk service closed the connection before the request reached it; nothing was asked"))
                close(because: "the helpdesk service stopped reading requests")
            case .ended(let waiting, let reason): finish(waiting, because: reason)
            }
        }
    }

    /// Called under the write lock when a write failed. A service that closed its end has
    /// usually said why (too many connections, not an operator): the reader thread is about to
    /// read that and fail the calls with it. A write that failed otherwise (the service stopped
    /// reading) may have left part of a frame, which the next request would be read as the rest
    /// of: the connection ends before the lock is let go, and the callers it returns are failed by
    /// `finish` outside it.
    private func writeFailed(_ failure: Int32) -> (waiting: [Waiter], reason: String)? {
        guard failure != EPIPE, failure != ECONNRESET else { return nil }
        let reason = "the helpdesk service stopped taking requests (\(String(cString: strerror(failure))))"
        return end(because: reason).map { ($0, reason) }
    }

    var isClosed: Bool { state.withLock { $0.closed != nil } }

    /// How many calls wait for an answer, and how many reads are still in the outbox.
    var pending: (waiting: Int, queued: Int) { state.withLock { ($0.waiting.count, $0.queued.count) } }

    /// Ends the connection; waiting calls fail. A write under way fails at once.
    func close(because reason: String) {
        guard let waiting = end(because: reason) else { return }
        finish(waiting, because: reason)
    }

    /// Marks the connection closed and shuts its socket while the descriptor is still this
    /// connection's; the callers still waiting, or nil when it was closed already.
    private func end(because reason: String) -> [Waiter]? {
        let waiting = state.withLock { state -> [Waiter]? in
            guard state.closed == nil else { return nil }
            state.closed = reason
            state.queued.removeAll()
            defer { state.waiting.removeAll() }
            return Array(state.waiting.values)
        }
        guard let waiting else { return nil }
        descriptor.withLock { open in
            if open { shutdown(fd, Int32(SHUT_RDWR)) }
        }
        return waiting
    }

    /// Fails the callers a closing took, and tells `onClose`.
    private func finish(_ waiting: [Waiter], because reason: String) {
        for continuation in waiting { continuation.resume(throwing: ServiceError(.unavailable, reason)) }
        onClose(self, reason)
    }

    private func fail(_ id: Int64, _ error: ServiceError) {
        state.withLock { $0.waiting.removeValue(forKey: id) }?.resume(throwing: error)
    }

    private func readLoop() {
        var decoder = FrameDecoder(maximum: WireProtocol.maxResponseFrame)
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var reason = "the helpdesk service closed the connection"
        reading: while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            do {
                for frame in try decoder.push(buffer[0..<count]) { deliver(frame) }
            } catch {
                reason = "the helpdesk service sent a frame this client cannot read"
                break reading
            }
        }
        close(because: reason)
        writable.withLock { writable in
            writable = false
            descriptor.withLock { open in
                open = false
                Glibc.close(fd)
            }
        }
        outbox.close()
    }

    private func deliver(_ frame: Data) {
        guard let header = try? WireProtocol.decoder.decode(WireHeader.self, from: frame) else { return }
        if let id = header.id {
            state.withLock { $0.waiting.removeValue(forKey: id) }?.resume(returning: frame)
        } else if let message = try? WireProtocol.decoder.decode(WireEventMessage.self, from: frame) {
            onEvent(message.event)
        } else if let response = try? WireProtocol.decoder.decode(WireResponse<WireEmpty>.self, from: frame), let error = response.error {
            // An error with no id: the service is closing this connection and says why.
            close(because: error.message)
        }
    }
}
