import Foundation

/// What the service does on its own, all the time: expire unanswered approvals, revoke
/// temporary access whose time has ended, settle runs whose outcome is unknown, and run plans
/// that are due (or resume those a stopped runner left). What it
/// did and what failed goes to `report` (the service's log) and, when people should see it, to
/// every console through the change feed.
public struct BackgroundWork: Sendable {
    public let backend: HelpdeskBackend
    /// The account the work runs as (the service's own user): the timeline names it.
    public let actor: String
    public let interval: TimeInterval
    public let report: @Sendable (String) -> Void

    public init(backend: HelpdeskBackend, actor: String, interval: TimeInterval = 30, report: @escaping @Sendable (String) -> Void) {
        self.backend = backend
        self.actor = actor
        self.interval = interval
        self.report = report
    }

    /// Runs until the task is cancelled. Cancelling ends the wait between rounds and stops a round
    /// before its next action (a revoke, a reconcile's read, a plan or a plan's step), never
    /// during one: an action begun is answered and recorded before `run` returns.
    public func run() async {
        let stop = AtomicFlag()
        await withTaskCancellationHandler {
            while !Task.isCancelled {
                await Task { await once(stopping: { stop.isRaised }) }.value
                try? await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000))
            }
        } onCancel: {
            stop.raise()
        }
    }

    /// One pass: sweep, reconcile, then due plans, each begun only while `stopping` says no. Each
    /// of the three begins nothing new after 30 s (a revoke, a read of Okta's state, a plan), so
    /// an Okta that does not answer holds a pass for a few minutes at most and the approvals'
    /// expiry and later rounds go on.
    public func once(stopping: @escaping @Sendable () -> Bool = { false }) async {
        guard backend.oktaProblem == nil, !stopping() else { return }
        let engine = backend.engine
        do {
            let swept = try await AccessSweeper(engine: engine, actor: actor).sweep(stopping: stopping)
            if swept.leftForLater > 0 { report(swept.leftForLater == 1 ? "1 due grant waits for the next sweep" : "\(swept.leftForLater) due grants wait for the next sweep") }
            if !swept.revoked.isEmpty { report("revoked temporary access: \(swept.revoked.map(\.description).joined(separator: ", "))") }
            for grant in swept.failed {
                await tell("the revoke of \(grant) failed; it stays due and is tried again")
            }
            for grant in swept.gaveUp {
                await tell("the revoke of \(grant) failed too often; the access may still be there — see the alert on its request")
            }
            for grant in swept.unknown {
                await tell("the revoke of \(grant) got no answer from Okta; it is reconciled from Okta's state")
            }
        } catch {
            await tell("the sweep of temporary access failed: \(error)")
        }
        guard !stopping() else { return }
        do {
            let looked = try await backend.reconciler.reconcile(nil, by: actor, dueOnly: true, until: engine.clock.now().addingTimeInterval(30), stopping: stopping)
            for result in looked {
                report("\(result.settled ? "reconciled" : "could not yet reconcile") \(result.run.id) on \(result.run.requestID): \(result.finding.rawValue) — \(result.summary)")
            }
        } catch {
            await tell("reconciling unknown outcomes failed: \(error)")
        }
        guard !stopping() else { return }
        do {
            let round = try await backend.playbooks.runner.runDue(by: actor, until: engine.clock.now().addingTimeInterval(30), stopping: stopping)
            if round.leftForLater > 0 { report(round.leftForLater == 1 ? "1 due plan waits for the next round" : "\(round.leftForLater) due plans wait for the next round") }
            for plan in round.plans {
                report("\(plan.id) on \(plan.requestID): \(plan.state.rawValue)" + (plan.note.map { " — \($0)" } ?? ""))
                if plan.state == .stopped { await tell("\(plan.title) (\(plan.id)) on \(plan.requestID) stopped: \(plan.note ?? "see its timeline")") }
            }
            for (plan, why) in round.failures {
                await tell("\(plan) could not go on this round (\(why)); it is tried again")
            }
        } catch {
            await tell("running due plans failed: \(error)")
        }
        await backend.feed.poke()
    }

    private func tell(_ text: String) async {
        report(text)
        await backend.feed.alert(text)
    }
}
