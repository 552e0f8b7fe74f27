/// Which actions need an approval, and who besides managers and approvers may give it.
public struct ApprovalPolicy: Sendable, Equatable, Codable {
    /// The rule for one action.
    public struct Rule: Sendable, Equatable, Codable {
        public var approvalRequired: Bool
        /// Logins named for this action, in addition to the requester's manager and approvers.
        public var approvers: [String]

        public init(approvalRequired: Bool, approvers: [String] = []) {
            self.approvalRequired = approvalRequired
            self.approvers = approvers
        }
    }

    private var rules: [ActionName: Rule]

    public init(overrides: [ActionName: Rule] = [:]) {
        rules = Self.defaultRules.merging(overrides) { _, override in override }
    }

    public func rule(for action: ActionName) -> Rule {
        rules[action] ?? Rule(approvalRequired: true)
    }

    public func needsApproval(_ action: ActionName) -> Bool { rule(for: action).approvalRequired }

    /// Granting access or weakening a login needs an approval; containment and removing access do not.
    public static let defaultRules: [ActionName: Rule] = {
        let required: Set<ActionName> = [.addToGroup, .assignApp, .resetMFA, .resetFactor, .resetPassword, .unsuspend, .activate, .resendActivation, .deactivate, .createUser]
        return Dictionary(uniqueKeysWithValues: ActionName.allCases.map { ($0, Rule(approvalRequired: required.contains($0))) })
    }()

    public static let `default` = ApprovalPolicy()
}
