import Foundation
import HelpdeskCore
import PostgreSQLStore
import SQLiteStore

/// Which store to open: a SQLite file (a path), or a PostgreSQL database shared by the services
/// of several hosts (`store.url`, its password from `store.passwordFile`).
enum StoreSetting: Equatable {
    case file(String)
    case postgresql(url: String, passwordFile: String?)

    /// `--db` or `HELPDESK_DB` name a file and win; else the configuration's URL, else its path
    /// or the default file.
    static func resolve(_ invocation: Invocation, configuration: HelpdeskConfiguration?) throws -> StoreSetting {
        if !isNamed(by: invocation), let url = configuration?.storeURL {
            return .postgresql(url: url, passwordFile: configuration?.storePasswordFile)
        }
        return .file(try invocation.storePath(configured: configuration?.storePath))
    }

    /// Whether `--db` or `HELPDESK_DB` names the store file for this invocation.
    static func isNamed(by invocation: Invocation) -> Bool {
        invocation.arguments.value("db") != nil || invocation.environment.variable("HELPDESK_DB") != nil
    }

    /// The service's store: the configuration alone decides (an absolute path or a URL).
    static func service(_ configuration: HelpdeskConfiguration, file: String) throws -> StoreSetting {
        if let url = configuration.storeURL { return .postgresql(url: url, passwordFile: configuration.storePasswordFile) }
        guard let path = configuration.storePath, path.hasPrefix("/") else {
            throw CLIError.failed("configuration \(file): store.path must name the store with an absolute path (e.g. /var/lib/helpdesk/helpdesk.db), or store.url a PostgreSQL database")
        }
        return .file(path)
    }

    /// What is wrong with a PostgreSQL URL, or nil. It carries no password (nor any other secret,
    /// such as `sslpassword`): a URL is read by whoever reads the configuration, and shown in
    /// messages; the password comes from a file. The URL itself is never repeated.
    static func problem(withURL url: String) -> String? { StoreURL.problem(url) }

    /// Where, for messages (never a password).
    var location: String {
        switch self {
        case .file(let path): path
        case .postgresql(let url, _): StoreURL.displayed(url)
        }
    }

    func open() throws -> any InspectableStore {
        switch self {
        case .file(let path): return try SQLiteRequestStore(path: path)
        case .postgresql(let url, let passwordFile):
            return try PostgreSQLRequestStore(url: url, password: try passwordFile.map(PasswordFile.read))
        }
    }
}

/// What `doctor` reports of an open store, on either engine.
protocol InspectableStore: RequestStore {
    /// The engine and its version.
    var engine: String { get }
    func schemaVersion() throws -> Int
    var newestSchemaVersion: Int { get }
}

extension SQLiteRequestStore: InspectableStore {
    var engine: String { "SQLite \(SQLiteRequestStore.libraryVersion)" }
    var newestSchemaVersion: Int { Self.latestSchemaVersion }
}

extension PostgreSQLRequestStore: InspectableStore {
    var engine: String { "PostgreSQL \(serverVersion)" }
    var newestSchemaVersion: Int { Self.latestSchemaVersion }
}
