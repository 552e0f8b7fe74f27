/// Where a request is in its life.
public enum RequestStatus: String, CaseIterable, Sendable, Codable {
    case new
    case open
    case awaitingApproval = "awaiting-approval"
    case resolved
    case closed

    /// New, open and awaiting approval are the working queue; resolved and closed are history.
    public var isActive: Bool {
        switch self {
        case .new, .open, .awaitingApproval: true
        case .resolved, .closed: false
        }
    }

    public static let active: Set<RequestStatus> = [.new, .open, .awaitingApproval]
    public static let done: Set<RequestStatus> = [.resolved, .closed]

    /// A short label for tables: `new`, `open`, `awaiting`, `resolved`, `closed`.
    public var shortLabel: String { self == .awaitingApproval ? "awaiting" : rawValue }

    /// Parses a status as typed on the command line (`awaiting` is accepted for awaiting-approval).
    public static func parse(_ text: String) throws(ValidationError) -> RequestStatus {
        let lowered = text.lowercased()
        if lowered == "awaiting" || lowered == "awaiting_approval" { return .awaitingApproval }
        guard let status = RequestStatus(rawValue: lowered) else {
            throw ValidationError("unknown status \"\(TextSafety.quoted(text))\" (expected new, open, awaiting-approval, resolved or closed)")
        }
        return status
    }
}
