import Foundation
import HelpdeskCore
import OktaClient
import Synchronization

/// An Okta org over real HTTP on 127.0.0.1, backed by a `SimulatedTenant`: the same users, groups,
/// apps and rules, answered in Okta's JSON with Okta's headers. It counts every request, and can be
/// told to misbehave as a network does: drop a call's answer after doing it, answer 5xx, stall, or
/// send a body larger than any client should read.
public final class OktaStandIn: Sendable {
    public let tenant: SimulatedTenant
    public let token: String
    private let server: LoopbackHTTPServer
    private let state = Mutex(State())

    struct State {
        var faults: [Fault] = []
        var log: [String] = []
        var connections: [Int] = []
        var answered: [(request: String, time: UInt64)] = []
        var rateLimit: (perWindow: Int, window: Int)?
        var oauth: OAuthGate?
        /// Per bucket, per window (its number since the epoch): requests let through and refused.
        var rate: [String: RateCount] = [:]
    }

    /// What one bucket let through and refused in each window (numbered since the epoch).
    public struct RateCount: Sendable {
        public var accepted: [Int: Int] = [:]
        public var refused: [Int: Int] = [:]
    }

    /// Limits requests as Okta does, per family of paths (`users`, `groups`, `apps`, `logs`):
    /// at most `perWindow` in each fixed window of `window` seconds, with the `X-Rate-Limit-*`
    /// headers on every answer and 429 `E0000047` past the limit.
    public func limitRate(perWindow: Int, window: Int) {
        state.withLock { $0.rateLimit = (perWindow, window) }
    }

    /// From now on, calls are authorized as an OAuth service app's (`gate`), no longer by the API token.
    public func requireOAuth(_ gate: OAuthGate) {
        state.withLock { $0.oauth = gate }
    }

    /// The counts per bucket since the limit was set (or last cleared).
    public var rateCounts: [String: RateCount] { state.withLock { $0.rate } }

    public func clearRateCounts() { state.withLock { $0.rate = [:] } }

    /// How one matching request goes wrong.
    public enum Misbehaviour: Sendable {
        /// Do what was asked, then close the connection without answering.
        case dropAfterDoing
        /// Close the connection without doing anything.
        case dropBeforeDoing
        /// Answer with this status and an Okta error body, doing nothing.
        case status(Int)
        /// Wait this long, then do it and answer (the client has likely given up by then).
        case stall(TimeInterval)
        /// Answer 200 with a body of this many bytes.
        case hugeBody(Int)
    }

    /// A misbehaviour for the next `times` requests whose method matches and whose path ends with `pathSuffix`.
    public struct Fault: Sendable {
        public let method: String
        public let pathSuffix: String
        public let misbehaviour: Misbehaviour
        public var times: Int

        public init(_ method: String, _ pathSuffix: String, _ misbehaviour: Misbehaviour, times: Int = 1) {
            self.method = method
            self.pathSuffix = pathSuffix
            self.misbehaviour = misbehaviour
            self.times = times
        }
    }

    public init(tenant: SimulatedTenant = SimulatedTenant(), token: String = "00standIn-token-0123456789abcdef") throws {
        self.tenant = tenant
        self.token = token
        let box = Mutex<OktaStandIn?>(nil)
        server = try LoopbackHTTPServer { request in
            guard let standIn = box.withLock({ $0 }) else { return .json(503, "{}") }
            return standIn.handle(request)
        }
        box.withLock { $0 = self }
    }

    deinit { server.stop() }

    /// `http://127.0.0.1:PORT`, the org URL to configure.
    public var orgURL: String { server.baseURL }

    public func stop() { server.stop() }

    public func inject(_ fault: Fault) { state.withLock { $0.faults.append(fault) } }

    /// Every request received, as `METHOD /path`, in order.
    public var requests: [String] { state.withLock { $0.log } }

    /// Every request received with the number of the connection it came on.
    public var requestsByConnection: [(request: String, connection: Int)] { state.withLock { Array(zip($0.log, $0.connections)) } }

