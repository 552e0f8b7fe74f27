import CCurl
import Foundation
import HelpdeskCore
import Synchronization

/// HTTP through libcurl, called directly, with every choice made here rather than by defaults:
/// - a request that changes something goes on a new connection that is closed after it, so nothing
///   beneath us can send it again on a kept-alive one, and closed abortively, so the kernel does not
///   deliver what was left unsent after the call was given up; look-ups reuse connections;
/// - the whole exchange ends at its timeout (a run's deadline included), connecting too;
/// - no redirects, HTTP and HTTPS only, and no proxy whatever the environment says;
/// - no compression is asked for or undone, and an answer larger than `maxResponseBytes` (or with
///   headers past 64 KiB) is dropped as it arrives, never held whole;
/// - whether a failed request left this machine is read from libcurl (bytes of it sent), so "not
///   sent" is said only when it is true;
/// - a read whose caller is cancelled stops (within about a second, while Okta holds the answer);
///   a change, once it may have left, is never stopped half-way.
public final class CurlTransport: HTTPTransport {
    public let maxResponseBytes: Int
    private let idle = Mutex<[CurlHandle]>([])
    static let maxIdleHandles = 8
    static let maxHeaderBytes = 64 << 10

    /// Okta's largest pages (users, groups) are well under a megabyte; ten calls in flight at the
    /// limit stay within a few hundred MiB. libcurl is opened by the first call, on the call's own
    /// thread, not here.
    public init(maxResponseBytes: Int = 8 << 20) {
        self.maxResponseBytes = maxResponseBytes
    }

    /// Opens libcurl now, for a program that must not start without it (the service); the
    /// failure is a sentence that says what to install.
    public static func openLibrary() throws(LibraryMissing) {
        do {
            _ = try LibCurl.open()
        } catch {
            throw LibraryMissing(message: missing(error))
        }
    }

    /// libcurl could not be opened: a sentence that says what to install.
    public struct LibraryMissing: Error {
        public let message: String
    }

    private static func missing(_ failure: SharedLibraryFailure) -> String {
        "\(failure); Okta is reached through libcurl (Debian: libcurl4)"
    }

    deinit {
        for handle in idle.withLock({ $0 }) { handle.close() }
    }

    /// Runs the exchange on a thread of its own: libcurl blocks while it waits for Okta.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let stop = request.method == "GET" && request.mayRepeat ? TransferStop() : nil
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                let thread = Thread { continuation.resume(with: Result { try self.perform(request, stop: stop) }) }
                thread.name = "helpdesk-okta-call"
                thread.start()
            }
        } onCancel: {
            stop?.set()
        }
    }

    /// `stop`, when given, ends the exchange once set (the read is no longer wanted).
    func perform(_ request: HTTPRequest, stop: TransferStop?) throws -> HTTPResponse {
        if stop?.isSet == true { throw TransportFailure.notSent(TransferStop.reason + "; nothing was sent") }
        var timeout = request.timeout
        if let sendBy = request.sendBy {
            let left = sendBy.timeIntervalSinceNow
            guard left > 0 else { throw TransportFailure.notSent("its time to be sent had passed") }
            timeout = min(timeout, left)
        }
        let curl: LibCurl
        do {
            curl = try LibCurl.open()
        } catch {
            throw TransportFailure.notSent(Self.missing(error))
        }
        let ownConnection = !request.mayRepeat || request.method != "GET"
        let reusable = ownConnection ? nil : idle.withLock { $0.popLast() }
        guard let handle = reusable ?? CurlHandle(curl) else { throw TransportFailure.notSent("libcurl could not start a transfer") }
        let exchange = Exchange(limit: maxResponseBytes, stop: stop)
        let outcome: CurlOutcome
        do {
            outcome = try handle.run(request, timeout: timeout, exchange: exchange, ownConnection: ownConnection)
        } catch {
            handle.close()
            throw error
        }
        if !ownConnection, outcome.code == CURLE_OK, idle.withLock({ $0.count }) < Self.maxIdleHandles {
            // Parked without pointers to this exchange's buffers; its connection stays open.
            handle.reset()
            idle.withLock { $0.append(handle) }
        } else {
            handle.close()
        }
        if let size = exchange.tooLarge { throw TransportFailure.tooLarge(size) }
        if outcome.code == CURLE_FILESIZE_EXCEEDED { throw TransportFailure.tooLarge(maxResponseBytes + 1) }
        if exchange.headersTooLarge { throw TransportFailure.noAnswer("the answer's headers were longer than \(Self.maxHeaderBytes) bytes") }
        if outcome.code == CURLE_OK, !exchange.headersComplete { throw TransportFailure.noAnswer("the answer ended inside its headers") }
        guard outcome.code == CURLE_OK else {
            let stopped = outcome.code == CURLE_ABORTED_BY_CALLBACK && stop?.isSet == true
            let reason = stopped ? TransferStop.reason : outcome.error.isEmpty ? curl.easyStrerror(outcome.code).map { String(cString: $0) } ?? "libcurl error \(outcome.code.rawValue)" : outcome.error
            throw outcome.requestBytesSent == 0 ? TransportFailure.notSent(reason) : TransportFailure.noAnswer(reason)
        }
        guard outcome.status >= 100 else { throw TransportFailure.noAnswer("the answer had no HTTP status") }
        return HTTPResponse(status: outcome.status, headers: exchange.headers, body: exchange.body)
    }
}

