import Foundation

/// `helpdesk doctor`: checks a setup before agents meet its errors, one line per check.
enum DoctorCommand {
    static let spec = CommandSpec(
        name: "doctor",
        summary: "check the configuration, the operator, the store, Okta and the clock, with a fix for each problem",
        synopsis: "[--json]",
        options: [.json, .db, .config],
        discussion: """
        Each line is ✓ (passed), ✗ (failed, with the fix on the next line) or - (not checked because an
        earlier check failed). Okta is asked for one user, one group and one app; nothing is changed there.
        The token is never printed. Exit 0 when every check passed, 1 otherwise.
        """
    ) { invocation in
        let checks = await run(invocation)
        let passed = checks.allSatisfy { $0.status == .passed }
        if invocation.wantsJSON {
            try invocation.printJSON(DoctorJSON(ok: passed, checks: checks))
        } else {
            for check in checks { invocation.out.line(check.text) }
            let failed = checks.filter { $0.status == .failed }.count
            invocation.out.line(passed ? "All \(checks.count) checks passed." : "\(failed) of \(checks.count) checks failed.")
        }
        return passed ? ExitCode.success : ExitCode.failure
    }

    static func run(_ invocation: Invocation) async -> [DoctorCheck] {
        let (configurationCheck, configuration) = LocalChecks.configuration(invocation)
        var checks = [configurationCheck, LocalChecks.operatorCheck(invocation, configuration: configuration)]
        checks += LocalChecks.store(invocation, configuration: configuration)
        checks += await OktaChecks.run(invocation, configuration: configuration)
        return checks
    }
}

/// What `doctor --json` prints.
struct DoctorJSON: Encodable {
    let ok: Bool
    let checks: [DoctorCheck]
}
