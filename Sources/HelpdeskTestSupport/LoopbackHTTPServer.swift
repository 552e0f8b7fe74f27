import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 for tests and benchmarks: an Okta stand-in. Each
/// response is written with one `write` (separate header and body writes stall on Nagle and
/// delayed ACKs). Connections are kept alive; each is served on its own thread.
public final class LoopbackHTTPServer: Sendable {
    /// A request as the server read it.
    public struct Request: Sendable {
        public let method: String
        /// Path and query, as sent: `/api/v1/users?limit=2`.
        public let target: String
        public let headers: [String: String]
        public let body: Data
        /// Which connection it came on: 1 for the first the server accepted, and so on.
        public var connection = 0

        public var path: String { String(target.prefix { $0 != "?" }) }
        public var query: String? { target.firstIndex(of: "?").map { String(target[target.index(after: $0)...]) } }

        public func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    /// What to answer.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data
        /// Close the connection without answering (a network that drops the answer).
        public var hangUp = false
        /// Bytes to write instead of a well-formed answer, then close: a server that lies.
        public var raw: Data?

        public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// These bytes, whatever they are, then the connection is closed.
        public static func raw(_ bytes: Data) -> Response {
            var response = Response(status: 0)
            response.raw = bytes
            return response
        }

        /// No answer at all: the connection is closed.
        public static var hangUp: Response {
            var response = Response(status: 0)
            response.hangUp = true
            return response
        }

        public static func json(_ status: Int, _ text: String, headers: [String: String] = [:]) -> Response {
            Response(status: status, headers: headers.merging(["Content-Type": "application/json"]) { first, _ in first }, body: Data(text.utf8))
        }
    }

    public let port: UInt16
    private let listener: Int32
    private let handler: @Sendable (Request) -> Response
    private let open = Mutex(true)
    private let connections = Mutex<(accepted: Int, endings: [Int: String])>((0, [:]))

    /// How each finished connection ended on the client's side: "closed" (FIN) or "reset" (RST).
    public var endings: [Int: String] { connections.withLock { $0.endings } }

    public init(_ handler: @escaping @Sendable (Request) -> Response) throws {
        self.handler = handler
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw ServerError("socket() failed") }
        var yes: Int32 = 1
        setsockopt(socketFD, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(socketFD, 128) == 0 else {
            close(socketFD)
            throw ServerError("bind/listen on 127.0.0.1 failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        listener = socketFD
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit {
        stop()
    }

    /// `http://127.0.0.1:PORT`
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Stops accepting; open connections end when their clients close them.
    public func stop() {
        let wasOpen = open.withLock { state in
            defer { state = false }
            return state
        }
        guard wasOpen else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while open.withLock({ $0 }) {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            var yes: Int32 = 1
            setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            let number = connections.withLock { state in
                state.accepted += 1
                return state.accepted
            }
            let thread = Thread { [self] in serve(connection, number: number) }
            thread.start()
        }
    }

    private func serve(_ connection: Int32, number: Int) {
        defer { close(connection) }
        var buffer = Data()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            guard var request = Self.parse(&buffer) else {
                let count = recv(connection, &chunk, chunk.count, 0)
                if count <= 0 {
                    let ending = count < 0 && errno == ECONNRESET ? "reset" : "closed"
                    connections.withLock { $0.endings[number] = ending }
                    return
                }
                buffer.append(contentsOf: chunk[0..<count])
                continue
            }
            request.connection = number
            let response = handler(request)
            if response.hangUp { return }
            let bytes = response.raw ?? Self.encode(response)
            var sent = 0
            while sent < bytes.count {
                let written = bytes.withUnsafeBytes { send(connection, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
                if written <= 0 { return }
                sent += written
            }
            if request.header("Connection")?.lowercased() == "close" || response.raw != nil { return }
        }
    }

    /// Takes one complete request off the front of `buffer`, if there is one.
    static func parse(_ buffer: inout Data) -> Request? {
        guard let end = buffer.range(of: Data("\r\n\r\n".utf8)) else { return nil }
        let head = String(decoding: buffer[buffer.startIndex..<end.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = headers.first { $0.key.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        let bodyStart = end.upperBound
        guard buffer.distance(from: bodyStart, to: buffer.endIndex) >= length else { return nil }
        let bodyEnd = buffer.index(bodyStart, offsetBy: length)
        let body = Data(buffer[bodyStart..<bodyEnd])
        buffer = Data(buffer[bodyEnd...])
        return Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body)
    }

    static func encode(_ response: Response) -> Data {
        var head = "HTTP/1.1 \(response.status) \(reason(response.status))\r\n"
        var headers = response.headers
        headers["Content-Length"] = String(response.body.count)
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            head += "\(name): \(value)\r\n"
        }
        head += "\r\n"
        return Data(head.utf8) + response.body
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }

    struct ServerError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
