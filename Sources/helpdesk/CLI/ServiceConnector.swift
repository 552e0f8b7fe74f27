import Foundation
import HelpdeskCore
import HelpdeskSocket

/// How a command reaches helpdesk. On a jump host, the service's socket: the kernel tells the
/// service who is asking, and nothing here opens the store or reads a token. For personal use
/// (a configuration of one's own, or a store given with `--db`), the same service in this process.
enum ServiceConnector {
    enum Route: Equatable {
        case socket(String)
        case personal
    }

    /// `--socket` or `HELPDESK_SOCKET` name the service; a personal configuration or store means
    /// personal use; otherwise the service at its usual place.
    static func route(_ invocation: Invocation) throws -> Route {
        let arguments = invocation.arguments
        let environment = invocation.environment
        if let path = arguments.value("socket") ?? environment.variable("HELPDESK_SOCKET") {
            guard path.hasPrefix("/") else { throw CLIError.usage("the service socket must be an absolute path, not \(TextSafetyForCLI.quoted(path))", command: invocation.spec.name) }
            return .socket(path)
        }
        if arguments.value("config") != nil || arguments.value("db") != nil
            || environment.variable("HELPDESK_CONFIG") != nil || environment.variable("HELPDESK_DB") != nil {
            return .personal
        }
        let personal = try ConfigurationLocation.find(option: nil, environment: environment)
        return personal.path != nil ? .personal : .socket(environment.defaultSocketPath)
    }

    static func connect(_ invocation: Invocation) throws -> any HelpdeskService {
        try open(invocation).service
    }

    /// The service, and for personal use the backend behind it (the console runs its background work).
    static func open(_ invocation: Invocation) throws -> (service: any HelpdeskService, backend: HelpdeskBackend?) {
        switch try route(invocation) {
        case .socket(let path): return (RemoteHelpdeskService(path: path), nil)
        case .personal:
            let (backend, login) = try PersonalSetup.backend(invocation)
            return (try backend.service(for: login), backend)
        }
    }
}
