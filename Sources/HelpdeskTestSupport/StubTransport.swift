import Foundation
import OktaClient
import Synchronization

/// An HTTP transport that records every request and answers from a script, for client tests.
public final class StubTransport: HTTPTransport {
    public typealias Responder = @Sendable (HTTPRequest, Int) throws -> HTTPResponse

    private let state: Mutex<[HTTPRequest]> = Mutex([])
    private let responder: Responder

    /// `responder` gets each request and its 0-based number.
    public init(_ responder: @escaping Responder) {
        self.responder = responder
    }

    /// Answers every request with the same response.
    public convenience init(always response: HTTPResponse) {
        self.init { _, _ in response }
    }

    /// Answers with the responses in order; the last one repeats.
    public convenience init(sequence: [HTTPResponse]) {
        self.init { _, index in sequence[min(index, sequence.count - 1)] }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let index = state.withLock { requests in
            requests.append(request)
            return requests.count - 1
        }
        return try responder(request, index)
    }

    public var requests: [HTTPRequest] { state.withLock { $0 } }

    /// `GET /api/v1/users?limit=2` for each request.
    public var lines: [String] {
        requests.map { request in
            let components = URLComponents(url: request.url, resolvingAgainstBaseURL: false)
            let query = components?.percentEncodedQuery.map { "?" + $0 } ?? ""
            return "\(request.method) \(components?.percentEncodedPath ?? "")\(query)"
        }
    }
}

/// A sleeper that does not sleep: it records each wait and moves the test clock on.
public final class RecordingSleeper: Sleeper {
    private let waits: Mutex<[TimeInterval]> = Mutex([])
    private let clock: ManualClock

    public init(clock: ManualClock) {
        self.clock = clock
    }

    public func sleep(seconds: TimeInterval) async throws {
        waits.withLock { $0.append(seconds) }
        clock.advance(by: seconds)
    }

    public var recorded: [TimeInterval] { waits.withLock { $0 } }
}

extension HTTPResponse {
    /// A JSON answer with Okta's request id.
    public static func json(_ status: Int = 200, _ text: String, headers: [String: String] = [:], requestID: String = "req-stub") -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json", "X-Okta-Request-Id": requestID].merging(headers) { $1 }, body: Data(text.utf8))
    }

    /// An empty answer (204 by default).
    public static func empty(_ status: Int = 204, headers: [String: String] = [:], requestID: String = "req-stub") -> HTTPResponse {
        HTTPResponse(status: status, headers: ["X-Okta-Request-Id": requestID].merging(headers) { $1 })
    }
}
