import Foundation
import HelpdeskCore
@testable import HelpdeskSocket
import HelpdeskTestSupport
import Synchronization
import Testing

/// A write to the service that fails may have left part of a frame on the socket, which the
/// service would read the next frame as the rest of: the client closes the connection, whether
/// the frame was a request or a cancel, and every call still waiting fails with a sentence that
/// says so. A service that has gone (`EPIPE`) is left to the reader, which reads why.
@Suite struct FailedWritesTests {
    /// Frames written to the socket, except those a test has made fail with an `errno`.
    final class Writes: Sendable {
        private let failures = Mutex<[(matches: String, errno: Int32)]>([])

        func fail(framesContaining text: String, with errno: Int32) {
            failures.withLock { $0.append((text, errno)) }
        }

        func write(_ fd: Int32, _ frame: Data) -> Bool {
            let text = String(decoding: frame, as: UTF8.self)
            if let failure = failures.withLock({ $0.first { text.contains($0.matches) } }) {
                errno = failure.errno
                return false
            }
            return UnixSocket.writeAll(fd, frame, within: 10)
        }
    }

    /// A connection to a service whose Okta holds every answer, with the reasons it was closed for.
    private final class Stalled: Sendable {
        let fixture: ServiceFixture
        let server: SocketServer
        let connection: SocketConnection
        let closings: ClosingReasons

        init(_ writes: Writes) async throws {
            fixture = try ServiceFixture(latency: 600)
            server = try fixture.listen(as: "alex")
            let closings = ClosingReasons()
            connection = try SocketConnection.open(fixture.path("alex"), onEvent: { _ in }, onClose: { _, reason in closings.add(reason) }, write: writes.write)
            self.closings = closings
            _ = try await connection.call(.hello, HelloParams(), timeout: 20)
        }

        /// A card, which waits on Okta: "answered", "CancellationError", or the error's code and words.
        func card() -> Task<String, Never> {
            Task {
                do {
                    _ = try await connection.call(.requesterCard, EmailParams(email: try EmailAddress("jane.doe@example.com")), timeout: 20)
                    return "answered"
                } catch let error as ServiceError {
                    return "\(error.code): \(error.message)"
                } catch {
                    return "\(type(of: error))"
                }
            }
        }

        func stop() async { await server.stop(grace: 0.1) }
    }

    @Test func aCancelThatCannotBeWrittenClosesTheConnection() async throws {
        let writes = Writes()
        let stalled = try await Stalled(writes)
        let first = stalled.card()
        let second = stalled.card()
        #expect(await eventually { stalled.server.activeRequests == 2 })
        writes.fail(framesContaining: #""cancel""#, with: EAGAIN)
        first.cancel()
        #expect(await first.value == "CancellationError")
        // The other card's answer could never be read apart from the half-written cancel.
        let other = await second.value
        #expect(other.hasPrefix("unavailable: the helpdesk service stopped taking requests"), "\(other)")
        #expect(stalled.connection.isClosed)
        #expect(await eventually { stalled.closings.all.count == 1 }, "onClose is told once, after the callers are failed")
        await stalled.stop()
    }

    @Test func aRequestThatCannotBeWrittenClosesTheConnection() async throws {
        let writes = Writes()
        let stalled = try await Stalled(writes)
        let waiting = stalled.card()
        #expect(await eventually { stalled.server.activeRequests == 1 })
        writes.fail(framesContaining: #""method":"session""#, with: EAGAIN)
        do {
            _ = try await stalled.connection.call(.session, WireEmpty(), timeout: 20)
            Issue.record("a request that could not be written was answered")
        } catch let error as ServiceError {
            #expect(error.code == .unavailable && error.message.contains("stopped taking requests"), "\(error)")
        }
        let other = await waiting.value
        #expect(other.hasPrefix("unavailable: the helpdesk service stopped taking requests"), "\(other)")
        #expect(stalled.connection.isClosed)
        await stalled.stop()
    }

    @Test func aCancelRefusedBecauseTheServiceLeftIsLeftToTheReader() async throws {
        let writes = Writes()
        let stalled = try await Stalled(writes)
        let first = stalled.card()
        let second = stalled.card()
        #expect(await eventually { stalled.server.activeRequests == 2 })
        writes.fail(framesContaining: #""cancel""#, with: EPIPE)
        first.cancel()
        #expect(await first.value == "CancellationError")
        // Nothing was half written: the connection stays and still answers.
        #expect(!stalled.connection.isClosed)
        _ = try await stalled.connection.call(.session, WireEmpty(), timeout: 20)
        #expect(!stalled.connection.isClosed)
        #expect(stalled.closings.all.isEmpty)
        second.cancel()
        _ = await second.value
        await stalled.stop()
    }
}
