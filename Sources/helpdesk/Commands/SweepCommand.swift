import Foundation
import HelpdeskCore

/// `helpdesk sweep`: ends due temporary access and expires unanswered approvals (run by a timer).
enum SweepCommand {
    static let spec = CommandSpec(
        name: "sweep",
        summary: "revoke temporary access that has ended and expire old approvals (for cron or the systemd timer)",
        synopsis: "[--json]",
        options: [.json, .db, .config, .socket],
        discussion: "Safe to run from several places at once: each revoke is claimed in the store and runs once. Exit 1 when a revoke failed (it stays due)."
    ) { invocation in
        let report = try await invocation.service().sweep()
        if invocation.wantsJSON {
            try invocation.printJSON(SweepJSON(report))
        } else {
            invocation.out.line("Revoked \(report.revoked.count), failed \(report.failed.count), unknown \(report.unknown.count), "
                + "claimed by another sweep \(report.claimedElsewhere); expired approvals \(report.expiredApprovals.count).")
            for id in report.failed { invocation.out.line("  \(id): the revoke failed; it stays due and the next sweep tries again") }
            for id in report.unknown { invocation.out.line("  \(id): outcome unknown; run helpdesk reconcile") }
        }
        return report.failed.isEmpty && report.unknown.isEmpty ? ExitCode.success : ExitCode.failure
    }
}

struct SweepJSON: Encodable {
    let revoked: [String]
    let failed: [String]
    let unknown: [String]
    let claimedElsewhere: Int
    let expiredApprovals: [String]

    init(_ report: AccessSweeper.Report) {
        revoked = report.revoked.map(\.description)
        failed = report.failed.map(\.description)
        unknown = report.unknown.map(\.description)
        claimedElsewhere = report.claimedElsewhere
        expiredApprovals = report.expiredApprovals.map(\.description)
    }
}
