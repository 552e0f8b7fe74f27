import HelpdeskCore

/// A dialog over the queue; Esc closes every one of them.
public enum Modal: Sendable, Equatable {
    case picker(PickerState)
    case duration(DurationState)
    case confirm(ConfirmState)
    case prompt(PromptState)
    case newRequest(NewRequestForm)
    case help(scroll: Int)
    case question(Question)
    /// A one-time reset link, shown once and never stored.
    case oneTimeLink(String)

    /// True for the question asked before quitting with actions in flight.
    public var isQuitQuestion: Bool {
        if case .question(let question) = self { return question.purpose == .quit }
        return false
    }
}

/// Choosing a group, an app, a factor or an agent, with type-ahead.
public struct PickerState: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case group, app, factor, agent, playbook }
    /// What the choice is for: an Okta action, or assigning the request.
    public enum Purpose: Sendable, Equatable {
        case action(ActionName)
        case assign
        case playbook
    }

    public let purpose: Purpose
    public let requestID: RequestID
    public var query = TextField(limit: 100) {
        didSet { if query.text != oldValue.text { filter() } }
    }
    public var items: [PickerItem] {
        didSet {
            lowered = Self.lowered(items)
            filter()
        }
    }
    /// The items matching the typed text (for local lists): filtered when the text or the items
    /// change, not for every frame that draws them.
    public private(set) var visibleItems: [PickerItem] = []
    /// Each item's label and detail in lower case, made once for the filter.
    private var lowered: [LoweredItem] = []
    public var selected = 0
    public var loading = false
    /// Lists known in advance (the user's groups, apps, factors; the agents) are filtered here;
    /// the others are searched in Okta as the operator types.
    public let localOnly: Bool

    public var kind: Kind {
        switch purpose {
        case .assign: .agent
        case .playbook: .playbook
        case .action(.addToGroup), .action(.removeFromGroup): .group
        case .action(.resetFactor): .factor
        case .action: .app
        }
    }

    public var title: String {
        switch purpose {
        case .assign: "Assign \(requestID) — choose the agent"
        case .playbook: "Playbook for \(requestID); its exact plan comes next"
        case .action(let action): "\(action.title) — choose the \(kind == .factor ? "factor" : kind == .group ? "group" : "app")"
        }
    }

    public init(purpose: Purpose, requestID: RequestID, items: [PickerItem], localOnly: Bool) {
        self.purpose = purpose
        self.requestID = requestID
        self.items = items
        self.localOnly = localOnly
        lowered = Self.lowered(items)
        filter()
    }

    private mutating func filter() {
        guard localOnly, !query.trimmed.isEmpty else {
            visibleItems = items
            return
        }
        let typed = query.trimmed.lowercased()
        visibleItems = zip(items, lowered).filter { $1.label.contains(typed) || $1.detail.contains(typed) }.map(\.0)
    }

    private struct LoweredItem: Sendable, Equatable {
        let label: String
        let detail: String
    }

    private static func lowered(_ items: [PickerItem]) -> [LoweredItem] {
        items.map { LoweredItem(label: $0.label.lowercased(), detail: $0.detail.lowercased()) }
    }
}

/// One choice in a picker; disabled ones say why.
public struct PickerItem: Sendable, Equatable {
    public let id: String
    public let label: String
    public let detail: String
    public let disabledReason: String?
    /// What the choice carries besides its id and is not shown (a factor's type).
    public let value: String

    public init(id: String, label: String, detail: String = "", disabledReason: String? = nil, value: String = "") {
        self.id = id
        self.label = label
        self.detail = detail
        self.disabledReason = disabledReason
        self.value = value
    }
}

/// A preset, permanent, or a custom duration for temporary access. The shortest preset is
/// chosen to begin with: lasting access is asked for only by choosing it.
public struct DurationState: Sendable, Equatable {
    public let requestID: RequestID
    /// The action without its expiry yet.
    public let action: OktaAction
    public var selected = 0
    public var custom: TextField?
    public var error: String?

    /// The presets, "permanent", "custom…".
    public static let choices: [String] = AccessDuration.presets.map(\.spoken) + [permanent, "custom…"]
    static let permanent = "permanent"
    static var permanentIndex: Int { AccessDuration.presets.count }
    static var customIndex: Int { AccessDuration.presets.count + 1 }

