import Foundation

/// One HTTP request as the client sends it.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: URL
    public var headers: [String: String]
    public var body: Data?
    /// Seconds for the whole exchange, connecting included; past it the request is abandoned.
    public var timeout: TimeInterval
    /// False for a call that must reach Okta at most once: it goes on a connection of its own, which
    /// nothing under the client may silently send it on again.
    public var mayRepeat: Bool
    /// The latest moment the request may still be sent (a run's deadline); nil for no limit.
    public var sendBy: Date?

    public init(method: String, url: URL, headers: [String: String] = [:], body: Data? = nil, timeout: TimeInterval = 20, mayRepeat: Bool = true, sendBy: Date? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.mayRepeat = mayRepeat
        self.sendBy = sendBy
    }
}

/// One HTTP response; header names are matched without regard to case.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data
    /// The headers of the request this answers, as the client sent them (its credential among them).
    var requestHeaders: [String: String] = [:]
    /// The DPoP nonce the request's proof carried.
    var requestNonce: String?

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.key.lowercased() == lowered }?.value
    }
}

/// Sends HTTP requests; URLSession in the program, a stub in tests.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// Why a request got no HTTP answer.
public enum TransportFailure: Error, Sendable, Equatable {
    /// The request never left (no route, refused connection, bad TLS, its time to be sent had passed):
    /// safe to report as not done.
    case notSent(String)
    /// The request may have reached Okta (timeout, dropped connection).
    case noAnswer(String)
    /// The answer was larger than the client reads; it was dropped unread (the request did reach Okta).
    case tooLarge(Int)
}
