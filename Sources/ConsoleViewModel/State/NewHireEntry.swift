import HelpdeskCore

/// The new hire's fields being asked one prompt at a time, for a playbook that creates its user.
public struct NewHireEntry: Sendable, Equatable {
    public let requestID: RequestID
    public let playbook: String
    public let title: String
    public var fields: [String: String] = [:]
    /// Which of `fields` is asked now.
    public var index = 0

    public init(requestID: RequestID, playbook: String, title: String) {
        self.requestID = requestID
        self.playbook = playbook
        self.title = title
    }

    /// The fields in the order they are asked, as `PlanAsk.fields` names them.
    public static let fields: [(name: String, question: String, required: Bool)] = [
        ("firstName", "first name", true),
        ("lastName", "last name", true),
        ("login", "login (empty: the requester's email)", false),
        ("manager", "manager's email (optional)", false),
        ("department", "department (optional)", false),
    ]
}
