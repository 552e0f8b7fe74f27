import Foundation

/// A named sequence of Okta actions defined in the configuration ("offboarding", "sales
/// starter"): who may start it, whether it needs an approval, and its steps with names of groups
/// and apps rather than ids. Starting one resolves it against the requester's account into a `Plan`.
public struct Playbook: Sendable, Equatable, Codable {
    /// When the plan needs an approval. A playbook cannot waive what the policy asks of its steps.
    public enum ApprovalRule: String, Sendable, Equatable, Codable, CaseIterable {
        /// When any step's action needs one under the policy (the default).
        case whenNeeded = "when-needed"
        /// Always, even when every step could run without one.
        case required
    }

    /// The kebab-case name used on the command line: `offboarding`.
    public let name: String
    public let title: String
    /// Operators holding any of these roles may start it (admins always may).
    public let roles: Set<Role>
    public let approval: ApprovalRule
    /// For access bundles: every group and app it gives is revoked when this ends.
    public let expiry: AccessDuration?
    public let steps: [PlaybookStep]

    public init(name: String, title: String, roles: Set<Role> = [.agent], approval: ApprovalRule = .whenNeeded, expiry: AccessDuration? = nil,
                steps: [PlaybookStep]) {
        self.name = name
        self.title = title
        self.roles = roles
        self.approval = approval
        self.expiry = expiry
        self.steps = steps
    }

    /// Whether it creates its user, and so needs the new hire's fields.
    public var createsUser: Bool { steps.contains { $0.kind == .createUser } }

    /// Whether `member` may start it.
    public func mayBeStarted(by member: Operator) -> Bool {
        member.canAct && (member.has(.admin) || !roles.isDisjoint(with: member.roles))
    }
}

/// One step of a playbook as configured.
public struct PlaybookStep: Sendable, Equatable, Codable {
    public enum Kind: Sendable, Equatable, Codable {
        /// An action with no group or app (suspend, revoke sessions, deactivate…).
        case action(OktaAction)
        case addToGroup(name: String)
        case removeFromGroup(name: String)
        case assignApp(label: String)
        case removeApp(label: String)
        /// Every `OKTA_GROUP` membership (the ones helpdesk may change); built-in and app groups stay.
        case removeEveryGroup
        /// Every app assigned to the user directly; apps assigned through a group stay.
        case removeEveryDirectApp
        /// A new hire: the user created STAGED with the requester's email and the fields the agent gives.
        case createUser
    }

    public let kind: Kind
    /// A failure of this step is noted and the plan goes on, instead of stopping.
    public let skipOnFailure: Bool

    public init(_ kind: Kind, skipOnFailure: Bool = false) {
        self.kind = kind
        self.skipOnFailure = skipOnFailure
    }

    /// As the playbook list shows it: "remove from every group helpdesk may change".
    public var summary: String {
        switch kind {
        case .action(let action): action.summary
        case .addToGroup(let name): "Add to group \(name)"
        case .removeFromGroup(let name): "Remove from group \(name)"
        case .assignApp(let label): "Assign app \(label)"
        case .removeApp(let label): "Remove app \(label)"
        case .removeEveryGroup: "Remove from every group helpdesk may change"
        case .removeEveryDirectApp: "Remove every app assigned directly"
        case .createUser: "Create the user (staged) from the request and the fields given"
        }
    }
}
