import Foundation
import HelpdeskCore
import Synchronization

/// `HelpdeskService` over the service's Unix socket. It connects on first use, says hello, and
/// after a lost connection connects again on the next call; a subscriber hears "unavailable",
/// then "available" once the service answers again (tried every `retryInterval`).
public final class RemoteHelpdeskService: HelpdeskService {
    public let path: String
    private let callTimeout: TimeInterval
    private let retryInterval: TimeInterval
    private let state = Mutex(State())

    struct State {
        var connection: SocketConnection?
        /// A connection being opened; every caller meanwhile waits for this one.
        var opening: Task<SocketConnection, any Error>?
        var hello: HelloResult?
        var subscriber: (@Sendable (ServiceEvent) -> Void)?
        var lastEventID: Int64?
        var reconnecting: Task<Void, Never>?
    }

    public init(path: String, callTimeout: TimeInterval = 120, retryInterval: TimeInterval = 1) {
        self.path = path
        self.callTimeout = callTimeout
        self.retryInterval = retryInterval
    }

    deinit {
        state.withLock { state in
            state.reconnecting?.cancel()
            state.connection?.close(because: "the client is done")
        }
    }

    /// What the service said to hello: its protocol, build and who it takes this client to be (or why it refuses it).
    public func hello() async throws -> HelloResult {
        _ = try await connection()
        guard let hello = state.withLock({ $0.hello }) else { throw ServiceError(.unavailable, "the helpdesk service did not say hello") }
        return hello
    }

    public func session() async throws -> ServiceSession {
        let hello = try await hello()
        guard let session = hello.session else { throw ServiceError(.notAnOperator, hello.refusal ?? "the helpdesk service refused this login") }
        return session
    }

    public func queue(_ query: QueueQuery) async throws -> QueuePage { try await call(.queue, query) }
    public func queueSlice(_ request: QueueSliceRequest) async throws -> QueueSlice { try await call(.queueSlice, request) }
    public func detail(of id: RequestID) async throws -> RequestDetail { try await call(.detail, RequestParams(request: id)) }
    public func requesterCard(_ email: EmailAddress) async throws -> RequesterCard { try await call(.requesterCard, EmailParams(email: email)) }
    public func lookUpRequester(_ email: EmailAddress) async throws -> DirectoryUser? { try await call(.lookUpRequester, EmailParams(email: email)) }
    public func findGroups(_ prefix: String) async throws -> [DirectoryGroup] { try await call(.findGroups, TextParams(text: prefix)) }
    public func findApps(_ prefix: String) async throws -> [DirectoryApp] { try await call(.findApps, TextParams(text: prefix)) }
    public func exportEvents(_ query: EventQuery) async throws -> ExportPage { try await call(.exportEvents, query) }
    public func create(_ new: NewRequest) async throws -> Request { try await call(.create, new) }
    public func note(_ id: RequestID, _ text: String) async throws -> TimelineEvent { try await call(.note, NoteParams(request: id, text: text)) }
    public func assign(_ id: RequestID, to login: String?, expectedVersion: Int?) async throws -> Request {
        try await call(.assign, AssignParams(request: id, to: login, version: expectedVersion))
    }

    public func resolve(_ id: RequestID, note: String?, expectedVersion: Int?) async throws -> Request {
        try await call(.resolve, ResolveParams(request: id, note: note, expectedVersion: expectedVersion))
    }

    public func reopen(_ id: RequestID) async throws -> Request { try await call(.reopen, RequestParams(request: id)) }
    public func importLines(_ lines: [ImportInput]) async throws -> ImportReport { try await call(.importLines, ImportParams(lines: lines)) }
    public func act(_ ask: ActionAsk) async throws -> AskOutcome { try await call(.act, ask) }

    public func approve(_ id: ApprovalID, expecting: OktaAction?, comment: String?) async throws -> ActionOutcome {
        try await call(.approve, ApproveParams(approval: id, expecting: expecting, comment: comment))
    }

    public func deny(_ id: ApprovalID, reason: String) async throws -> Approval { try await call(.deny, DenyParams(approval: id, reason: reason)) }
    public func whoMayApprove(_ action: ActionName, on id: RequestID) async throws -> [String] {
        try await call(.whoMayApprove, WhoMayApproveParams(action: action, request: id))
    }
    public func reconcile(_ id: RequestID?) async throws -> [Reconciler.Result] { try await call(.reconcile, OptionalRequestParams(request: id)) }
    public func sweep() async throws -> AccessSweeper.Report { try await call(.sweep, WireEmpty()) }
    public func playbooks() async throws -> [Playbook] { try await call(.playbooks, WireEmpty()) }
    public func previewPlan(_ ask: PlanAsk) async throws -> PlanPreview { try await call(.previewPlan, ask) }
    public func startPlan(_ ask: PlanAsk, expecting: [PlanStep]?) async throws -> Plan {
        try await call(.startPlan, StartPlanParams(ask: ask, expecting: expecting))
    }
    public func approvePlan(_ id: ApprovalID, expecting: PlanTerms?, comment: String?) async throws -> Plan {
        try await call(.approvePlan, ApprovePlanParams(approval: id, expecting: expecting, comment: comment))
    }
    public func cancelPlan(_ id: PlanID, reason: String) async throws -> Plan { try await call(.cancelPlan, CancelPlanParams(plan: id, reason: reason)) }

