/// The operators the configuration names: who may use the console, with which roles.
public struct Team: Sendable, Equatable {
    public let operators: [String: Operator]

    public init(_ operators: [Operator]) {
        self.operators = Dictionary(operators.map { ($0.login, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func member(_ login: String) -> Operator? { operators[login] }

    /// The operator whose work email this is (how an Okta manager becomes an approver).
    public func member(email: String) -> Operator? {
        let lowered = email.lowercased()
        return operators.values.first { $0.email?.value == lowered }
    }

    /// Operators holding the approver role (or admin), by login.
    public var approvers: [Operator] {
        operators.values.filter(\.isApprover).sorted { $0.login < $1.login }
    }
}