/// What one transfer came to.
struct CurlOutcome {
    let code: CURLcode
    let status: Int
    let requestBytesSent: Int
    let error: String
}

/// One libcurl easy handle. A handle is used by one thread at a time: the transport takes it from
/// its idle list for one request and gives it back after.
final class CurlHandle: @unchecked Sendable {
    // The pointer is only touched by the one thread running a transfer with it (see above).
    private let handle: UnsafeMutableRawPointer
    private let curl: LibCurl

    init?(_ curl: LibCurl) {
        guard let handle = curl.easyInit() else { return nil }
        self.handle = handle
        self.curl = curl
    }

    func close() { curl.easyCleanup(handle) }

    /// Forgets every option (and the pointers they hold); kept connections stay.
    func reset() { curl.easyReset(handle) }

    /// Runs one exchange; throws "not sent" when libcurl refuses an option this depends on.
    func run(_ request: HTTPRequest, timeout: TimeInterval, exchange: Exchange, ownConnection: Bool) throws(TransportFailure) -> CurlOutcome {
        curl.easyReset(handle)
        let milliseconds = max(1, Int((timeout * 1000).rounded(.up)))
        var headers: UnsafeMutablePointer<curl_slist>?
        defer { curl.slistFreeAll(headers) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        let context = Unmanaged.passUnretained(exchange).toOpaque()
        var refused: [String] = []
        func require(_ code: CURLcode, _ option: String) {
            if code != CURLE_OK { refused.append(option) }
        }

        require(helpdesk_curl_set_string(curl.setopt, handle, CURLOPT_URL, request.url.absoluteString), "URL")
        require(helpdesk_curl_set_long(curl.setopt, handle, CURLOPT_NOSIGNAL, 1), "NOSIGNAL")
        require(helpdesk_curl_set_long(curl.setopt, handle, CURLOPT_TIMEOUT_MS, milliseconds), "TIMEOUT_MS")
        require(helpdesk_curl_set_long(curl.setopt, handle, CURLOPT_CONNECTTIMEOUT_MS, min(milliseconds, 10_000)), "CONNECTTIMEOUT_MS")
        require(helpdesk_curl_set_long(curl.setopt, handle, CURLOPT_FOLLOWLOCATION, 0), "FOLLOWLOCATION")
        require(helpdesk_curl_set_string(curl.setopt, handle, CURLOPT_PROTOCOLS_STR, "http,https"), "PROTOCOLS_STR")
        require(helpdesk_curl_set_string(curl.setopt, handle, CURLOPT_PROXY, ""), "PROXY")
        require(helpdesk_curl_set_long(curl.setopt, handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1)), "HTTP_VERSION")
        require(helpdesk_curl_set_size(curl.setopt, handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(exchange.limit)), "MAXFILESIZE_LARGE")
        require(helpdesk_curl_set_pointer(curl.setopt, handle, CURLOPT_ERRORBUFFER, errorBuffer), "ERRORBUFFER")
        require(helpdesk_curl_set_callback(curl.setopt, handle, CURLOPT_WRITEFUNCTION, collectBody), "WRITEFUNCTION")
        require(helpdesk_curl_set_pointer(curl.setopt, handle, CURLOPT_WRITEDATA, context), "WRITEDATA")
        require(helpdesk_curl_set_callback(curl.setopt, handle, CURLOPT_HEADERFUNCTION, collectHeader), "HEADERFUNCTION")
        require(helpdesk_curl_set_pointer(curl.setopt, handle, CURLOPT_HEADERDATA, context), "HEADERDATA")
        require(helpdesk_curl_quick_exit(curl.setopt, handle), "QUICK_EXIT")
        if exchange.stop != nil { require(helpdesk_curl_set_progress(curl.setopt, handle, checkStop, context), "XFERINFOFUNCTION") }
        if ownConnection {
            require(helpdesk_curl_set_long(curl.setopt, handle, CURLOPT_FRESH_CONNECT, 1), "FRESH_CONNECT")
            require(helpdesk_curl_set_long(curl.setopt, handle, CURLOPT_FORBID_REUSE, 1), "FORBID_REUSE")
            require(helpdesk_curl_discard_unsent_on_close(curl.setopt, handle), "SOCKOPTFUNCTION")
        }
        var fields = request.headers
        if request.method == "GET" {
            require(helpdesk_curl_set_long(curl.setopt, handle, CURLOPT_HTTPGET, 1), "HTTPGET")
        } else {
            let body = request.body ?? Data()
            if request.method != "DELETE" || !body.isEmpty {
                require(helpdesk_curl_set_size(curl.setopt, handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), "POSTFIELDSIZE_LARGE")
                require(body.withUnsafeBytes { bytes in
                    helpdesk_curl_set_pointer(curl.setopt, handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start)))
                }, "COPYPOSTFIELDS")
                if fields.keys.allSatisfy({ $0.lowercased() != "content-type" }) { fields["Content-Type"] = "application/json" }
            }
            require(helpdesk_curl_set_string(curl.setopt, handle, CURLOPT_CUSTOMREQUEST, request.method), "CUSTOMREQUEST")
        }
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            headers = curl.slistAppend(headers, "\(name): \(value)")
        }
        headers = curl.slistAppend(headers, "Expect:")
        require(helpdesk_curl_set_pointer(curl.setopt, handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headers)), "HTTPHEADER")
        guard refused.isEmpty else {
            throw .notSent("this libcurl refused the options \(refused.joined(separator: ", ")) that every call to Okta needs")
        }

        let code = curl.easyPerform(handle)
        var status = 0
        var sent = 0
        _ = helpdesk_curl_get_long(curl.getinfo, handle, CURLINFO_RESPONSE_CODE, &status)
        _ = helpdesk_curl_get_long(curl.getinfo, handle, CURLINFO_REQUEST_SIZE, &sent)
        return CurlOutcome(code: code, status: status, requestBytesSent: sent, error: String(cString: errorBuffer))
    }
}

