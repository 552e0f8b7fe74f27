import Foundation
import HelpdeskCore
@testable import HelpdeskSocket
import HelpdeskTestSupport
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A client against a service that stops reading, reads a trickle, shuts its reading side or
/// closes mid-frame, over real sockets: every call ends once, in its time, with a sentence that
/// says what became of it, and whoever cancels a call never waits for the service.
@Suite struct StalledServiceTests {
    /// A listening socket whose one client is accepted and then treated as the test says.
    final class FakeService: Sendable {
        let folder = TemporaryDirectory("hd-stalled")
        let path: String
        private let listener: Int32
        private let accepted = Mutex<Int32>(-1)

        init() throws {
            path = folder.file("s.sock")
            listener = try UnixSocket.make()
            let bound = try UnixSocket.withAddress(path) { bind(listener, $0, $1) }
            guard bound == 0, listen(listener, 8) == 0 else { throw ServiceError(.internal, "cannot listen at \(path)") }
        }

        /// The client, once connected (its connect sits in the backlog, so this returns at once).
        var peer: Int32 {
            accepted.withLock { peer in
                if peer == -1 { peer = accept(listener, nil, nil) }
                return peer
            }
        }

        /// Closes the service's end.
        func hangUp() {
            accepted.withLock { peer in
                if peer >= 0 { Glibc.close(peer) }
                peer = -2
            }
        }

        /// Bytes the client wrote that the service has not read.
        var unread: Int {
            var count: Int32 = 0
            _ = ioctl(peer, UInt(FIONREAD), &count)
            return Int(count)
        }

        /// Reads until the client's end closes; how many bytes came, or nil when nothing came for
        /// five seconds before the end.
        func readToTheEnd() -> Int? {
            var total = 0
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            var patience = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(peer, SOL_SOCKET, SO_RCVTIMEO, &patience, socklen_t(MemoryLayout<timeval>.size))
            while true {
                let count = recv(peer, &buffer, buffer.count, 0)
                if count < 0, errno == EINTR { continue }
                if count < 0 { return nil }
                if count == 0 { return total }
                total += count
            }
        }

        /// Reads the client's frames from now on, on a thread of its own, into `frames`: each
        /// request's id, and each cancel's as `cancel N`.
        func recordFrames() {
            let peer = self.peer
            Thread.detachNewThread { [self] in
                var decoder = FrameDecoder(maximum: WireProtocol.maxRequestFrame + 16)
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                while case let count = recv(peer, &buffer, buffer.count, 0), count > 0 || (count < 0 && errno == EINTR) {
                    for frame in (try? decoder.push(buffer[0..<max(count, 0)])) ?? [] {
                        let object = (try? JSONSerialization.jsonObject(with: frame)) as? [String: Any] ?? [:]
                        let name = (object["cancel"] as? Int).map { "cancel \($0)" } ?? (object["id"] as? Int).map { "\($0)" } ?? "?"
                        recorded.withLock { $0.append(name) }
                    }
                }
            }
        }

        private let recorded = Mutex<[String]>([])
        var frames: [String] { recorded.withLock { $0 } }

        deinit {
            let peer = accepted.withLock { $0 }
            if peer >= 0 { Glibc.close(peer) }
            Glibc.close(listener)
        }
    }

    private static func connect(_ service: FakeService, _ closings: ClosingReasons, within seconds: TimeInterval) throws -> SocketConnection {
        let connection = try SocketConnection.open(service.path, onEvent: { _ in }, onClose: { _, reason in closings.add(reason) },
                                                   write: { UnixSocket.writeAll($0, $1, within: seconds) })
        _ = service.peer
        return connection
    }

    /// A call's end: "answered", "CancellationError", or the error's code and words.
    private static func outcome(_ body: @escaping @Sendable () async throws -> Data) -> Task<String, Never> {
        Task {
            do {
                _ = try await body()
                return "answered"
            } catch let error as ServiceError {
                return "\(error.code): \(error.message)"
            } catch {
                return "\(type(of: error))"
            }
        }
    }

