import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import PostgreSQLStore
import Synchronization
import Testing

/// A network between the service and its database that stops carrying bytes without closing
/// anything: the store gives the connection up within its answer timeout, says so, and works
/// again once the network does.
@Suite(.enabled(if: TestPostgres.url != nil, "no PostgreSQL server: set HELPDESK_TEST_POSTGRES"))
struct StalledNetworkTests {
    @Test func aStalledConnectionIsGivenUpAndMadeAgain() async throws {
        let base = try #require(TestPostgres.url)
        let socketFolder = try #require(URLComponents(string: base)?.queryItems?.first { $0.name == "host" }?.value)
        let proxy = try StallingProxy(to: socketFolder + "/.s.PGSQL.5432")
        defer { proxy.stop() }
        let schema = "stall_\(Int.random(in: 100_000...999_999))"
        // The schema is made first without a short timeout: the test is about the stall, not a slow machine.
        _ = try await offPool { try PostgreSQLRequestStore(url: base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)") }
        let url = "postgresql://helpdesk@127.0.0.1:\(proxy.port)/helpdesk_test?options=-csearch_path%3D\(schema)"
        let store = try await offPool { try PostgreSQLRequestStore(url: url, answerTimeout: 2) }
        _ = try await offPool { try store.create(Fixtures.newRequest("before the stall"), by: "alex", at: Date()) }

        proxy.stalled = true
        let started = Date()
        // The stalled wait blocks a thread of its own, not one the other tests' tasks need.
        let stalled: Result<Request, any Error>
        let took = Mutex(0.0)
        do {
            stalled = .success(try await offPool {
                defer { took.withLock { $0 = Date().timeIntervalSince(started) } }
                return try store.create(Fixtures.newRequest("during the stall"), by: "alex", at: Date())
            })
        } catch {
            stalled = .failure(error)
        }
        #expect(throws: (any Error).self) { try stalled.get() }
        if case .failure(let error) = stalled {
            // The answer that never came, or the new connection that could not be made.
            #expect("\(error)".contains("did not answer") || "\(error)".contains("timeout expired"), "\(error)")
        }
        #expect(took.withLock { $0 } < 10, "given up once the answer timeout passed, not tried again and again (measured on the thread that waited)")

        proxy.stalled = false
        _ = try await offPool { try store.create(Fixtures.newRequest("after the stall"), by: "alex", at: Date()) }
        let subjects = try store.read { try $0.queue(QueueQuery(filter: .all, limit: 10)) }.requests.map(\.subject)
        #expect(subjects.contains("before the stall") && subjects.contains("after the stall"))
    }
}

/// Loopback TCP to a Unix socket, byte for byte, until told to stall: then it keeps every
/// connection open and carries nothing.
final class StallingProxy: @unchecked Sendable {
    // The flags are read by the pump threads without a lock: a Bool that one thread sets and the
    // others may see a few milliseconds late.
    var stalled = false
    let port: Int
    private let listener: Int32
    private var running = true

    init(to unixPath: String) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
        listen(listener, 16)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        acceptConnections(forwardingTo: unixPath)
    }

    private func acceptConnections(forwardingTo unixPath: String) {
        let accepting = listener
        Thread { [self] in
            while running {
                let client = accept(accepting, nil, nil)
                guard client >= 0 else {
                    if running { continue } else { break }
                }
                let server = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
                var target = sockaddr_un()
                target.sun_family = sa_family_t(AF_UNIX)
                withUnsafeMutableBytes(of: &target.sun_path) { buffer in
                    for (index, byte) in unixPath.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
                }
                _ = withUnsafePointer(to: &target) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
                let pair = SocketPair(client, server)
                pump(from: client, to: server, pair)
                pump(from: server, to: client, pair)
            }
            close(accepting)
        }.start()
    }

    private func pump(from source: Int32, to destination: Int32, _ pair: SocketPair) {
        Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 16_384)
            while running {
                if stalled {
                    usleep(10_000)
                    continue
                }
                var ready = pollfd(fd: source, events: Int16(POLLIN), revents: 0)
                guard poll(&ready, 1, 50) > 0 else { continue }
                if stalled { continue }
                let count = read(source, &buffer, buffer.count)
                guard count > 0 else { break }
                // Not write(2): a peer gone meanwhile would raise SIGPIPE and end the test process.
                _ = send(destination, buffer, count, Int32(MSG_NOSIGNAL))
            }
            pair.pumpEnded()
        }.start()
    }

    /// Wakes the accepting thread, which closes the listener itself (closed here, its number could
    /// be another socket's by the time that thread calls accept again).
    func stop() {
        running = false
        shutdown(listener, Int32(SHUT_RDWR))
    }
}

/// The two sockets of one proxied connection: the first pump to end shuts both down (so the other
/// ends too), the second closes them. A descriptor is closed once, by its owner: closed twice, the
/// second close could hit another test's connection that got the same number in between.
final class SocketPair: @unchecked Sendable {
    // Behind the lock.
    private let lock = NSLock()
    private let sockets: (Int32, Int32)
    private var ended = 0

    init(_ first: Int32, _ second: Int32) { sockets = (first, second) }

    func pumpEnded() {
        lock.withLock {
            ended += 1
            if ended == 1 {
                shutdown(sockets.0, Int32(SHUT_RDWR))
                shutdown(sockets.1, Int32(SHUT_RDWR))
            } else {
                close(sockets.0)
                close(sockets.1)
            }
        }
    }
}
