import HelpdeskCore

/// Where the keyboard is: each place has its own bindings.
public enum KeyContext: String, Sendable, CaseIterable {
    case queue = "Queue"
    case timeline = "Timeline (Enter on a request)"
    case filter = "Typing a filter"
    case picker = "Choosing a group, app, factor or agent"
    case duration = "Choosing how long"
    case customDuration = "Typing a duration"
    case confirm = "Confirming an action"
    case prompt = "Typing a note or a reason"
    case newRequest = "New request"
    case question = "A yes/no question"
    case oneTimeLink = "A one-time link"
    case help = "This help"
    case tooSmall = "Terminal too small"

    /// What typing does here, for the footer; nil where typing does nothing.
    public var typing: String? {
        switch self {
        case .filter: "filter"
        case .picker: "search"
        case .customDuration: "e.g. 90m 36h 10d"
        case .prompt, .newRequest: "text"
        case .confirm: nil // depends on the dialog; see `KeyMap.footer`
        default: nil
        }
    }
}

extension AppState {
    /// Where the keyboard is now.
    public var keyContext: KeyContext {
        if isTooSmall { return .tooSmall }
        switch modal {
        case .picker?: return .picker
        case .duration(let duration)?: return duration.custom == nil ? .duration : .customDuration
        case .confirm?: return .confirm
        case .prompt?: return .prompt
        case .newRequest?: return .newRequest
        case .help?: return .help
        case .question?: return .question
        case .oneTimeLink?: return .oneTimeLink
        case nil: break
        }
        if isTypingFilter { return .filter }
        return focus == .detail ? .timeline : .queue
    }
}
