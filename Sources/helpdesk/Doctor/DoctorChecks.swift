import Foundation
import HelpdeskCore
import OktaClient
import SQLiteStore

/// The setup checks, as personal use and the service run them.
enum DoctorChecks {
    /// Personal use: the configuration found for this login, the operator, the store, Okta.
    static func personal(_ invocation: Invocation) async -> [ServiceCheck] {
        let (configurationCheck, configuration) = LocalChecks.configuration(invocation)
        var checks = [configurationCheck, LocalChecks.operatorCheck(invocation, configuration: configuration)]
        checks += LocalChecks.store(invocation, configuration: configuration)
        checks += await OktaChecks.run(invocation, configuration: configuration)
        return checks
    }

    /// The service: its configuration file as it is now, its store, and Okta through the service's
    /// own client (`okta`), so that a check uses the service's token rather than asking for another.
    static func service(configurationPath: String, store: any InspectableStore, clock: any Clock, okta: OktaHTTPClient? = nil) async -> [ServiceCheck] {
        let (configurationCheck, configuration) = LocalChecks.configuration(at: configurationPath)
        var checks = [configurationCheck] + LocalChecks.store(open: store)
        checks += await OktaChecks.run(settings: Result { () throws(DirectoryError) in
            try OktaSettings.fromConfiguration(orgURL: configuration?.orgURL, tokenFile: configuration?.tokenFile, oauth: configuration?.oauth)
        }, tokenSource: configuration?.tokenFile ?? "?", clock: clock, client: okta)
        return checks
    }
}
