import Foundation
import HelpdeskCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One connection to the service: requests go out under a lock, a reader thread matches each
/// answer to its waiting caller by id and hands events to `onEvent`. When the service goes
/// away every waiting call fails with "unavailable" and `onClose` is told once.
final class SocketConnection: Sendable {
    private let fd: Int32
    private let state = Mutex(State())
    /// Whether `fd` is still open; writes happen under this lock, so none reaches a closed (or reused) descriptor.
    private let writable = Mutex(true)
    private let onEvent: @Sendable (WireEvent) -> Void
    private let onClose: @Sendable (SocketConnection, String) -> Void
    /// Writes a whole frame, or fails with `errno` set.
    private let write: @Sendable (Int32, Data) -> Bool

    struct State {
        var nextID: Int64 = 1
        var waiting: [Int64: CheckedContinuation<Data, any Error>] = [:]
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
                     write: @escaping @Sendable (Int32, Data) -> Bool = UnixSocket.writeAll) throws(ServiceError) -> SocketConnection {
        let fd: Int32
        do {
            fd = try UnixSocket.connect(path, timeout: 5)
        } catch {
            throw ServiceError(.unavailable, Self.unreachable(path, error))
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
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
            self?.fail(id, ServiceError(.unavailable, "the helpdesk service did not answer within \(Int(timeout)) s; what was asked may still happen — check the request"))
        }
        defer { timer.cancel() }
        guard method.mayBeCancelled else { return try await send(id, payload, cancellable: false) }
        return try await withTaskCancellationHandler {
            try await send(id, payload, cancellable: true)
        } onCancel: {
            cancel(id)
        }
    }

    /// Writes the request and waits for its answer. A cancellable one is not sent once its task
    /// is cancelled; registering and writing happen under the write lock, so a cancellation
    /// (`cancel`, which takes it too) either comes first and finds nothing, or comes after the
    /// request is on its way.
    private func send(_ id: Int64, _ payload: Data, cancellable: Bool) async throws -> Data {
        try await withCheckedThrowingContinuation { continuation in
            enum Outcome { case sent, cancelled, closed(String), failed(Int32) }
            let outcome = writable.withLock { open -> Outcome in
                if cancellable, Task.isCancelled { return .cancelled }
                let closed = state.withLock { state -> String? in
                    if state.closed == nil { state.waiting[id] = continuation }
                    return state.closed
                }
                if let closed { return .closed(closed) }
                guard open else { return .sent }
                return write(fd, Frame.encode(payload)) ? .sent : .failed(errno)
            }
            switch outcome {
            case .sent: break
            case .cancelled: continuation.resume(throwing: CancellationError())
            case .closed(let reason): continuation.resume(throwing: ServiceError(.unavailable, reason))
            case .failed(let failure): writeFailed(failure)
            }
        }
    }

    /// The caller no longer waits for request `id`: it ends now with `CancellationError`, and the
    /// service is asked to stop it (its answer, if one comes, is dropped).
    private func cancel(_ id: Int64) {
        let failure = writable.withLock { open -> Int32? in
            guard let waiter = state.withLock({ $0.waiting.removeValue(forKey: id) }) else { return nil }
            waiter.resume(throwing: CancellationError())
            guard open, let frame = try? WireProtocol.encoder.encode(WireCancel(cancel: id)) else { return nil }
            return write(fd, Frame.encode(frame)) ? nil : errno
        }
        if let failure { writeFailed(failure) }
    }

    /// A service that closed its end has usually said why (too many connections, not an
    /// operator): the reader thread is about to read that and fail the calls with it. A write that
    /// failed otherwise (the service stopped reading) may have left part of a frame, which the next
    /// request would be read as the rest of: the connection is closed.
    private func writeFailed(_ failure: Int32) {
        guard failure != EPIPE, failure != ECONNRESET else { return }
        close(because: "the helpdesk service stopped taking requests (\(String(cString: strerror(failure))))")
    }

    var isClosed: Bool { state.withLock { $0.closed != nil } }

    /// Ends the connection; waiting calls fail.
    func close(because reason: String) {
        let waiting = state.withLock { state -> [CheckedContinuation<Data, any Error>]? in
            guard state.closed == nil else { return nil }
            state.closed = reason
            defer { state.waiting.removeAll() }
            return Array(state.waiting.values)
        }
        guard let waiting else { return }
        shutdown(fd, Int32(SHUT_RDWR))
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
        writable.withLock { open in
            open = false
            Glibc.close(fd)
        }
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
