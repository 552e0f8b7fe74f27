/// What an operator may do: agents work requests and ask for actions, approvers approve, admins do both.
public enum Role: String, CaseIterable, Sendable, Codable, Comparable {
    case agent, approver, admin

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
