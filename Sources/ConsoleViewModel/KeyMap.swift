import HelpdeskCore

/// What a key does. The one table (`KeyMap.bindings`) maps keys to commands for every place the
/// operator can be, and the footer and the help are generated from it, so they cannot disagree.
public enum Command: Hashable, Sendable {
    // The queue.
    case moveUp, moveDown, pageUp, pageDown, top, bottom
    case nextTab, previousTab, showTab(Tab)
    case focusDetail, filter, newRequest, note, take, assign, resolve, reopen, refresh, help, quit
    case act(ActionName)
    case approve, deny
    case playbooks, cancelPlan, undoPlan
    case switchPersona
    // The focused timeline.
    case scrollUp, scrollDown, scrollPageUp, scrollPageDown, scrollOldest, scrollNewest, backToQueue
    // Dialogs and the filter line.
    case previous, next, select, submit, cancel, cyclePriority, close, yes, no, keepFilter, clearFilter
}

/// A key binding with the help it shows.
public struct Binding: Sendable {
    /// Sections of the queue's help.
    public enum Group: String, Sendable, CaseIterable {
        case navigation = "Moving around"
        case request = "Requests"
        case okta = "Okta actions (side panel)"
        case approvals = "Approvals (on the approvals tab)"
        case general = "General"
    }

    /// Who sees (and may use) a binding.
    public enum Audience: Sendable {
        case everyone
        /// Operators with the agent role.
        case agents
        /// The demo only.
        case demo
    }

    public let context: KeyContext
    public let keys: [Key]
    public let command: Command
    public let help: String
    /// The footer's label; nil keeps it out of the footer.
    public let footer: String?
    public let group: Group
    public let audience: Audience

    init(_ context: KeyContext, _ keys: [Key], _ command: Command, _ help: String, footer: String? = nil, _ group: Group = .general,
         audience: Audience = .everyone) {
        self.context = context
        self.keys = keys
        self.command = command
        self.help = help
        self.footer = footer
        self.group = group
        self.audience = audience
    }

    /// True when `user` sees this binding (in the demo or not).
    public func isShown(to user: Operator, isDemo: Bool) -> Bool {
        switch audience {
        case .everyone: true
        case .agents: user.canAct
        case .demo: isDemo
        }
    }
}

/// Every key binding of the console, in one table, with the side panel's actions and their keys.
public enum KeyMap {
    /// The Okta actions of the side panel, in panel order, with their keys. `v` activates a
    /// STAGED account and resends the activation of a PROVISIONED one.
    public static let panelActions: [(key: Character, action: ActionName)] = [
        ("m", .resetMFA), ("f", .resetFactor), ("s", .revokeSessions), ("g", .addToGroup), ("G", .removeFromGroup), ("p", .assignApp),
        ("P", .removeApp), ("u", .suspend), ("U", .unsuspend), ("l", .unlock), ("w", .resetPassword), ("x", .expirePassword),
        ("v", .activate), ("D", .deactivate),
    ]

    /// The panel's words for an action: pickers and typed confirmations end in "…".
    public static func panelTitle(_ action: ActionName) -> String {
        switch action {
        case .addToGroup, .removeFromGroup, .assignApp, .removeApp, .resetFactor, .deactivate: action.title + "…"
        default: action.title
        }
    }

    /// The help's words for a panel key.
    static func panelHelp(_ action: ActionName) -> String {
        switch action {
        case .activate: "activate a staged account, or resend a pending activation"
        case .deactivate: "deactivate (you type the login to confirm)"
        default: panelTitle(action)
        }
    }

    public static let bindings: [Binding] = queue + timeline + dialogs

