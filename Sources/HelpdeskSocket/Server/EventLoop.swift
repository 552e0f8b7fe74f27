import Foundation
import HelpdeskCore
#if canImport(Glibc)
import Glibc
#endif

/// The IO thread's own state: every connection's descriptor, partial frame and deadlines.
/// It lives on that thread alone.
struct EventLoop {
    let server: SocketServer
    let listener: Int32
    let wake: Int32
    private var clients: [Int32: Client] = [:]
    private var buffer = [UInt8](repeating: 0, count: 64 << 10)
    /// New-connection allowance per uid (a token bucket).
    private var allowance: [UInt32: (tokens: Double, at: Date)] = [:]
    /// Whether this loop still holds the listening socket (it closes it once the server stops accepting).
    private var listenerOpen = true
    /// Accepting waits until then after the process ran out of descriptors (or memory) for new ones.
    private var acceptPausedUntil = Date.distantPast

    /// A connection and what only the IO thread touches.
    struct Client {
        let connection: ServerConnection
        var decoder = FrameDecoder(maximum: WireProtocol.maxRequestFrame)
        let helloBy: Date
        var frameStarted: Date?
        var protocolErrors = 0
    }

    init(server: SocketServer, listener: Int32, wake: Int32) {
        self.server = server
        self.listener = listener
        self.wake = wake
    }

