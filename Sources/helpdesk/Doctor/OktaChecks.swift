import Foundation
import HelpdeskCore
import OktaClient

/// The checks that talk to Okta: the settings, the org over HTTPS, the token and what it may read,
/// and this machine's clock against Okta's.
enum OktaChecks {
    /// More skew than this makes the timeline's times and temporary access untrustworthy.
    static let allowedSkew: TimeInterval = 30

    /// For personal use: the settings from the environment and the configuration.
    static func run(_ invocation: Invocation, configuration: HelpdeskConfiguration?) async -> [ServiceCheck] {
        let variables = invocation.environment.variables
        let source = invocation.environment.variable("OKTA_CLIENT_TOKEN") != nil ? "OKTA_CLIENT_TOKEN" : (configuration?.tokenFile ?? "?")
        return await run(settings: Result { () throws(DirectoryError) in
            try OktaSettings.fromEnvironment(variables, orgURL: configuration?.orgURL, tokenFile: configuration?.tokenFile, oauth: configuration?.oauth)
        }, tokenSource: source, clock: invocation.environment.clock)
    }

    /// The checks with settings already read (or the reason they could not be).
    static func run(settings result: Result<OktaSettings, DirectoryError>, tokenSource: String, clock: any Clock, client running: OktaHTTPClient? = nil) async -> [ServiceCheck] {
        let settings: OktaSettings
        switch result {
        case .success(let read): settings = read
        case .failure(let error):
            return [.failed("okta settings", error.message, fix: "correct what the line above names: okta.orgUrl and okta.tokenFile in the configuration, the token file mode 600 (owned by the user helpdesk runs as)"),
                    .skipped("okta org", because: "the Okta settings are incomplete")]
        }
        if running == nil {
            do {
                try CurlTransport.openLibrary()
            } catch {
                return [.passed("okta settings", "org \(settings.org)"),
                        .failed("okta library", error.message, fix: "install libcurl (apt-get install libcurl4); if it is installed, the line above names the copy that was found wanting (LD_LIBRARY_PATH?)"),
                        .skipped("okta org", because: "libcurl could not be loaded")]
            }
        }
        let client = running ?? OktaHTTPClient(settings: settings, clock: clock)
        guard case .oauth(let app) = settings.credential else {
            let report = await client.checkSetup()
            return [.passed("okta settings", "org \(settings.org), token from \(tokenSource)")] + interpret(report)
        }
        var checks: [ServiceCheck] = [.passed("okta settings", "org \(settings.org), service app \(app.clientID), \(app.key.algorithm) key"
            + (app.keyID.map { " (kid \($0))" } ?? "") + (app.dpop ? ", DPoP" : ", no DPoP"))]
        switch await client.checkAccessToken() {
        case .failure(let error)?:
            checks.append(.failed("okta access token", error.message, fix: "the line above says where: the app's public key and client id, its granted scopes, this host's clock"))
            checks.append(.skipped("okta reads", because: "Okta issued no access token"))
            return checks
        case .success(let status)?:
            let missing = OAuthApp.defaultScopes.filter { !status.grantedScopes.contains($0) }
            let granted = "a \(status.type) token, scopes \(status.grantedScopes.joined(separator: " "))"
            checks.append(missing.isEmpty ? .passed("okta access token", granted)
                : .failed("okta access token", granted + "; the console's actions also need \(missing.joined(separator: " "))",
                          fix: "grant them in the Admin Console → Applications → the app → Okta API Scopes, and list them in okta.scopes"))
        case nil:
            break
        }
        return checks + interpret(await client.checkSetup(), serviceApp: true)
    }

    /// Turns what Okta answered into lines.
    static func interpret(_ report: OktaSetupReport, serviceApp: Bool = false) -> [ServiceCheck] {
        let host = report.org.host
        if let reason = report.unreachable, report.reads.isEmpty {
            let port = report.org.url.port ?? (report.org.url.scheme == "http" ? 80 : 443)
            return [.failed("okta org", "\(host) could not be reached: \(TextSafety.quoted(reason, limit: 200))",
                            fix: "check DNS, the firewall and any proxy (HTTPS_PROXY) between this host and \(report.org.url.host ?? host) on port \(port)"),
                    .skipped("okta token", because: "Okta could not be reached")]
        }
        let overHTTPS = report.org.url.scheme == "https" ? "answered over HTTPS" : "answered over plain HTTP (allowed only for a loopback stand-in)"
        var checks: [ServiceCheck] = [.passed("okta org", "\(host) \(overHTTPS)")]
        if let refused = report.reads.first(where: { $0.refusal?.kind == .unauthorized })?.refusal {
            checks.append(.failed("okta token", refused.description, fix: serviceApp
                ? "check the app in the Admin Console (Applications → the app): its public key, its DPoP setting and this host's clock"
                : "create an API token in the Okta Admin Console (Security > API > Tokens), and write it to the token file (mode 600)"))
            checks.append(.skipped("okta reads", because: "Okta refused the token"))
        } else {
            checks.append(.passed("okta token", "accepted by \(host)"))
            checks += reads(report, serviceApp: serviceApp)
        }
        checks.append(clock(report))
        return checks
    }

    private static func reads(_ report: OktaSetupReport, serviceApp: Bool) -> [ServiceCheck] {
        var checks = report.reads.map { read in
            let name = "okta reads \(read.resource)"
            guard var refusal = read.refusal else { return ServiceCheck.passed(name, "the token may list \(read.resource)") }
            if serviceApp { refusal.viaServiceApp = true }
            let fix = refusal.kind == .forbidden
                ? (serviceApp ? "grant the service app okta.\(read.resource).read and an admin role that may read \(read.resource) (Admin Console → Applications → the app)"
                    : "create the token as an Okta admin who may read users, groups and apps, as well as run the help desk actions")
                : "run helpdesk doctor again; if it keeps failing, check Okta's status page"
            return ServiceCheck.failed(name, refusal.description, fix: fix)
        }
        if let reason = report.unreachable {
            let missing = OktaSetupReport.resources.dropFirst(report.reads.count)
            checks += missing.map { .failed("okta reads \($0)", "no answer: \(TextSafety.quoted(reason, limit: 200))", fix: "run helpdesk doctor again; check the network to Okta") }
        }
        return checks
    }

    private static func clock(_ report: OktaSetupReport) -> ServiceCheck {
        guard let skew = report.clockSkew else {
            return .failed("clock", "Okta's answer had no Date header to compare with",
                           fix: "check that the org URL points at Okta itself, not at a proxy or a captive portal")
        }
        let size = abs(skew)
        guard size > allowedSkew else {
            return .passed("clock", "\(Int(size.rounded())) s from Okta's (at most \(Int(allowedSkew)) s allowed)")
        }
        return .failed("clock", "this host's clock is \(spoken(size)) \(skew > 0 ? "ahead of" : "behind") Okta's",
                       fix: "turn on time synchronisation (timedatectl set-ntp true) so the timeline and temporary access keep true time")
    }

    /// `4 min 12 s`, `2 h 5 min`, `45 s`.
    static func spoken(_ seconds: TimeInterval) -> String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total) s" }
        if total < 3600 { return "\(total / 60) min \(total % 60) s" }
        return "\(total / 3600) h \(total % 3600 / 60) min"
    }
}