    static let queue: [Binding] = [
        Binding(.queue, [.up, .char("k")], .moveUp, "previous request", footer: "move", .navigation),
        Binding(.queue, [.down, .char("j")], .moveDown, "next request", .navigation),
        Binding(.queue, [.pageUp], .pageUp, "a page up", .navigation),
        Binding(.queue, [.pageDown], .pageDown, "a page down", .navigation),
        Binding(.queue, [.home], .top, "first request", .navigation),
        Binding(.queue, [.end], .bottom, "last request", .navigation),
        Binding(.queue, [.tab], .nextTab, "next tab", footer: "tabs", .navigation),
        Binding(.queue, [.backTab], .previousTab, "previous tab", .navigation),
        Binding(.queue, [.char("1")], .showTab(.queue), "Queue tab", .navigation),
        Binding(.queue, [.char("2")], .showTab(.mine), "Mine tab", .navigation),
        Binding(.queue, [.char("3")], .showTab(.approvals), "Awaiting my approval tab", .navigation),
        Binding(.queue, [.char("4")], .showTab(.resolved), "Resolved tab", .navigation),
        Binding(.queue, [.enter], .focusDetail, "read the timeline: whole notes, scrolling", footer: "timeline", .navigation),
        Binding(.queue, [.char("/")], .filter, "filter as you type (full text; Esc clears)", footer: "find", .request),
        Binding(.queue, [.char("n")], .newRequest, "new request (the requester's email is checked against Okta)", footer: "new", .request, audience: .agents),
        Binding(.queue, [.char("c")], .note, "add a note", footer: "note", .request, audience: .agents),
        Binding(.queue, [.char("t")], .take, "take: assign to me (asks first if another agent has it)", footer: "take", .request, audience: .agents),
        Binding(.queue, [.char("A")], .assign, "assign to another agent…", .request, audience: .agents),
        Binding(.queue, [.char("r")], .resolve, "resolve, with a note", footer: "resolve", .request, audience: .agents),
        Binding(.queue, [.char("o")], .reopen, "reopen a resolved or closed request", .request, audience: .agents),
        Binding(.queue, [.char("R")], .refresh, "refresh the queue and the requester's Okta account", .request),
    ] + panelActions.map { key, action in
        Binding(.queue, [.char(key)], .act(action), panelHelp(action), .okta, audience: .agents)
    } + [
        Binding(.queue, [.char("b")], .playbooks, "start a playbook: choose one, see its exact plan, then ask for it", .okta, audience: .agents),
        Binding(.queue, [.char("X")], .cancelPlan, "cancel the request's plan that has not started", .okta, audience: .agents),
        Binding(.queue, [.char("Z")], .undoPlan, "undo the request's last finished or stopped plan (previewed, approved like any plan)", .okta, audience: .agents),
        Binding(.queue, [.char("a")], .approve, "approve the selected request's pending action (it runs at once, in your name)", footer: "approve", .approvals),
        Binding(.queue, [.char("d")], .deny, "deny it, with a reason (your own ask: withdraw it)", footer: "deny", .approvals),
        Binding(.queue, [.function(2)], .switchPersona, "switch to the demo's next persona (each has other roles)", footer: "persona", .general, audience: .demo),
        Binding(.queue, [.char("?")], .help, "this help", footer: "help", .general),
        Binding(.queue, [.char("q"), .ctrl("c")], .quit, "quit (asks first while an action is in flight)", footer: "quit", .general),
    ]

    static let timeline: [Binding] = [
        Binding(.timeline, [.up, .char("k")], .scrollUp, "scroll to older entries", footer: "scroll"),
        Binding(.timeline, [.down, .char("j")], .scrollDown, "scroll to newer entries"),
        Binding(.timeline, [.pageUp], .scrollPageUp, "a page older"),
        Binding(.timeline, [.pageDown], .scrollPageDown, "a page newer"),
        Binding(.timeline, [.home], .scrollOldest, "the first entry"),
        Binding(.timeline, [.end], .scrollNewest, "the newest entry"),
        Binding(.timeline, [.escape, .enter], .backToQueue, "back to the queue (the queue's other keys work here too)", footer: "queue"),
    ]