    public func setupChecks() async -> [ServiceCheck] {
        do {
            return try await call(.setupChecks, WireEmpty())
        } catch {
            return [.failed("service checks", ServiceError(error).message, fix: "run helpdesk doctor again once the service answers")]
        }
    }

    public func subscribe(after eventID: Int64?, _ handler: @escaping @Sendable (ServiceEvent) -> Void) async -> ServiceSubscription {
        state.withLock { state in
            state.subscriber = handler
            state.lastEventID = eventID
        }
        do {
            try await resubscribe()
        } catch {
            handler(.unavailable(ServiceError(error).message))
            startReconnecting()
        }
        return ServiceSubscription { [weak self] in
            self?.state.withLock { state in
                state.subscriber = nil
                state.reconnecting?.cancel()
                state.reconnecting = nil
            }
        }
    }

    // MARK: The connection

    /// Sends a request and reads its result as `R`; the service's error is thrown as it came.
    private func call<R: Decodable>(_ method: ServiceMethod, _ params: some Encodable) async throws -> R {
        let connection = try await connection()
        if let hello = state.withLock({ $0.hello }), hello.session == nil {
            throw ServiceError(.notAnOperator, hello.refusal ?? "the helpdesk service refused this login")
        }
        let frame = try await connection.call(method, params, timeout: callTimeout)
        let response: WireResponse<R>
        do {
            response = try WireProtocol.decoder.decode(WireResponse<R>.self, from: frame)
        } catch {
            throw ServiceError(.protocolError, "the helpdesk service's answer to \(method.rawValue) could not be read; run the same helpdesk build on both sides")
        }
        if let error = response.error { throw error.underlying }
        guard let result = response.result else {
            throw ServiceError(.protocolError, "the helpdesk service answered \(method.rawValue) with nothing")
        }
        return result
    }

    /// The open connection, or a new one after hello; callers that arrive while one is being
    /// opened share it, so a client holds one connection at a time.
    private func connection() async throws -> SocketConnection {
        let opening = state.withLock { state -> Task<SocketConnection, any Error>? in
            if let open = state.connection, !open.isClosed { return nil }
            if let opening = state.opening { return opening }
            let task = Task { try await self.open() }
            state.opening = task
            return task
        }
        guard let opening else {
            if let open = state.withLock({ $0.connection }) { return open }
            return try await connection()
        }
        defer { state.withLock { state in if state.opening == opening { state.opening = nil } } }
        return try await opening.value
    }

    /// Connects and says hello.
    private func open() async throws -> SocketConnection {
        let connection = try SocketConnection.open(path, onEvent: { [weak self] event in
            self?.received(event)
        }, onClose: { [weak self] closed, reason in
            self?.lost(closed, reason)
        })
        let frame: Data
        do {
            frame = try await connection.call(.hello, HelloParams(), timeout: 10)
        } catch {
            // A service that never says hello keeps no thread or socket of this client's.
            connection.close(because: "the helpdesk service did not say hello")
            throw error
        }
        let response: WireResponse<HelloResult>
        do {
            response = try WireProtocol.decoder.decode(WireResponse<HelloResult>.self, from: frame)
        } catch {
            connection.close(because: "the service's hello could not be read")
            throw ServiceError(.protocolError, "the program at \(path) does not speak the helpdesk protocol")
        }
        if let error = response.error {
            connection.close(because: error.message)
            throw error
        }
        guard let hello = response.result else {
            connection.close(because: "the service's hello was empty")
            throw ServiceError(.protocolError, "the helpdesk service said hello with nothing")
        }
        state.withLock { state in
            state.connection = connection
            state.hello = hello
        }
        // A refused login is told so in the answer to hello; the service then closes the connection.
        return connection
    }

    private func received(_ event: WireEvent) {
        let subscriber = state.withLock { state -> (@Sendable (ServiceEvent) -> Void)? in
            if case .changed(let notice) = event { state.lastEventID = max(state.lastEventID ?? 0, notice.lastEventID) }
            return state.subscriber
        }
        switch event {
        case .changed(let notice): subscriber?(.changed(notice))
        case .alert(let text): subscriber?(.alert(text))
        }
    }

    /// A connection closed; only the current one's loss is news to the subscriber.
    private func lost(_ closed: SocketConnection, _ reason: String) {
        let subscriber = state.withLock { state -> (@Sendable (ServiceEvent) -> Void)? in
            guard state.connection === closed else { return nil }
            state.connection = nil
            return state.subscriber
        }
        guard let subscriber else { return }
        subscriber(.unavailable(reason))
        startReconnecting()
    }

    private func startReconnecting() {
        state.withLock { state in
            guard state.reconnecting == nil, state.subscriber != nil else { return }
            let interval = UInt64(retryInterval * 1_000_000_000)
            state.reconnecting = Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: interval)
                    guard let self, !Task.isCancelled else { return }
                    if (try? await self.resubscribe()) != nil {
                        let subscriber = self.state.withLock { state -> (@Sendable (ServiceEvent) -> Void)? in
                            state.reconnecting = nil
                            return state.subscriber
                        }
                        subscriber?(.available)
                        return
                    }
                }
            }
        }
    }

    private func resubscribe() async throws {
        let after = state.withLock { $0.lastEventID }
        let _: WireEmpty = try await call(.subscribe, SubscribeParams(after: after))
    }
}