    /// How each finished connection ended on the client's side: "closed" or "reset".
    public var connectionEndings: [Int: String] { server.endings }

    /// Every request answered, with the monotonic time (`DispatchTime` nanoseconds) its answer was handed to the connection.
    public var answered: [(request: String, time: UInt64)] { state.withLock { $0.answered } }

    /// How many requests came for this method and path suffix.
    public func count(_ method: String, _ pathSuffix: String) -> Int {
        requests.filter { $0.hasPrefix(method + " ") && $0.hasSuffix(pathSuffix) }.count
    }

    // MARK: Handling

    private func handle(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
        let line = "\(request.method) \(request.path)"
        let fault = state.withLock { state -> Misbehaviour? in
            state.log.append(line)
            state.connections.append(request.connection)
            guard let index = state.faults.firstIndex(where: { $0.method == request.method && request.path.hasSuffix($0.pathSuffix) }) else { return nil }
            state.faults[index].times -= 1
            defer { if state.faults[index].times <= 0 { state.faults.remove(at: index) } }
            return state.faults[index].misbehaviour
        }
        if let gate = state.withLock({ $0.oauth }) {
            if request.path == "/oauth2/v1/token", request.method == "POST" {
                if case .status(let status)? = fault { return Self.error(status, status == 429 ? "E0000047" : "E0000009", "refused by the test") }
                return gate.token(request, url: orgURL + "/oauth2/v1/token")
            }
            let parts = request.path.split(separator: "/")
            let family = parts.count > 2 ? String(parts[2]) : "other"
            if let refusal = gate.refusal(of: request, url: orgURL + request.path, scope: "okta.\(family).\(request.method == "GET" ? "read" : "manage")") { return refusal }
        } else if request.header("Authorization") != "SSWS \(token)" {
            return Self.error(401, "E0000011", "Invalid token provided")
        }
        let rateHeaders: [String: String]?
        switch admit(request) {
        case .refused(let headers): return Self.error(429, "E0000047", "API call exceeded rate limit due to too many requests.", headers: headers)
        case .admitted(let headers): rateHeaders = headers
        case .unlimited: rateHeaders = nil
        }
        var answer = answer(request, fault: fault)
        if let rateHeaders { answer.headers.merge(rateHeaders) { $1 } }
        return answer
    }

    private enum Admission {
        case unlimited
        case admitted([String: String])
        case refused([String: String])
    }

    /// Counts the request in its bucket's window; refused past the limit.
    private func admit(_ request: LoopbackHTTPServer.Request) -> Admission {
        let now = Date()
        return state.withLock { state in
            guard let limit = state.rateLimit else { return .unlimited }
            let parts = request.path.split(separator: "/")
            let bucket = parts.count > 2 ? String(parts[2]) : request.path
            let window = Int(now.timeIntervalSince1970) / limit.window
            let used = state.rate[bucket]?.accepted[window] ?? 0
            var headers = ["X-Rate-Limit-Limit": String(limit.perWindow), "X-Rate-Limit-Reset": String((window + 1) * limit.window), "Date": HTTPDate.format(now)]
            if used >= limit.perWindow {
                state.rate[bucket, default: RateCount()].refused[window, default: 0] += 1
                headers["X-Rate-Limit-Remaining"] = "0"
                return .refused(headers)
            }
            state.rate[bucket, default: RateCount()].accepted[window, default: 0] += 1
            headers["X-Rate-Limit-Remaining"] = String(limit.perWindow - used - 1)
            return .admitted(headers)
        }
    }

