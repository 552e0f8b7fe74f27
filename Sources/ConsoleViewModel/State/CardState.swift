import HelpdeskCore

/// Where the card of the selected request's requester is.
public enum CardState: Sendable, Equatable {
    case none
    case loading(EmailAddress)
    case loaded(EmailAddress, RequesterCard)
    case failed(EmailAddress, String)

    public var card: RequesterCard? {
        if case .loaded(_, let card) = self { return card }
        return nil
    }

    public var email: EmailAddress? {
        switch self {
        case .none: nil
        case .loading(let email), .loaded(let email, _), .failed(let email, _): email
        }
    }
}
