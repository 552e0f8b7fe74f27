import Foundation

/// The inverse of a plan that ran: for every step that changed something, last first, the action
/// that puts it back (re-add a group or app, unsuspend, reactivate). Access the plan took that the
/// user held by a temporary grant is given back only while that grant runs (it then ends with
/// it); ended, it is not given back. A step that changed nothing (done already, access held before)
/// is not undone; one whose effect is not this plan's for sure (found applied after an unknown
/// outcome, or unknowable) and what cannot be put back are named in the notes.
enum UndoPlan {
    /// `endedGrant` says, for a run that took access, the temporary grant it came from when that has ended.
    static func inverse(of plan: Plan, runs: [ActionRun], timeline: [TimelineEvent], endedGrant: (ActionRun) throws -> AccessGrant?) rethrows -> PlanResolver.Resolution {
        var result = PlanResolver.Resolution()
        for (index, step) in plan.steps.enumerated().reversed() {
            let attempts = runs.filter { $0.planID == plan.id && $0.planStep == index }
            switch effect(of: attempts, timeline: timeline) {
            case .none, .nothingChanged: continue
            case .notSure(let why):
                result.notes.append("\(step.action.summary): \(why); check it in Okta and put it back by hand if this plan did it")
            case .changed(let run):
                if let ended = try endedGrant(run) {
                    result.notes.append("\(step.action.summary): not given back, the temporary access (\(ended.id)) ended at \(Timestamp.readable(ended.revokeAt))")
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
        case changed(ActionRun)
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
                return succeeded?.alreadyDone == true ? .nothingChanged : .changed(run)
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

    /// The temporary grant the access `taken` removed came from, when it has ended by `now`: the
    /// last run before it, on any request, that gave the user that access decides (a temporary add
    /// that found the access held gave nothing, and the one before it decides).
    static func endedGrant(of taken: ActionRun, reader: any StoreReader, now: Date) throws -> AccessGrant? {
        guard let removed = AccessSweeper.access(taken.action), !removed.gives else { return nil }
        let gives = try reader.appliedRuns(on: taken.targetUserID, after: ActionRunID(0)).filter { run in
            run.id < taken.id && AccessSweeper.access(run.action).map { $0.target == removed.target && $0.gives } == true
        }
        for give in gives.reversed() {
            guard give.action.expiry != nil else { return nil }
            guard let grant = try reader.grants(of: give.requestID).first(where: { $0.grantRunID == give.id }) else { continue }
            switch grant.state {
            case .kept: return nil
            case .revoked, .failed: return grant
            case .scheduled, .revoking: return grant.revokeAt <= now ? grant : nil
            }
        }
        return nil
    }
}
