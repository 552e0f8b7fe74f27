import Foundation

/// What an approval is for: one action with its exact parameters, or one plan with its exact steps.
/// Stored as the action's JSON, or `{"name":"plan","plan":{…}}`.
public enum ApprovalSubject: Hashable, Sendable {
    case action(OktaAction)
    case plan(PlanTerms)

    /// The single action, when it is one.
    public var action: OktaAction? {
        if case .action(let action) = self { return action }
        return nil
    }

    public var plan: PlanTerms? {
        if case .plan(let terms) = self { return terms }
        return nil
    }

    /// The actions it would run, by name: the one action, or each of the plan's steps.
    public var actionNames: [ActionName] {
        switch self {
        case .action(let action): [action.name]
        case .plan(let terms): terms.steps.map(\.action.name)
        }
    }

    /// What it asks for, in a line.
    public var summary: String {
        switch self {
        case .action(let action): action.summary
        case .plan(let terms): terms.summary
        }
    }

    /// Canonical JSON (sorted keys): equal subjects give equal text.
    public var canonicalJSON: String {
        switch self {
        case .action(let action): action.canonicalJSON
        case .plan: (try? JSONEncoder.helpdesk.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        }
    }
}

extension ApprovalSubject: Codable {
    private enum CodingKeys: String, CodingKey { case name, plan }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let terms = try container.decodeIfPresent(PlanTerms.self, forKey: .plan) {
            self = .plan(terms)
        } else {
            self = .action(try OktaAction(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .action(let action): try action.encode(to: encoder)
        case .plan(let terms):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode("plan", forKey: .name)
            try container.encode(terms, forKey: .plan)
        }
    }
}
