import Foundation
import HelpdeskCore

/// Turns one request frame into a call on the client's service and the response frame. The
/// parameters are read as the method's own type, so a field the method does not take (a
/// claimed login, say) is never read at all.
struct ServiceDispatcher {
    let service: any HelpdeskService
    let connection: ServerConnection
    let limits: ServerLimits

    /// The response frame, and the error it carries when the request failed.
    struct Response {
        let frame: Data
        let error: ServiceError?
    }

    func respond(to frame: Data, id: Int64, method: ServiceMethod) async -> Response {
        switch method {
        case .hello: return Self.failure(id, ServiceError(.protocolError, "hello was already said on this connection"))
        case .session: return await run(frame, id, WireEmpty.self) { _ in try await service.session() }
        case .queue: return await run(frame, id, QueueQuery.self) { try await service.queue($0) }
        case .queueSlice: return await run(frame, id, QueueSliceRequest.self) { try await service.queueSlice($0) }
        case .detail: return await run(frame, id, RequestParams.self) { try await service.detail(of: $0.request) }
        case .requesterCard: return await run(frame, id, EmailParams.self) { try await service.requesterCard($0.email) }
        case .lookUpRequester: return await run(frame, id, EmailParams.self) { try await service.lookUpRequester($0.email) }
        case .findGroups: return await run(frame, id, TextParams.self) { try await service.findGroups($0.text) }
        case .findApps: return await run(frame, id, TextParams.self) { try await service.findApps($0.text) }
        case .exportEvents:
            return await run(frame, id, EventQuery.self, answer: ExportAnswer.payload) { [service] query in
                try await connection.exportReadAhead.page(for: query) { try await service.exportEvents($0) }
            }
        case .create: return await run(frame, id, NewRequest.self) { try await service.create($0) }
        case .note: return await run(frame, id, NoteParams.self) { try await service.note($0.request, $0.text) }
        case .assign: return await run(frame, id, AssignParams.self) { try await service.assign($0.request, to: $0.to, expectedVersion: $0.version) }
        case .resolve: return await run(frame, id, ResolveParams.self) { try await service.resolve($0.request, note: $0.note, expectedVersion: $0.expectedVersion) }
        case .reopen: return await run(frame, id, RequestParams.self) { try await service.reopen($0.request) }
        case .importLines: return await run(frame, id, ImportParams.self) { try await service.importLines($0.lines) }
        case .act: return await run(frame, id, ActionAsk.self) { try await service.act($0) }
        case .approve: return await run(frame, id, ApproveParams.self) { try await service.approve($0.approval, expecting: $0.expecting, comment: $0.comment) }
        case .deny: return await run(frame, id, DenyParams.self) { try await service.deny($0.approval, reason: $0.reason) }
        case .whoMayApprove: return await run(frame, id, WhoMayApproveParams.self) { try await service.whoMayApprove($0.action, on: $0.request) }
        case .reconcile: return await run(frame, id, OptionalRequestParams.self) { try await service.reconcile($0.request) }
        case .sweep: return await run(frame, id, WireEmpty.self) { _ in try await service.sweep() }
        case .setupChecks: return await run(frame, id, WireEmpty.self) { _ in await service.setupChecks() }
        case .subscribe: return await run(frame, id, SubscribeParams.self) { try await subscribe(after: $0.after) }
        case .playbooks: return await run(frame, id, WireEmpty.self) { _ in try await service.playbooks() }
        case .previewPlan: return await run(frame, id, PlanAsk.self) { try await service.previewPlan($0) }
        case .startPlan: return await run(frame, id, StartPlanParams.self) { try await service.startPlan($0.ask, expecting: $0.expecting) }
        case .approvePlan: return await run(frame, id, ApprovePlanParams.self) { try await service.approvePlan($0.approval, expecting: $0.expecting, comment: $0.comment) }
        case .cancelPlan: return await run(frame, id, CancelPlanParams.self) { try await service.cancelPlan($0.plan, reason: $0.reason) }
        }
    }

    /// Pushes every change to this connection until it closes.
    private func subscribe(after eventID: Int64?) async throws -> WireEmpty {
        let connection = self.connection
        let limit = limits.maxQueuedOutput
        let subscription = await service.subscribe(after: eventID) { event in
            let wire: WireEvent
            switch event {
            case .changed(let notice): wire = .changed(notice)
            case .alert(let text): wire = .alert(text)
            case .available, .unavailable: return
            }
            guard let payload = try? WireProtocol.encoder.encode(WireEventMessage(event: wire)) else { return }
            connection.send(Frame.encode(payload), limit: limit)
        }
        connection.keep(subscription)
        return WireEmpty()
    }

    private func run<P: Decodable, R: Encodable>(_ frame: Data, _ id: Int64, _ type: P.Type, _ body: (P) async throws -> R) async -> Response {
        await run(frame, id, type, answer: { id, result in try WireProtocol.encoder.encode(WireResponse(id: id, result: result, error: nil)) }, body)
    }

    /// `answer` writes the response payload for a result.
    private func run<P: Decodable, R>(_ frame: Data, _ id: Int64, _ type: P.Type, answer: (Int64, R) throws -> Data,
                                      _ body: (P) async throws -> R) async -> Response {
        let params: P
        do {
            params = try WireProtocol.decoder.decode(WireParams<P>.self, from: frame).params
        } catch let error as DecodingError {
            return Self.failure(id, Self.problem(error))
        } catch {
            return Self.failure(id, ServiceError(.protocolError, "the request could not be read"))
        }
        do {
            let result = try await body(params)
            let payload = try answer(id, result)
            guard payload.count <= WireProtocol.maxResponseFrame else {
                return Self.failure(id, ServiceError(.internal, "the answer is \(payload.count) bytes, more than the protocol carries; ask for less"))
            }
            return Response(frame: Frame.encode(payload), error: nil)
        } catch {
            // A read the client cancelled ends in whatever its work threw on the way out.
            return Self.failure(id, Task.isCancelled ? .cancelled : ServiceError(error))
        }
    }

    static func failure(_ id: Int64?, _ error: ServiceError) -> Response {
        Response(frame: Self.error(id, error), error: error)
    }

    /// A parameter the method cannot take, as a sentence that does not echo the client's bytes.
    static func problem(_ error: DecodingError) -> ServiceError {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.filter { $0 != "params" }
            return keys.isEmpty ? "the parameters" : keys.joined(separator: ".")
        }
        switch error {
        case .dataCorrupted(let context):
            return ServiceError(.refused, "\(path(context)): \(TextSafety.quoted(context.debugDescription, limit: 200))")
        case .keyNotFound(let key, let context):
            return ServiceError(.protocolError, "\(path(context)) lacks \(TextSafety.quoted(key.stringValue, limit: 40))")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return ServiceError(.protocolError, "\(path(context)) has the wrong type")
        @unknown default:
            return ServiceError(.protocolError, "the parameters could not be read")
        }
    }

    static func error(_ id: Int64?, _ error: ServiceError) -> Data {
        let payload = (try? WireProtocol.encoder.encode(WireResponse<WireEmpty>(id: id, result: nil, error: error))) ?? Data("{}".utf8)
        return Frame.encode(payload)
    }
}
