import Foundation
import HelpdeskCore

/// `hello`: the client's protocol version and build.
public struct HelloParams: Codable, Sendable {
    public let `protocol`: Int
    public let client: String

    public init(protocol: Int = WireProtocol.version, client: String = "helpdesk \(HelpdeskVersion.current)") {
        self.protocol = `protocol`
        self.client = client
    }
}

/// The answer to `hello`: the service's protocol and build, and who the kernel says the client
/// is — the session, or the refusal every request from this login will get.
public struct HelloResult: Codable, Sendable {
    public let `protocol`: Int
    public let version: String
    public let session: ServiceSession?
    public let refusal: String?
}

struct RequestParams: Codable { let request: RequestID }
struct OptionalRequestParams: Codable { let request: RequestID? }
struct EmailParams: Codable { let email: EmailAddress }
struct TextParams: Codable { let text: String }
struct NoteParams: Codable { let request: RequestID; let text: String }
struct AssignParams: Codable { let request: RequestID; let to: String?; let version: Int? }
struct ResolveParams: Codable { let request: RequestID; let note: String?; let expectedVersion: Int? }
struct ImportParams: Codable { let lines: [ImportInput] }
struct ApproveParams: Codable { let approval: ApprovalID; let expecting: OktaAction?; let comment: String? }
struct DenyParams: Codable { let approval: ApprovalID; let reason: String }
struct WhoMayApproveParams: Codable { let action: ActionName; let request: RequestID }
struct SubscribeParams: Codable { let after: Int64? }
struct StartPlanParams: Codable { let ask: PlanAsk; let expecting: [PlanStep]? }
struct ApprovePlanParams: Codable { let approval: ApprovalID; let expecting: PlanTerms?; let comment: String? }
struct CancelPlanParams: Codable { let plan: PlanID; let reason: String }