    /// Fills the connection's socket with whole frames the service has not read: the next write waits.
    private static func fillTheSocket(_ connection: SocketConnection) {
        let filler = Frame.encode(Data(#"{"id":-1,"method":"session","params":{}}"#.utf8))
        while (filler.withUnsafeBytes { send(connection.fd, $0.baseAddress!, filler.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }) == filler.count {}
    }

    /// How long the held note's write may wait: past it the connection closes and nothing after
    /// it is sent. A busy suite has taken ten seconds between holding the outbox and reading.
    private static let heldWriteLimit: TimeInterval = 90

    /// Fills the socket and puts a note (request 1) in the outbox, whose write holds the outbox
    /// until the service reads again.
    private static func holdTheOutbox(_ connection: SocketConnection) async -> Task<String, Never> {
        fillTheSocket(connection)
        let held = outcome { try await connection.call(.note, ["text": "held"], timeout: 20) }
        #expect(await eventually { connection.pending.waiting == 1 })
        return held
    }

    /// Puts one more note (request 3) in the outbox, lets the service read, and gives the requests
    /// and cancels it received up to that note (the filler left out); then closes.
    private static func framesOnceTheServiceReads(_ service: FakeService, _ connection: SocketConnection, held: Task<String, Never>) async -> [String] {
        let last = outcome { try await connection.call(.note, ["text": "after"], timeout: 20) }
        service.recordFrames()
        #expect(await eventually { service.frames.contains("3") })
        connection.close(because: "the test is over")
        _ = (await held.value, await last.value)
        return service.frames.filter { $0 != "-1" }
    }

    private static let card = EmailParams(email: try! EmailAddress("jane.doe@example.com"))
    private static let bigBatch = ["lines": String(repeating: "x", count: 900_000)]
    private static let stopped = "unavailable: the helpdesk service stopped taking requests (Resource temporarily unavailable)"

    @Test func aServiceReadingATrickleFailsAFrameInItsTimeNotPerWrite() async throws {
        let service = try FakeService()
        let closings = ClosingReasons()
        let connection = try Self.connect(service, closings, within: 0.5)
        let card = Self.outcome { try await connection.call(.requesterCard, Self.card, timeout: 10) }
        #expect(await eventually { service.unread > 0 })
        let cardBytes = service.unread
        // 64 KiB every quarter of a second: each write makes way well within the half second, and
        // the frame would take seconds. (Reading all there is each time could keep pace with the
        // writer on the other core and take the whole frame at once.)
        let trickle = Task.detached { () -> Int in
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            var read = 0
            while !Task.isCancelled {
                let count = recv(service.peer, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if count > 0 { read += count }
                try? await Task.sleep(nanoseconds: 250_000_000)
            }
            return read
        }
        // Were the time a write's, each making way, the batch would go whole and wait for its answer.
        let big = await Self.outcome { try await connection.call(.importLines, Self.bigBatch, timeout: 20) }.value
        trickle.cancel()
        let trickled = await trickle.value
        #expect(big == Self.stopped)
        #expect(await card.value == Self.stopped)
        #expect(connection.isClosed)
        #expect(await eventually { closings.all.count == 1 })
        // Nothing is written after the closing: a later call fails at once, and the service
        // reads the card, part of the batch, then the end.
        #expect(await Self.outcome { try await connection.call(.session, WireEmpty(), timeout: 5) }.value == Self.stopped)
        let read = trickled + (service.readToTheEnd() ?? 0)
        let batchFrame = try WireProtocol.encoder.encode(WireRequest(id: 2, method: .importLines, params: Self.bigBatch)).count + Frame.headerSize
        #expect(read > cardBytes && read < cardBytes + batchFrame, "the service read \(read) bytes")
        #expect(service.readToTheEnd() == 0, "the end came")
    }

    @Test func aCancelOnAFullBufferDoesNotHoldWhoeverCancels() async throws {
        let service = try FakeService()
        let closings = ClosingReasons()
        let connection = try Self.connect(service, closings, within: 2)
        let card = Self.outcome { try await connection.call(.requesterCard, Self.card, timeout: 60) }
        let session = Self.outcome { try await connection.call(.session, WireEmpty(), timeout: 60) }
        #expect(await eventually { service.unread > 100 })
        // The cancel is the first write that cannot go.
        Self.fillTheSocket(connection)
        let started = ContinuousClock.now
        card.cancel()
        let cancelling = started.duration(to: .now)
        #expect(cancelling < .seconds(1), "Task.cancel() took \(cancelling), where the cancel's write may take 2 s")
        #expect(await card.value == "CancellationError")
        // The cancel could not be written whole: the connection ends, and says why.
        #expect(await session.value == Self.stopped)
        #expect(connection.isClosed)
        // `onClose` is told after the callers are failed.
        #expect(await eventually { closings.all == [String(Self.stopped.dropFirst("unavailable: ".count))] }, "\(closings.all)")
    }

    @Test func aServiceThatShutItsReadingFailsARequestAtOnceAsNeverAsked() async throws {
        let service = try FakeService()
        let closings = ClosingReasons()
        let connection = try Self.connect(service, closings, within: 10)
        shutdown(service.peer, Int32(SHUT_RD))
        // Not "did not answer within 20 s; what was asked may still happen".
        let answer = await Self.outcome { try await connection.call(.session, WireEmpty(), timeout: 20) }.value
        #expect(answer == "unavailable: the helpdesk service closed the connection before the request reached it; nothing was asked")
        // A service that reads no more is left (the writer closes the connection as it fails the
        // call, a moment after the answer): the next call is told at once, not a second later.
        #expect(await eventually(5) { connection.isClosed })
        #expect(await Self.outcome { try await connection.call(.session, WireEmpty(), timeout: 20) }.value
                == "unavailable: the helpdesk service stopped reading requests")
    }

    @Test func aServiceThatClosesMidFrameFailsEveryCallOnce() async throws {
        let service = try FakeService()
        let closings = ClosingReasons()
        let connection = try Self.connect(service, closings, within: 10)
        let card = Self.outcome { try await connection.call(.requesterCard, Self.card, timeout: 20) }
        #expect(await eventually { service.unread > 0 })
        let big = Self.outcome { try await connection.call(.importLines, Self.bigBatch, timeout: 20) }
        #expect(await eventually { service.unread > 100_000 })
        service.hangUp()
        let bigEnd = await big.value
        #expect(bigEnd.hasPrefix("unavailable: the helpdesk service closed the connection"), "\(bigEnd)")
        #expect(await card.value.hasPrefix("unavailable: "))
        #expect(await eventually { connection.isClosed && closings.all.count == 1 })
    }

    @Test func aReadCancelledWhileQueuedBehindAStalledWriteNeverLeaves() async throws {
        let service = try FakeService()
        let connection = try Self.connect(service, ClosingReasons(), within: Self.heldWriteLimit)
        let held = await Self.holdTheOutbox(connection)
        let card = Self.outcome { try await connection.call(.requesterCard, Self.card, timeout: 20) }
        #expect(await eventually { connection.pending.queued == 1 })
        card.cancel()
        #expect(await card.value == "CancellationError")
        // Changes, once asked, are sent; the card, withdrawn before it left, is not, nor a cancel for it.
        let frames = await Self.framesOnceTheServiceReads(service, connection, held: held)
        #expect(frames == ["1", "3"], "\(frames)")
    }

    @Test func aReadThatTimesOutWhileQueuedIsWithdrawnAndSaysNothingWasAsked() async throws {
        let service = try FakeService()
        let connection = try Self.connect(service, ClosingReasons(), within: Self.heldWriteLimit)
        let held = await Self.holdTheOutbox(connection)
        let card = await Self.outcome { try await connection.call(.requesterCard, Self.card, timeout: 1) }.value
        #expect(card == "unavailable: the helpdesk service did not take the request within 1 s; nothing was asked")
        #expect(connection.pending.queued == 0)
        let frames = await Self.framesOnceTheServiceReads(service, connection, held: held)
        #expect(frames == ["1", "3"], "\(frames)")
    }

    @Test func aReadThatTimesOutOnceSentIsCancelled() async throws {
        let service = try FakeService()
        let connection = try Self.connect(service, ClosingReasons(), within: 10)
        service.recordFrames()
        let card = await Self.outcome { try await connection.call(.requesterCard, Self.card, timeout: 1) }.value
        #expect(card.hasPrefix("unavailable: the helpdesk service did not answer within 1 s"))
        #expect(await eventually { service.frames == ["1", "cancel 1"] }, "\(service.frames)")
        connection.close(because: "the test is over")
    }

    @Test func closingDoesNotWaitForAStalledWrite() async throws {
        let service = try FakeService()
        let closings = ClosingReasons()
        let connection = try Self.connect(service, closings, within: Self.heldWriteLimit)
        let held = await Self.holdTheOutbox(connection)
        // The note's write is waiting for the service to read; closing ends it, not the write's 90 s.
        #expect(await eventually { service.unread > 0 && connection.pending.queued == 0 })
        let closing = Task.detached { connection.close(because: "the client is done") }
        #expect(await eventually(20) { closings.all == ["the client is done"] }, "closing waited for the write: \(closings.all)")
        await closing.value
        #expect(await held.value == "unavailable: the client is done")
        // The descriptor is closed once the writer lets go of it: the service reads the end.
        #expect(service.readToTheEnd() != nil, "the client's end stayed open")
    }

    @Test func aServiceThatNeverSaysHelloKeepsNoConnection() async throws {
        let service = try FakeService()
        let client = RemoteHelpdeskService(path: service.path, callTimeout: 20, retryInterval: 0.1)
        await #expect(throws: ServiceError.self) { _ = try await client.hello() }
        // The client's end is closed: the service reads the hello, then the end.
        #expect(service.readToTheEnd() != nil, "the client kept its end of a connection that never said hello")
    }
}