    private func answer(_ request: LoopbackHTTPServer.Request, fault: Misbehaviour?) -> LoopbackHTTPServer.Response {
        switch fault {
        case .dropBeforeDoing?: return .hangUp
        case .status(let status)?: return Self.error(status, "E0000009", "Internal Server Error")
        case .hugeBody(let size)?: return .json(200, "[" + String(repeating: " ", count: max(0, size - 2)) + "]", headers: headers())
        case .stall(let seconds)?: Thread.sleep(forTimeInterval: seconds)
        default: break
        }
        let response = wait { await self.route(request) }
        if case .dropAfterDoing? = fault { return .hangUp }
        let time = DispatchTime.now().uptimeNanoseconds
        state.withLock { $0.answered.append(("\(request.method) \(request.path)", time)) }
        return response
    }

    /// Runs async work from the server's own thread (never a cooperative one).
    private func wait(_ work: @escaping @Sendable () async -> LoopbackHTTPServer.Response) -> LoopbackHTTPServer.Response {
        let result = Mutex<LoopbackHTTPServer.Response?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let response = await work()
            result.withLock { $0 = response }
            done.signal()
        }
        done.wait()
        return result.withLock { $0 }!
    }

    private func route(_ request: LoopbackHTTPServer.Request) async -> LoopbackHTTPServer.Response {
        let path = Path(request)
        let query = Self.query(request.query)
        let limit = Int(query["limit"] ?? "") ?? 200
        let email = query["sendEmail"] != "false"
        do {
            if path.is("GET", "users") {
                if let search = query["search"] { return ok(try await searchUsers(search)) }
                return ok(try await tenant.searchUsers(query["q"] ?? "", limit: limit).map(Self.user))
            }
            if let id = path.match("GET", "users", "*")?.first {
                guard let user = await tenant.user(idOrLogin: id) else { throw Self.notFound("user", id) }
                return ok(Self.user(user))
            }
            if let id = path.match("GET", "users", "*", "groups")?.first { return ok(try await tenant.groups(ofUser: id).map(Self.group)) }
            if let id = path.match("GET", "users", "*", "appLinks")?.first { return ok(try await tenant.apps(ofUser: id).map(Self.appLink)) }
            if let id = path.match("GET", "users", "*", "factors")?.first { return ok(try await tenant.factors(ofUser: id).map(Self.factor)) }
            if path.is("GET", "groups") { return ok(try await tenant.findGroups(query["q"] ?? "", limit: limit).map(Self.group)) }
            if let id = path.match("GET", "groups", "*")?.first { return ok(Self.group(try await tenant.group(id: id))) }
            if path.is("GET", "apps") { return ok(try await tenant.findApps(query["q"] ?? "", limit: limit).map(Self.app)) }
            if let id = path.match("GET", "apps", "*")?.first { return ok(Self.app(try await tenant.app(id: id))) }
            if let ids = path.match("GET", "apps", "*", "users", "*") {
                guard let scope = try await tenant.assignmentScope(userID: ids[1], appID: ids[0]) else { throw Self.notFound("AppUser", ids[1]) }
                return ok(["id": ids[1], "scope": scope, "status": "ACTIVE"])
            }
            if path.is("GET", "logs") { return ok([[String: Any]]()) }
            if path.is("POST", "users") {
                let body = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any]
                let fields = body?["profile"] as? [String: String] ?? [:]
                guard query["activate"] == "false", let first = fields["firstName"], let last = fields["lastName"], let login = fields["login"],
                      let email = try? EmailAddress(fields["email"] ?? "") else { throw DirectoryError(kind: .invalid, httpStatus: 400, summary: "Api validation failed: profile") }
                let done = try await tenant.createUser(NewUserProfile(firstName: first, lastName: last, email: email, login: login, managerID: fields["managerId"],
                                                                      department: fields["department"]))
                guard let user = await tenant.user(idOrLogin: login) else { throw Self.notFound("user", login) }
                return ok(Self.user(user), requestID: done.requestID)
            }
            if let ids = path.match("POST", "users", "*", "lifecycle", "*") {
                let id = ids[0]
                switch ids[1] {
                case "reset_factors": return receipt(try await tenant.resetFactors(userID: id))
                case "suspend": return receipt(try await tenant.suspend(userID: id))
                case "unsuspend": return receipt(try await tenant.unsuspend(userID: id))
                case "unlock": return receipt(try await tenant.unlock(userID: id))
                case "activate": return receipt(try await tenant.activate(userID: id, sendEmail: email))
                case "reactivate": return receipt(try await tenant.reactivate(userID: id))
                case "deactivate": return receipt(try await tenant.deactivate(userID: id))
                case "expire_password": return receipt(try await tenant.expirePassword(userID: id))
                case "reset_password":
                    let done = try await tenant.resetPassword(userID: id, sendEmail: email)
                    return ok(email ? [:] : ["resetPasswordUrl": done.oneTimeLink ?? ""], requestID: done.requestID)
                default: throw Self.notFound("operation", ids[1])
                }
            }
            if let ids = path.match("DELETE", "users", "*", "factors", "*") { return receipt(try await tenant.resetFactor(userID: ids[0], factorID: ids[1]), empty: true) }
            if let id = path.match("DELETE", "users", "*", "sessions")?.first {
                return receipt(try await tenant.revokeSessions(userID: id, oauthTokens: query["oauthTokens"] == "true"), empty: true)
            }
            if let ids = path.match("PUT", "groups", "*", "users", "*") { return receipt(try await tenant.addToGroup(userID: ids[1], groupID: ids[0]), empty: true) }
            if let ids = path.match("DELETE", "groups", "*", "users", "*") { return receipt(try await tenant.removeFromGroup(userID: ids[1], groupID: ids[0]), empty: true) }
            if let id = path.match("POST", "apps", "*", "users")?.first {
                let body = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any]
                let user = body?["id"] as? String ?? ""
                let done = try await tenant.assignApp(userID: user, appID: id)
                return ok(["id": user, "scope": "USER", "status": "ACTIVE"], requestID: done.requestID)
            }
            if let ids = path.match("DELETE", "apps", "*", "users", "*") { return receipt(try await tenant.removeApp(userID: ids[1], appID: ids[0]), empty: true) }
            throw Self.notFound("resource", request.path)
        } catch let error as DirectoryError {
            let status = error.httpStatus ?? (error.kind == .notAllowed ? 403 : 400)
            return Self.error(status, error.errorCode ?? "E0000001", error.summary ?? error.message)
        } catch {
            return Self.error(500, "E0000009", "Internal Server Error")
        }
    }

    /// A request's method and the path segments after `/api/v1`, matched against patterns with `*`.
    private struct Path {
        let method: String
        let segments: [String]

        init(_ request: LoopbackHTTPServer.Request) {
            method = request.method
            segments = Array(request.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }.dropFirst(2))
        }

        func `is`(_ method: String, _ pattern: String...) -> Bool { match(method, pattern) != nil }

        /// The segments that stood for `*`, or nil when the request is not of this shape.
        func match(_ method: String, _ pattern: String...) -> [String]? { match(method, pattern) }

        private func match(_ method: String, _ pattern: [String]) -> [String]? {
            guard method == self.method, pattern.count == segments.count else { return nil }
            var captured: [String] = []
            for (expected, actual) in zip(pattern, segments) {
                if expected == "*" { captured.append(actual) } else if expected != actual { return nil }
            }
            return captured
        }
    }

    /// `profile.email eq "x"`, or several joined by `or`, as Okta's search reads them (case-insensitive).
    private func searchUsers(_ expression: String) async throws -> [[String: Any]] {
        let pattern = #"^profile\.email eq "([^"]*)"$"#
        var found: [String: [String: Any]] = [:]
        for term in expression.components(separatedBy: " or ") {
            guard let match = term.range(of: pattern, options: .regularExpression) else {
                throw DirectoryError(kind: .invalid, httpStatus: 400, errorCode: "E0000031", summary: "Invalid search criteria.")
            }
            let value = String(term[match]).dropFirst("profile.email eq \"".count).dropLast()
            guard let email = try? EmailAddress(String(value)) else { continue }
            for user in await tenant.users(withEmail: email) { found[user.id] = Self.user(user) }
        }
        return found.keys.sorted().compactMap { found[$0] }
    }

    // MARK: Okta's JSON

    private func headers(requestID: String? = nil) -> [String: String] {
        ["X-Okta-Request-Id": requestID ?? "standin-\(UUID().uuidString.prefix(8))", "X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": "599",
         "X-Rate-Limit-Reset": String(Int(Date().timeIntervalSince1970) + 60), "Date": HTTPDate.format(Date())]
    }

    private func ok(_ object: Any, requestID: String? = nil) -> LoopbackHTTPServer.Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return LoopbackHTTPServer.Response(status: 200, headers: headers(requestID: requestID).merging(["Content-Type": "application/json"]) { $1 }, body: data)
    }

    private func receipt(_ receipt: DirectoryReceipt, empty: Bool = false) -> LoopbackHTTPServer.Response {
        empty ? LoopbackHTTPServer.Response(status: 204, headers: headers(requestID: receipt.requestID)) : ok([String: Any](), requestID: receipt.requestID)
    }

    private static func error(_ status: Int, _ code: String, _ summary: String, headers: [String: String] = [:]) -> LoopbackHTTPServer.Response {
        let body: [String: Any] = ["errorCode": code, "errorSummary": summary, "errorLink": code, "errorId": "oae\(UUID().uuidString.prefix(6))", "errorCauses": []]
        let data = (try? JSONSerialization.data(withJSONObject: body)) ?? Data()
        return LoopbackHTTPServer.Response(status: status, headers: ["Content-Type": "application/json", "X-Okta-Request-Id": "standin-err"].merging(headers) { $1 }, body: data)
    }

    private static func notFound(_ what: String, _ which: String) -> DirectoryError {
        DirectoryError(kind: .notFound, httpStatus: 404, errorCode: "E0000007", summary: "Not found: Resource not found: \(which) (\(what))")
    }

    private static func query(_ text: String?) -> [String: String] {
        var result: [String: String] = [:]
        for pair in (text ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            if parts.count == 2 { result[parts[0]] = parts[1] }
        }
        return result
    }

    static func user(_ user: DirectoryUser) -> [String: Any] {
        var profile: [String: Any] = ["login": user.login, "email": user.email, "firstName": user.firstName, "lastName": user.lastName]
        profile["title"] = user.title
        profile["department"] = user.department
        profile["managerId"] = user.managerID
        var links: [String: Any] = ["self": ["href": "x"]]
        for operation in user.allowedOperations ?? [] { links[operation] = ["href": "x", "method": "POST"] }
        var object: [String: Any] = ["id": user.id, "status": user.status.rawValue, "profile": profile,
                                     "credentials": ["provider": ["type": user.credentialProvider, "name": user.credentialProvider]], "_links": links]
        object["lastLogin"] = user.lastLogin.map(Timestamp.iso8601)
        object["passwordChanged"] = user.passwordChanged.map(Timestamp.iso8601)
        object["transitioningToStatus"] = user.transitioningToStatus?.rawValue
        return object
    }

    static func group(_ group: DirectoryGroup) -> [String: Any] {
        ["id": group.id, "type": group.type == .other ? "OTHER" : group.type.rawValue, "profile": ["name": group.name, "description": group.description]]
    }

    static func app(_ app: DirectoryApp) -> [String: Any] {
        ["id": app.id, "name": app.name, "label": app.label, "status": app.status, "signOnMode": app.signOnMode]
    }

    static func appLink(_ link: DirectoryAppLink) -> [String: Any] {
        ["appInstanceId": link.appID, "appName": link.appName, "label": link.label, "linkUrl": "x", "hidden": false]
    }

    static func factor(_ factor: DirectoryFactor) -> [String: Any] {
        var object: [String: Any] = ["id": factor.id, "factorType": factor.type, "provider": factor.provider, "status": factor.status]
        if let detail = factor.detail { object["profile"] = ["name": detail] }
        return object
    }
}
