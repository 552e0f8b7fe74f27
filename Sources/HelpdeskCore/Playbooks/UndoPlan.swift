import Foundation

/// The inverse of a plan that ran: for every step that changed something, last first, the action
/// that puts it back (re-add a group or app, unsuspend, reactivate); access that was temporary and
/// has ended since is not given back, and access still due ends with its grant. A step that changed nothing (done already, access held
/// before) is not undone; one whose effect is not this plan's for sure (found applied after an
/// unknown outcome, or unknowable) and what cannot be put back are named in the notes.
enum UndoPlan {
    static func inverse(of plan: Plan, runs: [ActionRun], timeline: [TimelineEvent], grants: [AccessGrant], now: Date) -> PlanResolver.Resolution {
        var result = PlanResolver.Resolution()
        for (index, step) in plan.steps.enumerated().reversed() {
            let attempts = runs.filter { $0.planID == plan.id && $0.planStep == index }
            switch effect(of: attempts, timeline: timeline) {
            case .none, .nothingChanged: continue
            case .notSure(let why):
                result.notes.append("\(step.action.summary): \(why); check it in Okta and put it back by hand if this plan did it")
            case .changed:
                if let ended = endedGrant(of: step.action, grants, userID: attempts.first?.targetUserID, now: now) {
                    result.notes.append("\(step.action.summary): not given back, the temporary access (\(ended.id)) ended at \(Timestamp.iso8601(ended.revokeAt))")
                } else if let inverse = inverse(of: step.action) {
                    if !result.steps.contains(where: { $0.action == inverse }) { result.steps.append(PlanStep(inverse)) }
                } else {
                    result.notes.append("\(step.action.summary): cannot be undone")
                }
            }
        }
        return result
    }

    private enum Effect {
        case none
        case nothingChanged
        case changed
        case notSure(String)
    }

    /// What a step's runs did: the one that took effect, and whether it changed anything.
    private static func effect(of runs: [ActionRun], timeline: [TimelineEvent]) -> Effect {
        for run in runs {
            switch run.state {
            case .succeeded:
                let succeeded = timeline.lazy.compactMap { event -> EventPayload.ActionSucceeded? in
                    if case .actionSucceeded(let done) = event.payload, done.runID == run.id { return done }
                    return nil
                }.first
                return succeeded?.alreadyDone == true ? .nothingChanged : .changed
            case .reconciled:
                switch PlanRunner.finding(of: run, timeline: timeline) {
                case .applied?: return .notSure("Okta's state showed it done after its outcome was unknown (\(run.id))")
                case .unknown?, nil: return .notSure("whether it took effect is unknown (\(run.id))")
                case .notApplied?: continue
                }
            case .started, .unknown:
                return .notSure("its outcome is still unknown (\(run.id))")
            case .failed:
                continue
            }
        }
        return .none
    }

    static func inverse(of action: OktaAction) -> OktaAction? {
        switch action {
        case .addToGroup(let group, _): .removeFromGroup(group)
        case .removeFromGroup(let group): .addToGroup(group, expiry: nil)
        case .assignApp(let app, _): .removeApp(app)
        case .removeApp(let app): .assignApp(app, expiry: nil)
        case .suspend: .unsuspend
        case .unsuspend: .suspend
        case .deactivate: .activate(sendEmail: true)
        case .activate, .createUser: .deactivate
        case .resetMFA, .resetFactor, .revokeSessions, .unlock, .resendActivation, .resetPassword, .expirePassword: nil
        }
    }

    /// The temporary grant of this access to this user that has ended since: giving the access
    /// back would outlive it. (A grant still due ends the given-back access itself: the sweep does
    /// not count an undo's add as keeping a grant.)
    static func endedGrant(of action: OktaAction, _ grants: [AccessGrant], userID: String?, now: Date) -> AccessGrant? {
        guard let taken = AccessSweeper.access(action), !taken.gives else { return nil }
        return grants.last { grant in
            grant.targetUserID == userID && AccessSweeper.access(grant.action)?.target == taken.target && grant.state != .scheduled && grant.state != .revoking
                && grant.state != .kept && grant.revokeAt <= now
        }
    }
}
