import HelpdeskCore

/// What a key does in the queue and detail: the one table that drives the keys, the footer and
/// the help screen.
public enum Command: Hashable, Sendable {
    case moveUp, moveDown, pageUp, pageDown, top, bottom
    case nextTab, previousTab, showTab(Tab)
    case focusDetail, filter, newRequest, note, take, resolve, refresh, help, quit
    case act(ActionName)
    case approve, deny
    case switchPersona
}

/// A key binding with the help it shows.
public struct Binding: Sendable {
    public enum Group: String, Sendable, CaseIterable {
        case navigation = "Moving around"
        case request = "Requests"
        case okta = "Okta actions (side panel)"
        case approvals = "Approvals"
        case general = "General"
    }

    public let keys: [Key]
    public let command: Command
    public let help: String
    /// The footer's label; nil keeps it out of the footer.
    public let footer: String?
    public let group: Group
    /// Only in the demo.
    public let demoOnly: Bool

    init(_ keys: [Key], _ command: Command, _ help: String, footer: String? = nil, _ group: Group, demoOnly: Bool = false) {
        self.keys = keys
        self.command = command
        self.help = help
        self.footer = footer
        self.group = group
        self.demoOnly = demoOnly
    }
}

public enum KeyMap {
    /// The Okta actions of the side panel, in panel order, with their default keys.
    public static let panelActions: [(key: Character, action: ActionName)] = [
        ("m", .resetMFA), ("s", .revokeSessions), ("g", .addToGroup), ("G", .removeFromGroup), ("p", .assignApp), ("P", .removeApp),
        ("u", .suspend), ("U", .unsuspend), ("l", .unlock), ("w", .resetPassword), ("x", .expirePassword),
    ]

    public static let bindings: [Binding] = [
        Binding([.up, .char("k")], .moveUp, "previous request (or scroll the timeline up)", footer: "move", .navigation),
        Binding([.down, .char("j")], .moveDown, "next request (or scroll the timeline down)", .navigation),
        Binding([.pageUp], .pageUp, "a page up", .navigation),
        Binding([.pageDown], .pageDown, "a page down", .navigation),
        Binding([.home], .top, "first request", .navigation),
        Binding([.end], .bottom, "last request", .navigation),
        Binding([.tab], .nextTab, "next tab", footer: "tabs", .navigation),
        Binding([.backTab], .previousTab, "previous tab", .navigation),
        Binding([.char("1")], .showTab(.queue), "Queue tab", .navigation),
        Binding([.char("2")], .showTab(.mine), "Mine tab", .navigation),
        Binding([.char("3")], .showTab(.approvals), "Awaiting my approval tab", .navigation),
        Binding([.char("4")], .showTab(.resolved), "Resolved tab", .navigation),
        Binding([.enter], .focusDetail, "focus the detail to scroll the timeline (Enter or Esc to return)", footer: "detail", .navigation),
        Binding([.char("/")], .filter, "filter as you type (full text; Esc clears)", footer: "find", .request),
        Binding([.char("n")], .newRequest, "new request (the requester's email is checked against Okta)", footer: "new", .request),
        Binding([.char("c")], .note, "add a note", footer: "note", .request),
        Binding([.char("t")], .take, "take: assign to me", footer: "take", .request),
        Binding([.char("r")], .resolve, "resolve, with a note", footer: "resolve", .request),
        Binding([.char("R")], .refresh, "refresh the queue and the requester's card", .request),
    ] + panelActions.map { key, action in
        Binding([.char(key)], .act(action), action.title + (action == .addToGroup || action == .assignApp || action == .removeFromGroup || action == .removeApp ? "…" : ""), .okta)
    } + [
        Binding([.char("a")], .approve, "approve the selected request's pending action (it runs at once)", footer: "approve", .approvals),
        Binding([.char("d")], .deny, "deny it, with a reason", footer: "deny", .approvals),
        Binding([.function(2)], .switchPersona, "switch persona (agent / manager)", footer: "persona", .general, demoOnly: true),
        Binding([.char("?")], .help, "this help", footer: "help", .general),
        Binding([.char("q"), .ctrl("c")], .quit, "quit (asks first while an action is in flight)", footer: "quit", .general),
    ]

    private static let byKey: [Key: Command] = {
        var table: [Key: Command] = [:]
        for binding in bindings {
            for key in binding.keys where table[key] == nil { table[key] = binding.command }
        }
        return table
    }()

    public static func command(for key: Key) -> Command? { byKey[key] }

    /// The footer's entries for where the operator is: `[("↑", "move"), …]`.
    public static func footer(for state: AppState) -> [(key: String, label: String)] {
        if let modal = state.modal { return modalFooter(modal) }
        if state.isTypingFilter { return [("type", "filter"), ("Enter", "keep"), ("Esc", "clear")] }
        var entries: [(key: String, label: String)] = []
        for binding in bindings {
            guard let label = binding.footer else { continue }
            if binding.demoOnly && !state.isDemo { continue }
            if binding.group == .approvals && state.tab != .approvals { continue }
            if state.focus == .detail, binding.command == .focusDetail {
                entries.append(("Esc", "queue"))
                continue
            }
            entries.append((binding.command == .moveUp ? "↑↓" : binding.keys.first!.description, label))
            if binding.command == .resolve { entries.append(("m…x", "Okta")) }
        }
        return entries
    }

    static func modalFooter(_ modal: Modal) -> [(key: String, label: String)] {
        switch modal {
        case .picker: [("type", "search"), ("↑↓", "choose"), ("Enter", "select"), ("Esc", "cancel")]
        case .duration(let duration) where duration.custom != nil: [("type", "e.g. 90m 36h 10d"), ("Enter", "set"), ("Esc", "back")]
        case .duration: [("↑↓", "choose"), ("Enter", "select"), ("Esc", "cancel")]
        case .confirm: [("type", "reason"), ("Enter", "run"), ("Esc", "cancel")]
        case .prompt: [("type", "text"), ("Enter", "save"), ("Esc", "cancel")]
        case .newRequest: [("type", "text"), ("Tab", "priority"), ("Enter", "next"), ("Esc", "cancel")]
        case .help: [("↑↓", "scroll"), ("Esc", "close")]
        case .quitConfirm: [("y", "quit"), ("n", "stay")]
        case .oneTimeLink: [("Esc", "close (the link is not shown again)")]
        }
    }
}