/// Set from any thread when a read's answer is no longer wanted; the transfer checks it as it runs.
final class TransferStop: Sendable {
    private let flag = Atomic(false)
    static let reason = "no longer needed"

    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}

/// The answer as it arrives, kept within its limits.
final class Exchange {
    let limit: Int
    let stop: TransferStop?
    var body = Data()
    var headers: [String: String] = [:]
    /// The size that passed the limit, when the body was too large.
    var tooLarge: Int?
    var headersTooLarge = false
    /// The blank line that ends the headers arrived (a lying server may close before it).
    var headersComplete = false
    private var headerBytes = 0

    init(limit: Int, stop: TransferStop? = nil) {
        self.limit = limit
        self.stop = stop
    }

    func take(body data: UnsafeMutablePointer<CChar>?, count: Int) -> Int {
        guard let data else { return 0 }
        guard body.count + count <= limit else {
            tooLarge = body.count + count
            return 0
        }
        data.withMemoryRebound(to: UInt8.self, capacity: count) { body.append($0, count: count) }
        return count
    }

    func take(header data: UnsafeMutablePointer<CChar>?, count: Int) -> Int {
        guard let data else { return 0 }
        headerBytes += count
        guard headerBytes <= CurlTransport.maxHeaderBytes else {
            headersTooLarge = true
            return 0
        }
        let line = data.withMemoryRebound(to: UInt8.self, capacity: count) {
            String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
        }.trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            // A new response (after an interim 1xx): only the last one's headers count.
            headers = [:]
            headersComplete = false
        } else if line.isEmpty {
            headersComplete = true
        } else if let colon = line.firstIndex(of: ":") {
            let name = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        return count
    }
}

private let collectBody: helpdesk_curl_data_callback = { data, size, count, context in
    guard let context else { return 0 }
    return Unmanaged<Exchange>.fromOpaque(context).takeUnretainedValue().take(body: data, count: size * count)
}

private let checkStop: helpdesk_curl_progress_callback = { context, _, _, _, _ in
    guard let context else { return 0 }
    return Unmanaged<Exchange>.fromOpaque(context).takeUnretainedValue().stop?.isSet == true ? 1 : 0
}

private let collectHeader: helpdesk_curl_data_callback = { data, size, count, context in
    guard let context else { return 0 }
    return Unmanaged<Exchange>.fromOpaque(context).takeUnretainedValue().take(header: data, count: size * count)
}
