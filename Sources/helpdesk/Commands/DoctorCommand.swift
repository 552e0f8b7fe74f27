import Foundation
import HelpdeskCore
import HelpdeskSocket

/// `helpdesk doctor`: checks a setup before agents meet its errors, one line per check.
enum DoctorCommand {
    static let spec = CommandSpec(
        name: "doctor",
        summary: "check the service (or personal configuration), the operator, the store, Okta and the clock, with a fix for each problem",
        synopsis: "[--json]",
        options: [.json, .db, .config, .socket],
        discussion: """
        Each line is ✓ (passed), ✗ (failed, with the fix on the next line) or - (not checked because an
        earlier check failed). On a jump host the service answers for its own side: its configuration,
        store, Okta org, token and clock, as it sees them. Okta is asked for one user, one group and one
        app; nothing is changed there. The token is never printed. Exit 0 when no check failed, 1 otherwise.
        """
    ) { invocation in
        let checks = try await run(invocation)
        let failed = checks.filter { $0.status == .failed }.count
        if invocation.wantsJSON {
            try invocation.printJSON(DoctorJSON(ok: failed == 0, checks: checks))
        } else {
            for check in checks { invocation.out.line(check.text) }
            let skipped = checks.filter { $0.status == .skipped }.count
            invocation.out.line(failed == 0
                ? "All \(checks.count - skipped) checks passed" + (skipped == 0 ? "." : " (\(skipped) not needed).")
                : "\(failed) of \(checks.count) checks failed.")
        }
        return failed == 0 ? ExitCode.success : ExitCode.failure
    }

    static func run(_ invocation: Invocation) async throws -> [ServiceCheck] {
        switch try ServiceConnector.route(invocation) {
        case .personal: return await DoctorChecks.personal(invocation)
        case .socket(let path): return await client(RemoteHelpdeskService(path: path, callTimeout: 60))
        }
    }

    /// The client's side (the socket, the versions, who the service takes us for), then the service's.
    static func client(_ service: RemoteHelpdeskService) async -> [ServiceCheck] {
        let hello: HelloResult
        do {
            hello = try await service.hello()
        } catch {
            return [.failed("service", ServiceError(error).message, fix: "start the service (systemctl start helpdesk) and check its log (journalctl -u helpdesk); the socket is \(service.path)"),
                    .skipped("service checks", because: "the service could not be reached")]
        }
        var checks = versions(hello, service.path)
        guard let session = hello.session else {
            return checks + [.failed("operator", hello.refusal ?? "refused", fix: "ask an admin to add this login under \"operators\" in the service's configuration, then restart the service"),
                             .skipped("service checks", because: "the service refuses this login")]
        }
        checks.append(.passed("operator", LocalChecks.describe(session.operator) + ", as the service identifies this login"))
        return checks + (await service.setupChecks())
    }

    private static func versions(_ hello: HelloResult, _ path: String) -> [ServiceCheck] {
        let reached = ServiceCheck.passed("service", "helpdesk \(hello.version) answers at \(path) (protocol \(hello.protocol))")
        guard hello.version == HelpdeskVersion.current else {
            return [reached, .failed("versions", "the service runs helpdesk \(hello.version) and this client is \(HelpdeskVersion.current)",
                                     fix: "install one build for both, then restart the service (systemctl restart helpdesk)")]
        }
        return [reached, .passed("versions", "client and service are both helpdesk \(HelpdeskVersion.current)")]
    }
}

/// What `doctor --json` prints.
struct DoctorJSON: Encodable {
    let ok: Bool
    let checks: [ServiceCheck]
}