    mutating func run() {
        while server.isRunning {
            var descriptors = [pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
            if !server.isAccepting, listenerOpen {
                close(listener)
                listenerOpen = false
            }
            let accepting = listenerOpen && Date() >= acceptPausedUntil
            if accepting { descriptors.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0)) }
            let order = Array(clients.keys)
            for fd in order {
                let output = clients[fd]!.connection.hasOutput
                descriptors.append(pollfd(fd: fd, events: Int16(POLLIN) | (output ? Int16(POLLOUT) : 0), revents: 0))
            }
            let ready = poll(&descriptors, nfds_t(descriptors.count), accepting || !listenerOpen ? 250 : 100)
            if ready < 0 {
                let code = errno
                if code != EINTR {
                    server.note("waiting for connections failed (\(String(cString: strerror(code)))); trying again")
                    usleep(100_000)
                }
                continue
            }
            drainWake()
            if accepting, descriptors[1].revents != 0 { acceptAll() }
            let offset = accepting ? 2 : 1
            for (index, fd) in order.enumerated() {
                let events = descriptors[offset + index].revents
                if events & Int16(POLLIN | POLLHUP | POLLERR) != 0 { readFrom(fd) }
            }
            for fd in Array(clients.keys) { service(fd) }
        }
        for fd in Array(clients.keys) { drop(fd, "the service is stopping") }
        if listenerOpen { close(listener) }
    }

    private func drainWake() {
        var sink = [UInt8](repeating: 0, count: 256)
        while read(wake, &sink, sink.count) > 0 {}
    }

    private mutating func acceptAll() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                let code = errno
                if [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(code) {
                    // The connection stays queued; polling the listener now would only spin.
                    acceptPausedUntil = Date().addingTimeInterval(0.1)
                    log(UInt32.max, "cannot take new connections for now (\(String(cString: strerror(code))))")
                }
                return
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            UnixSocket.setNonBlocking(fd)
            guard let credentials = PeerCredentials.of(fd) else {
                close(fd)
                continue
            }
            guard takeAllowance(credentials.uid) else {
                log(credentials.uid, "refused a connection from uid \(credentials.uid) (pid \(credentials.pid)): too many new connections a second")
                refuseNow(fd, ServiceError(.busy, "too many new connections from this login in the last second; "
                    + "wait a moment (a script runs its commands one after another, at most \(Int(server.limits.connectionsPerSecondPerUser)) a second)"))
                continue
            }
            let sameUser = clients.values.filter { $0.connection.credentials.uid == credentials.uid }.count
            guard clients.count < server.limits.maxConnections, sameUser < server.limits.maxConnectionsPerUser else {
                log(credentials.uid, "refused a connection from uid \(credentials.uid) (pid \(credentials.pid)): too many connections")
                refuseNow(fd, ServiceError(.busy, "the helpdesk service has too many connections\(sameUser >= server.limits.maxConnectionsPerUser ? " from this login" : ""); close some consoles and try again"))
                continue
            }
            let server = self.server
            let connection = ServerConnection(fd: fd, credentials: credentials) { server.wake() }
            clients[fd] = Client(connection: connection, helloBy: Date().addingTimeInterval(server.limits.helloTimeout))
        }
    }

    /// A token from the uid's bucket of new connections, if one is left.
    private mutating func takeAllowance(_ uid: UInt32) -> Bool {
        let rate = server.limits.connectionsPerSecondPerUser
        let now = Date()
        var bucket = allowance[uid] ?? (tokens: rate * 2, at: now)
        bucket.tokens = min(rate * 2, bucket.tokens + now.timeIntervalSince(bucket.at) * rate)
        bucket.at = now
        guard bucket.tokens >= 1 else {
            allowance[uid] = bucket
            return false
        }
        bucket.tokens -= 1
        allowance[uid] = bucket
        if allowance.count > 4_096 { allowance = allowance.filter { now.timeIntervalSince($0.value.at) < 60 } }
        return true
    }

    private func log(_ uid: UInt32, _ line: String) {
        server.noteRefusal(uid, line)
    }

    /// Writes one error frame without waiting and closes: for connections refused at the door.
    private func refuseNow(_ fd: Int32, _ error: ServiceError) {
        let frame = ServiceDispatcher.error(nil, error)
        _ = frame.withUnsafeBytes { send(fd, $0.baseAddress!, frame.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        close(fd)
    }

    private mutating func readFrom(_ fd: Int32) {
        guard var client = clients[fd] else { return }
        var total = 0
        while total < server.limits.readPerTurn {
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count == 0 {
                clients[fd] = client
                return drop(fd, nil)
            }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { break }
                clients[fd] = client
                return drop(fd, nil)
            }
            total += count
            let frames: [Data]
            do {
                frames = try client.decoder.push(buffer[0..<count])
            } catch {
                let reason = switch error {
                case .tooLarge(let size): "a frame of \(size) bytes is larger than the \(WireProtocol.maxRequestFrame) the service reads"
                case .empty: "an empty frame"
                }
                clients[fd] = client
                return refuse(fd, ServiceError(.protocolError, reason))
            }
            client.frameStarted = client.decoder.hasPartialFrame ? (client.frameStarted ?? Date()) : nil
            for frame in frames {
                handle(frame, client: &client)
                if client.connection.isClosing { break }
            }
            clients[fd] = client
            if client.connection.isClosed || client.protocolErrors > server.limits.maxProtocolErrors { break }
        }
        clients[fd] = client
        if client.protocolErrors > server.limits.maxProtocolErrors {
            refuse(fd, ServiceError(.protocolError, "too many malformed requests; the connection is closed"))
        }
    }

    /// Reads a frame's header and starts its work; mistakes are answered, not fatal.
    private func handle(_ frame: Data, client: inout Client) {
        let connection = client.connection
        guard let header = try? WireProtocol.decoder.decode(WireHeader.self, from: frame) else {
            client.protocolErrors += 1
            return connection.send(ServiceDispatcher.error(nil, ServiceError(.protocolError, "a frame is not a JSON object with an id and a method")), limit: server.limits.maxQueuedOutput)
        }
        if let cancelled = header.cancel, header.id == nil, header.method == nil {
            return connection.cancel(cancelled)
        }
        guard let id = header.id, let name = header.method else {
            client.protocolErrors += 1
            return connection.send(ServiceDispatcher.error(header.id, ServiceError(.protocolError, "a request needs an id and a method")), limit: server.limits.maxQueuedOutput)
        }
        guard let method = ServiceMethod(rawValue: name) else {
            client.protocolErrors += 1
            return connection.send(ServiceDispatcher.error(id, ServiceError(.protocolError, "there is no method \(TextSafety.quoted(name, limit: 40))")), limit: server.limits.maxQueuedOutput)
        }
        switch connection.stage {
        case .awaitingHello:
            guard method == .hello else {
                connection.send(ServiceDispatcher.error(id, ServiceError(.protocolError, "say hello first")), limit: server.limits.maxQueuedOutput)
                return connection.finishAfterFlush()
            }
            hello(frame, id: id, connection: connection)
        case .identifying:
            connection.send(ServiceDispatcher.error(id, ServiceError(.busy, "wait for the answer to hello")), limit: server.limits.maxQueuedOutput)
        case .refused(let refusal):
            connection.send(ServiceDispatcher.error(id, refusal), limit: server.limits.maxQueuedOutput)
            connection.finishAfterFlush()
        case .ready(let service):
            switch connection.begin(id, max: server.limits.maxInFlightPerConnection) {
            case .started: break
            case .busy:
                return connection.send(ServiceDispatcher.error(id, ServiceError(.busy, "too many requests at once on this connection; wait for answers")), limit: server.limits.maxQueuedOutput)
            case .idInUse:
                // Its answer could not be told from the running one's, nor could a cancel.
                client.protocolErrors += 1
                return connection.send(ServiceDispatcher.error(id, ServiceError(.protocolError, "request \(id) is still running on this connection; give each request its own id")),
                                       limit: server.limits.maxQueuedOutput)
            }
            let server = self.server
            let limits = server.limits
            server.handlerStarted()
            let user = TurnsPerUser.key(user: connection.credentials.uid, waitsForOkta: method.waitsForOkta)
            connection.run(id, mayBeCancelled: method.mayBeCancelled) { ended in
                Task {
                    defer { server.handlerFinished() }
                    // The id is free (and the place on the connection) before the answer can reach
                    // the client, which may send its next request under the same id at once.
                    func answer(_ frame: Data) {
                        ended()
                        connection.end(id)
                        connection.send(frame, limit: limits.maxQueuedOutput)
                    }
                    // A request that waited its turn does not run for a client that has gone, nor once
                    // the service is stopping, nor once the client has cancelled it.
                    var turn = await server.turns.begin(user)
                    if turn == .now || turn == .afterWaiting, Task.isCancelled {
                        server.turns.end(user)
                        turn = .cancelled
                    }
                    guard turn == .now || (turn == .afterWaiting && !connection.isClosing) else {
                        if turn == .afterWaiting { server.turns.end(user) }
                        let error = switch turn {
                        case .cancelled: ServiceError.cancelled
                        case .refused: ServiceError(.busy, "the helpdesk service is stopping; ask again once it is back")
                        case .now, .afterWaiting: ServiceError(.busy, "the connection closed before the request's turn came; nothing ran")
                        }
                        return answer(ServiceDispatcher.error(id, error))
                    }
                    let response = await ServiceDispatcher(service: service, connection: connection, limits: limits).respond(to: frame, id: id, method: method)
                    server.turns.end(user)
                    answer(response.frame)
                    if method.changes {
                        server.note("\(connection.who): \(method.rawValue)" + (response.error.map { " refused: \(TextSafety.quoted($0.message, limit: 160))" } ?? ""))
                    }
                }
            }
        }
    }

    /// Checks the protocol at once; who the peer is is looked up off this thread (the password
    /// database may be a directory service), and a refused peer is closed after its answer.
    private func hello(_ frame: Data, id: Int64, connection: ServerConnection) {
        let limit = server.limits.maxQueuedOutput
        guard let params = try? WireProtocol.decoder.decode(WireParams<HelloParams>.self, from: frame).params else {
            connection.send(ServiceDispatcher.error(id, ServiceError(.protocolError, "hello needs the protocol version")), limit: limit)
            return connection.finishAfterFlush()
        }
        guard params.protocol == WireProtocol.version else {
            connection.send(ServiceDispatcher.error(id, ServiceError(.protocolError,
                "this helpdesk service speaks protocol \(WireProtocol.version) (helpdesk \(HelpdeskVersion.current)) and the client speaks \(params.protocol); run the same helpdesk build on both sides")), limit: limit)
            return connection.finishAfterFlush()
        }
        connection.setStage(.identifying)
        let server = self.server
        server.handlerStarted()
        Task {
            defer { server.handlerFinished() }
            connection.setLogin(PeerCredentials.login(of: connection.credentials.uid))
            var refusal: ServiceError?
            var session: ServiceSession?
            switch server.identify(connection.credentials) {
            case .success(let service):
                do {
                    session = try await service.session()
                    connection.setStage(.ready(service))
                } catch {
                    refusal = ServiceError(error)
                }
            case .failure(let refused):
                refusal = refused
            }
            if let refusal {
                connection.setStage(.refused(refusal))
                server.noteRefusal(connection.credentials.uid, "refused \(connection.who): \(refusal.message)")
            }
            let result = HelloResult(protocol: WireProtocol.version, version: HelpdeskVersion.current, session: session, refusal: refusal?.message)
            let payload = (try? WireProtocol.encoder.encode(WireResponse(id: id, result: result, error: nil))) ?? Data()
            connection.send(Frame.encode(payload), limit: limit)
            if refusal != nil { connection.finishAfterFlush() }
        }
    }

    /// Writes what is queued, enforces the deadlines, and closes what should be closed.
    private mutating func service(_ fd: Int32) {
        guard let client = clients[fd] else { return }
        let connection = client.connection
        if connection.overflowed { return drop(fd, "it did not read its answers (more than \(server.limits.maxQueuedOutput) bytes waiting)") }
        if connection.hasOutput, !connection.flush() { return drop(fd, nil) }
        if connection.shouldClose { return drop(fd, nil) }
        let now = Date()
        if case .awaitingHello = connection.stage, now > client.helloBy, !connection.hasOutput {
            return refuse(fd, ServiceError(.protocolError, "no hello within \(Int(server.limits.helloTimeout)) s"))
        }
        if let started = client.frameStarted, now.timeIntervalSince(started) > server.limits.frameTimeout {
            return refuse(fd, ServiceError(.protocolError, "a request took more than \(Int(server.limits.frameTimeout)) s to arrive"))
        }
    }

    /// Answers with an error, then closes.
    private mutating func refuse(_ fd: Int32, _ error: ServiceError) {
        guard let client = clients[fd] else { return }
        log(client.connection.credentials.uid, "closed a connection of \(client.connection.who): \(error.message)")
        let frame = ServiceDispatcher.error(nil, error)
        _ = frame.withUnsafeBytes { send(fd, $0.baseAddress!, frame.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        drop(fd, nil)
    }

    private mutating func drop(_ fd: Int32, _ why: String?) {
        guard let client = clients.removeValue(forKey: fd) else { return }
        if let why { log(client.connection.credentials.uid, "dropped a connection of \(client.connection.who): \(why)") }
        client.connection.markClosed()
        close(fd)
    }
}
