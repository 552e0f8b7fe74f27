import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// HTTP over URLSession: no cookies, no cache, no redirects (a redirect could carry the token
/// elsewhere). Requests that may be repeated share one session and its kept-alive connections; a
/// request that must reach Okta at most once gets a session of its own, so no connection it rides
/// on was used before and nothing under URLSession resends it when a reused connection dies. Every
/// request is abandoned at its timeout, however the connection behaves, and an answer larger than
/// `maxResponseBytes` is dropped as it arrives instead of being held.
public final class URLSessionTransport: HTTPTransport {
    private let shared: URLSession
    private let collector: ResponseCollector
    public let maxResponseBytes: Int

    public init(maxResponseBytes: Int = 16 << 20) {
        self.maxResponseBytes = maxResponseBytes
        collector = ResponseCollector(limit: maxResponseBytes)
        shared = Self.session(collector)
    }

    deinit {
        shared.finishTasksAndInvalidate()
    }

    private static func session(_ delegate: ResponseCollector) -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        return URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var timeout = request.timeout
        if let sendBy = request.sendBy {
            let left = sendBy.timeIntervalSinceNow
            guard left > 0 else { throw TransportFailure.notSent("its time to be sent had passed") }
            timeout = min(timeout, left)
        }
        var urlRequest = URLRequest(url: request.url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers {
            urlRequest.setValue(value, forHTTPHeaderField: name)
        }
        urlRequest.httpBody = request.body
        let collector: ResponseCollector
        let session: URLSession
        if request.mayRepeat {
            (collector, session) = (self.collector, shared)
        } else {
            collector = ResponseCollector(limit: maxResponseBytes)
            session = Self.session(collector)
        }
        defer { if !request.mayRepeat { session.finishTasksAndInvalidate() } }
        let task = session.dataTask(with: urlRequest)
        return try await collector.run(task, timeout: timeout)
    }

    static func failure(_ error: URLError) -> TransportFailure {
        switch error.code {
        case .cannotFindHost, .cannotConnectToHost, .dnsLookupFailed, .notConnectedToInternet, .secureConnectionFailed,
             .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot,
             .clientCertificateRejected, .unsupportedURL, .badURL, .appTransportSecurityRequiresSecureConnection:
            return .notSent(error.localizedDescription)
        default:
            return .noAnswer(error.localizedDescription)
        }
    }
}

/// The delegate of a session: gathers each task's answer up to the limit, refuses redirects, and
/// finishes each task exactly once — with its answer, its error, its size or its timeout.
private final class ResponseCollector: NSObject, URLSessionDataDelegate, Sendable {
    private let limit: Int
    private let pending = Mutex<[Int: Pending]>([:])

    struct Pending {
        let continuation: CheckedContinuation<HTTPResponse, any Error>
        var response: HTTPURLResponse?
        var body = Data()
    }

    init(limit: Int) {
        self.limit = limit
    }

    func run(_ task: URLSessionDataTask, timeout: TimeInterval) async throws -> HTTPResponse {
        let id = task.taskIdentifier
        let timer = Task { [weak self] in
            try? await Task.sleep(nanoseconds: UInt64(max(timeout, 0.001) * 1_000_000_000))
            guard !Task.isCancelled else { return }
            self?.finish(id, .failure(TransportFailure.noAnswer("no answer within \(Int(timeout.rounded(.up))) s")))
            task.cancel()
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            pending.withLock { $0[id] = Pending(continuation: continuation) }
            task.resume()
        }
    }

    private func finish(_ id: Int, _ result: Result<HTTPResponse, any Error>) {
        pending.withLock { $0.removeValue(forKey: id) }?.continuation.resume(with: result)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        let id = dataTask.taskIdentifier
        if response.expectedContentLength > Int64(limit) {
            finish(id, .failure(TransportFailure.tooLarge(Int(response.expectedContentLength))))
            completionHandler(.cancel)
            return
        }
        pending.withLock { $0[id]?.response = response as? HTTPURLResponse }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let id = dataTask.taskIdentifier
        let overflow = pending.withLock { pending -> Int? in
            guard var entry = pending[id] else { return nil }
            guard entry.body.count + data.count <= limit else { return entry.body.count + data.count }
            entry.body.append(data)
            pending[id] = entry
            return nil
        }
        if let overflow {
            finish(id, .failure(TransportFailure.tooLarge(overflow)))
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let id = task.taskIdentifier
        guard let entry = pending.withLock({ $0.removeValue(forKey: id) }) else { return }
        if let error {
            let failure = (error as? URLError).map(URLSessionTransport.failure) ?? .noAnswer(error.localizedDescription)
            return entry.continuation.resume(throwing: failure)
        }
        guard let http = entry.response else {
            return entry.continuation.resume(throwing: TransportFailure.noAnswer("the answer was not HTTP"))
        }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name] = value }
        }
        entry.continuation.resume(returning: HTTPResponse(status: http.statusCode, headers: headers, body: entry.body))
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}
