import Foundation
import HelpdeskCore

/// `helpdesk sweep`: ends due temporary access and expires unanswered approvals (run by a timer).
enum SweepCommand {
    static let spec = CommandSpec(
        name: "sweep",
        summary: "revoke temporary access that has ended and expire old approvals (for cron or the systemd timer)",
        synopsis: "[--json]",
        options: [.json, .db, .config, .socket],
        discussion: """
        Safe to run from several places at once: each revoke is claimed in the store and runs once. Revokes
        run one at a time, and a sweep starts them for 30 seconds: due grants left then wait for the next
        sweep (an Okta that does not answer takes up to a minute a revoke). Exit 1 when a revoke failed
        (it is tried again later, and marked failed with an alert after 8 tries) or its outcome is unknown.
        """
    ) { invocation in
        let report = try await invocation.service().sweep()
        if invocation.wantsJSON {
            try invocation.printJSON(SweepJSON(report))
        } else {
            invocation.out.line("Revoked \(report.revoked.count), kept \(report.kept.count), failed \(report.failed.count), gave up \(report.gaveUp.count), "
                + "unknown \(report.unknown.count), claimed by another sweep \(report.claimedElsewhere); expired approvals \(report.expiredApprovals.count).")
            for id in report.kept { invocation.out.line("  \(id): kept — a later request gave the same access again (see access-kept on its request)") }
            for id in report.failed { invocation.out.line("  \(id): the revoke failed; it is tried again later, less often each time") }
            for id in report.gaveUp { invocation.out.line("  \(id): the revoke failed too often and is marked failed; the access may still be there (see the alert on its request)") }
            for id in report.unknown { invocation.out.line("  \(id): outcome unknown; reconcile settles it from Okta's state") }
            if report.leftForLater > 0 {
                invocation.out.line("  \(report.leftForLater) more due grant\(report.leftForLater == 1 ? "" : "s") not begun: a sweep starts revokes for 30 seconds; the next sweep takes them")
            }
        }
        return report.hasProblems ? ExitCode.failure : ExitCode.success
    }
}

struct SweepJSON: Encodable {
    let revoked: [String]
    let kept: [String]
    let failed: [String]
    let gaveUp: [String]
    let unknown: [String]
    let claimedElsewhere: Int
    let leftForLater: Int
    let expiredApprovals: [String]

    init(_ report: AccessSweeper.Report) {
        revoked = report.revoked.map(\.description)
        kept = report.kept.map(\.description)
        failed = report.failed.map(\.description)
        gaveUp = report.gaveUp.map(\.description)
        unknown = report.unknown.map(\.description)
        claimedElsewhere = report.claimedElsewhere
        leftForLater = report.leftForLater
        expiredApprovals = report.expiredApprovals.map(\.description)
    }
}