    public init(requestID: RequestID, action: OktaAction) {
        self.requestID = requestID
        self.action = action
    }
}

/// The last step of every action: exactly what will happen, who must approve, and the reason.
public struct ConfirmState: Sendable, Equatable {
    public enum Plan: Sendable, Equatable {
        case ask(OktaAction)
        case approve(Approval)
        /// Ask for the previewed plan, exactly as shown.
        case startPlan(PlanAsk, PlanPreview)
    }

    /// Typing the reason, then (for actions that cannot be undone) the requester's login.
    public enum Stage: Sendable, Equatable {
        case reason
        case typeLogin(expected: String)
    }

    /// Who may approve, as the service works it out with the engine's own rules.
    public enum Approvers: Sendable, Equatable {
        case notNeeded
        case checking
        case known([String])
        case unknown(String)
    }

    public let requestID: RequestID
    public let plan: Plan
    /// The sentences that state what will happen.
    public let lines: [String]
    public var reason = TextField(limit: 1_000)
    public let reasonRequired: Bool
    public var approvers: Approvers
    /// The login to type before an action that cannot be undone; nil for the others.
    public let mustType: String?
    /// The Okta id of the account shown when the dialog opened: the action is for that account only.
    public let accountID: String?
    public var stage = Stage.reason
    public var typed = TextField(limit: 254)
    public var error: String?

    public init(requestID: RequestID, plan: Plan, lines: [String], reasonRequired: Bool, approvers: Approvers = .notNeeded, mustType: String? = nil,
                accountID: String? = nil) {
        self.accountID = accountID
        self.requestID = requestID
        self.plan = plan
        self.lines = lines
        self.reasonRequired = reasonRequired
        self.approvers = approvers
        self.mustType = mustType
    }

    /// What Enter does, in the footer's words.
    public var submitLabel: String {
        if stage == .reason, mustType != nil { return "next" }
        switch plan {
        case .approve: return "approve and run"
        case .ask: return approvers == .notNeeded ? "run in Okta" : "ask for approval"
        case .startPlan(_, let preview): return preview.needsApproval ? "ask for approval" : (preview.runAt == nil ? "run in Okta" : "schedule")
        }
    }
}

/// A yes/no question before something that cannot be taken back quietly.
public struct Question: Sendable, Equatable {
    public enum Purpose: Sendable, Equatable {
        /// Quit while actions are in flight.
        case quit
        /// Give a request another agent has to `to` (nil: nobody).
        case reassign(RequestID, from: String, to: String?, version: Int)
    }

    public let purpose: Purpose
    public let title: String
    public let lines: [String]

    public init(purpose: Purpose, title: String, lines: [String]) {
        self.purpose = purpose
        self.title = title
        self.lines = lines
    }
}

/// A line of text to type: a note, a resolve note, a deny reason.
public struct PromptState: Sendable, Equatable {
    public enum Purpose: Sendable, Equatable {
        case note(RequestID)
        case resolve(RequestID, version: Int)
        case deny(Approval)
        case cancelPlan(PlanID)
        /// One field of a new hire, for a playbook that creates its user.
        case newHire(NewHireEntry)
        /// When the plan is to run.
        case planTime(PlanAsk)
    }

    public let purpose: Purpose
    public let title: String
    public var field = TextField(limit: 5_000)
    public let required: Bool
    public var error: String?

    public init(purpose: Purpose, title: String, required: Bool) {
        self.purpose = purpose
        self.title = title
        self.required = required
    }
}

/// A new request: the requester's email (checked against Okta), then the subject.
public struct NewRequestForm: Sendable, Equatable {
    public enum Step: Sendable, Equatable { case email, subject }
    public enum Check: Sendable, Equatable {
        case unchecked
        case checking
        case found(String)
        case notFound
        case failed(String)
    }

    public var step = Step.email
    public var email = TextField(limit: 254)
    public var subject = TextField(limit: NewRequest.maxSubjectLength)
    public var priority = Priority.normal
    public var check = Check.unchecked
    public var error: String?

    public init() {}
}
