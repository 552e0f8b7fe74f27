import Foundation
import HelpdeskCore

/// The requester's Okta account as the detail shows it, loaded in the background.
public struct RequesterCard: Sendable, Equatable {
    public let user: DirectoryUser
    public let manager: DirectoryUser?
    public let groups: [DirectoryGroup]
    public let apps: [DirectoryAppLink]
    public let factors: [DirectoryFactor]
    public let signIns: [SignInEvent]

    public init(user: DirectoryUser, manager: DirectoryUser?, groups: [DirectoryGroup], apps: [DirectoryAppLink], factors: [DirectoryFactor], signIns: [SignInEvent]) {
        self.user = user
        self.manager = manager
        self.groups = groups
        self.apps = apps
        self.factors = factors
        self.signIns = signIns
    }

    /// Why an action cannot run for this account now, or nil.
    public func unavailability(_ action: ActionName) -> ActionAvailability.Reason? {
        if let reason = ActionAvailability.reason(action, for: user, factors: factors) { return reason }
        switch action {
        case .removeFromGroup where !groups.contains { $0.type == .okta }: return .init(short: "no groups", sentence: "no groups that can be changed here")
        case .removeApp where apps.isEmpty: return .init(short: "no apps", sentence: "no apps assigned")
        default: return nil
        }
    }

    public func whyUnavailable(_ action: ActionName) -> String? { unavailability(action)?.sentence }
}

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
