import Foundation

/// The inverse of a plan that ran: for every step that took effect, last first, the action that
/// puts it back (re-add a group or app, unsuspend, reactivate). What cannot be put back (a reset
/// password, revoked sessions) is named in the notes.
enum UndoPlan {
    static func inverse(of plan: Plan, runs: [ActionRun], timeline: [TimelineEvent]) -> PlanResolver.Resolution {
        var result = PlanResolver.Resolution()
        for (index, step) in plan.steps.enumerated().reversed() {
            let attempts = runs.filter { $0.planID == plan.id && $0.planStep == index }
            guard attempts.contains(where: { PlanRunner.tookEffect($0, timeline: timeline) }) else { continue }
            if let inverse = inverse(of: step.action) {
                result.steps.append(PlanStep(inverse))
            } else {
                result.notes.append("\(step.action.summary): cannot be undone")
            }
        }
        return result
    }

    static func inverse(of action: OktaAction) -> OktaAction? {
        switch action {
        case .addToGroup(let group, _): .removeFromGroup(group)
        case .removeFromGroup(let group): .addToGroup(group, expiry: nil)
        case .assignApp(let app, _): .removeApp(app)
        case .removeApp(let app): .assignApp(app, expiry: nil)
        case .suspend: .unsuspend
        case .unsuspend: .suspend
        case .deactivate: .activate(sendEmail: false)
        case .activate, .createUser: .deactivate
        case .resetMFA, .resetFactor, .revokeSessions, .unlock, .resendActivation, .resetPassword, .expirePassword: nil
        }
    }
}
