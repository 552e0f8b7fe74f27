import Foundation
import HelpdeskCore
@testable import HelpdeskSocket
import HelpdeskTestSupport
import OktaClient
import SQLiteStore

/// One helpdesk behind the socket: a store in a temporary folder, the simulated tenant and the
/// demo team. Each `listen(as:)` opens another socket onto the same backend whose every client
/// is taken to be one login, so a test can hold two operators' connections in one process; the
/// identity tests use the kernel's own answer instead.
final class ServiceFixture: Sendable {
    let folder = TemporaryDirectory("hd-sock")
    let tenant: SimulatedTenant
    let backend: HelpdeskBackend
    let store: any RequestStore

    /// `directory`, when given, is Okta as the service reaches it (over HTTP, say) in place of the tenant itself.
    init(latency: TimeInterval = 0, tenant: SimulatedTenant? = nil, directory: (any IdentityDirectory)? = nil, clock: any Clock = SystemClock()) throws {
        let tenant = tenant ?? SimulatedTenant(latency: latency)
        self.tenant = tenant
        store = try TestStore.open(in: folder)
        let engine = ActionEngine(store: store, directory: directory ?? tenant, clock: clock, policy: .default, team: DemoTeamFixture.team, runner: "test:\(getpid())")
        backend = HelpdeskBackend(engine: engine) { login in
            guard let member = DemoTeamFixture.team.member(login) else {
                throw ServiceError(.notAnOperator, "\(login) is not an operator of this helpdesk")
            }
            return member
        }
    }

    /// A socket path in the fixture's folder.
    func path(_ name: String) -> String { folder.file(name + ".sock") }

    /// Starts a server whose clients are all `login` (or refused, when `login` is not an operator).
    func listen(as login: String, limits: ServerLimits = ServerLimits(), log: @escaping @Sendable (String) -> Void = { _ in }) throws -> SocketServer {
        let backend = self.backend
        let server = SocketServer(path: path(login), limits: limits, identify: { _ in
            Result { () throws(ServiceError) in
                do { return try backend.service(for: login) } catch { throw ServiceError(error) }
            }
        }, log: log)
        try server.start(mode: 0o600)
        return server
    }

    func client(_ login: String) -> RemoteHelpdeskService {
        RemoteHelpdeskService(path: path(login), callTimeout: 20, retryInterval: 0.1)
    }
}

/// A client that speaks raw frames, to send what a well-behaved client never would.
final class RawClient {
    let fd: Int32
    private var decoder = FrameDecoder(maximum: WireProtocol.maxResponseFrame)
    private var ready: [Data] = []

    init(_ path: String) throws {
        fd = try UnixSocket.connect(path, timeout: 2)
    }

    deinit { close(fd) }

    func send(bytes: Data) {
        _ = UnixSocket.writeAll(fd, bytes, within: 60)
    }

    func send(json: String) {
        send(bytes: Frame.encode(Data(json.utf8)))
    }

    func hello() async throws -> [String: Any] {
        send(json: #"{"id": 1, "method": "hello", "params": {"protocol": \#(WireProtocol.version), "client": "raw"}}"#)
        return try await next()
    }

    /// The next frame as a JSON object, waiting up to `timeout` seconds (without holding a thread:
    /// the service's own tasks share the pool). The socket is looked at once more after the time
    /// is up, so a test that was not run for a while still sees what arrived meanwhile.
    func next(timeout: TimeInterval = 60) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while ready.isEmpty {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) == 1 else {
                guard deadline.timeIntervalSinceNow > 0 else { throw RawFailure("no frame within \(timeout) s") }
                try await Task.sleep(nanoseconds: 2_000_000)
                continue
            }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { throw RawFailure("the service closed the connection") }
            ready += try decoder.push(buffer[0..<count])
        }
        let frame = ready.removeFirst()
        guard let object = try JSONSerialization.jsonObject(with: frame) as? [String: Any] else { throw RawFailure("not an object") }
        return object
    }

    /// True when the service has closed the connection (reads end) within `timeout`.
    func isClosed(within timeout: TimeInterval = 60) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            do { _ = try await next(timeout: deadline.timeIntervalSinceNow) } catch let failure as RawFailure where failure.description.contains("closed") { return true } catch {}
        } while Date() < deadline
        return false
    }
}

struct RawFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Collects what a subscriber hears.
final class Heard: Sendable {
    private let events = Mutex<[ServiceEvent]>([])
    func add(_ event: ServiceEvent) { events.withLock { $0.append(event) } }
    var all: [ServiceEvent] { events.withLock { $0 } }
    func contains(_ test: (ServiceEvent) -> Bool) -> Bool { all.contains(where: test) }
}

import Synchronization
