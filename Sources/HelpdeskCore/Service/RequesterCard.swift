import Foundation

/// The requester's Okta account as the detail shows it, loaded in the background.
public struct RequesterCard: Sendable, Equatable, Codable {
    public let user: DirectoryUser
    public let manager: DirectoryUser?
    public let groups: [DirectoryGroup]
    public let apps: [DirectoryAppLink]
    public let factors: [DirectoryFactor]
    public let signIns: [SignInEvent]
    /// Why the manager named in the profile could not be read (Okta failed), so the card says so.
    public let managerProblem: String?

    public init(user: DirectoryUser, manager: DirectoryUser?, groups: [DirectoryGroup], apps: [DirectoryAppLink], factors: [DirectoryFactor], signIns: [SignInEvent],
                managerProblem: String? = nil) {
        self.user = user
        self.manager = manager
        self.groups = groups
        self.apps = apps
        self.factors = factors
        self.signIns = signIns
        self.managerProblem = managerProblem
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
