/// Who may approve an action: the requester's manager (matched by email to an operator),
/// operators with the approver role, and the policy's named approvers — never the requester,
/// never the operator who asked.
public enum ApproverRules {
    public static func eligible(
        for action: ActionName, requester: EmailAddress, manager: DirectoryUser?, askedBy: String, team: Team, policy: ApprovalPolicy
    ) -> [EligibleApprover] {
        var result: [EligibleApprover] = []
        func add(_ login: String, _ basis: EligibleApprover.Basis) {
            guard login != askedBy, !result.contains(where: { $0.login == login }) else { return }
            guard let member = team.member(login), member.email != requester else { return }
            result.append(EligibleApprover(login: login, basis: basis))
        }
        if let manager, let managerOperator = team.member(email: manager.email) ?? team.member(email: manager.login) {
            add(managerOperator.login, .manager)
        }
        for approver in team.approvers { add(approver.login, .approverRole) }
        for login in policy.rule(for: action).approvers { add(login, .policy) }
        return result
    }
}