    static let dialogs: [Binding] = [
        Binding(.filter, [.enter], .keepFilter, "keep the filter and go back to the queue", footer: "keep"),
        Binding(.filter, [.escape], .clearFilter, "clear the filter", footer: "clear"),
        Binding(.filter, [.up], .moveUp, "previous request"),
        Binding(.filter, [.down], .moveDown, "next request"),

        Binding(.picker, [.up], .previous, "previous choice", footer: "choose"),
        Binding(.picker, [.down], .next, "next choice"),
        Binding(.picker, [.home], .top, "first choice"),
        Binding(.picker, [.end], .bottom, "last choice"),
        Binding(.picker, [.enter], .select, "choose it", footer: "select"),
        Binding(.picker, [.escape], .cancel, "cancel", footer: "cancel"),

        Binding(.duration, [.up], .previous, "previous choice", footer: "choose"),
        Binding(.duration, [.down], .next, "next choice"),
        Binding(.duration, [.home], .top, "first choice"),
        Binding(.duration, [.end], .bottom, "last choice"),
        Binding(.duration, [.enter], .select, "choose it", footer: "select"),
        Binding(.duration, [.escape], .cancel, "cancel", footer: "cancel"),

        Binding(.customDuration, [.enter], .submit, "set the duration", footer: "set"),
        Binding(.customDuration, [.escape], .cancel, "back to the choices", footer: "back"),

        Binding(.confirm, [.enter], .submit, "send it (asks for approval when the action needs one)", footer: "send"),
        Binding(.confirm, [.escape], .cancel, "cancel: nothing is sent", footer: "cancel"),

        Binding(.prompt, [.enter], .submit, "save", footer: "save"),
        Binding(.prompt, [.escape], .cancel, "cancel", footer: "cancel"),

        Binding(.newRequest, [.tab], .cyclePriority, "change the priority", footer: "priority"),
        Binding(.newRequest, [.enter], .submit, "check the email, then save", footer: "next"),
        Binding(.newRequest, [.escape], .cancel, "cancel", footer: "cancel"),

        Binding(.question, [.char("y"), .char("Y")], .yes, "yes", footer: "yes"),
        Binding(.question, [.char("n"), .char("N"), .escape], .no, "no", footer: "no"),

        Binding(.oneTimeLink, [.escape, .enter], .close, "close: the link is not shown again", footer: "close (the link is not shown again)"),

        Binding(.help, [.up, .char("k")], .previous, "scroll up", footer: "scroll"),
        Binding(.help, [.down, .char("j")], .next, "scroll down"),
        Binding(.help, [.pageUp], .pageUp, "a page up"),
        Binding(.help, [.pageDown, .char(" ")], .pageDown, "a page down"),
        Binding(.help, [.home], .top, "the top"),
        Binding(.help, [.end], .bottom, "the end"),
        Binding(.help, [.escape, .char("?"), .char("q"), .enter], .close, "close the help", footer: "close"),

        Binding(.tooSmall, [.char("q"), .ctrl("c")], .quit, "quit", footer: "quit"),
    ]

    /// The bindings of a context that `user` sees.
    public static func bindings(in context: KeyContext, for user: Operator, isDemo: Bool) -> [Binding] {
        bindings.filter { $0.context == context && $0.isShown(to: user, isDemo: isDemo) }
    }

    /// The command of a key where the keyboard is, for this operator; nil when the key means
    /// nothing there (in a text field it is then typed).
    public static func command(for key: Key, in context: KeyContext, user: Operator, isDemo: Bool) -> Command? {
        bindings.first { $0.context == context && $0.keys.contains(key) && $0.isShown(to: user, isDemo: isDemo) }?.command
    }

    /// The footer's entries for where the operator is: `[("↑↓", "move"), …]`.
    public static func footer(for state: AppState) -> [(key: String, label: String)] {
        let context = state.keyContext
        var entries: [(key: String, label: String)] = []
        if let typing = typingHint(state) { entries.append(("type", typing)) }
        for binding in bindings(in: context, for: state.user, isDemo: state.isDemo) {
            guard var label = binding.footer else { continue }
            if binding.group == .approvals && state.tab != .approvals { continue }
            if case .confirm(let confirm)? = state.modal {
                if binding.command == .submit { label = confirm.submitLabel }
                if binding.command == .cancel, confirm.stage != .reason { label = "back to the reason" }
            }
            entries.append((keyLabel(binding), label))
            if binding.command == .resolve, state.user.canAct { entries.append(("m…D", "Okta")) }
        }
        if context == .timeline { entries += [("?", "help"), ("q", "quit")] }
        return entries
    }

    /// "↑↓" for a pair of moves, otherwise the first key.
    static func keyLabel(_ binding: Binding) -> String {
        switch binding.command {
        case .moveUp, .scrollUp, .previous: binding.keys.first == .up ? "↑↓" : binding.keys.first!.description
        default: binding.keys.first!.description
        }
    }

    private static func typingHint(_ state: AppState) -> String? {
        if case .confirm(let confirm)? = state.modal {
            if confirm.stage != .reason { return "the login" }
            return confirm.reasonRequired ? "reason" : "comment (optional)"
        }
        return state.keyContext.typing
    }

    /// The help's sections: the queue's groups, then every other place with its keys.
    public static func helpSections(for user: Operator, isDemo: Bool) -> [(title: String, lines: [(keys: String, help: String)])] {
        var sections: [(title: String, lines: [(keys: String, help: String)])] = []
        let queue = bindings(in: .queue, for: user, isDemo: isDemo)
        for group in Binding.Group.allCases {
            let lines = queue.filter { $0.group == group }.map { (keys: $0.keys.map(\.description).joined(separator: " "), help: $0.help) }
            if !lines.isEmpty { sections.append((group.rawValue, lines)) }
        }
        for context in KeyContext.allCases where context != .queue && context != .tooSmall {
            let lines = bindings(in: context, for: user, isDemo: isDemo).map { (keys: $0.keys.map(\.description).joined(separator: " "), help: $0.help) }
            if !lines.isEmpty { sections.append((context.rawValue, lines)) }
        }
        return sections
    }
}
