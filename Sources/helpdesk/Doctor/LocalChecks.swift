import Foundation
import HelpdeskCore
import SQLiteStore

/// The checks that need no network: the configuration file, the operator, the store.
enum LocalChecks {
    /// The personal configuration found and read, or the failed check that says why not.
    static func configuration(_ invocation: Invocation) -> (ServiceCheck, HelpdeskConfiguration?) {
        let name = "configuration"
        let found: ConfigurationLocation.Found
        do {
            found = try ConfigurationLocation.find(option: invocation.arguments.value("config"), environment: invocation.environment)
        } catch {
            return (.failed(name, "\(error)", fix: "pass --config with an existing file, or unset HELPDESK_CONFIG"), nil)
        }
        guard let path = found.path else {
            return (.failed(name, "no configuration file (looked in \(found.searched.joined(separator: ", ")))",
                            fix: "copy Resources/config.example.json to ~/.config/helpdesk/config.json and fill in your org and operators; on a jump host, use the helpdesk service instead"), nil)
        }
        return configuration(at: path)
    }

    /// The configuration file at `path`, read again now.
    static func configuration(at path: String) -> (ServiceCheck, HelpdeskConfiguration?) {
        let name = "configuration"
        do {
            let configuration = try HelpdeskConfiguration.load(path: path)
            let operators = configuration.team.operators.count
            return (.passed(name, "\(path) is valid (\(operators) operator\(operators == 1 ? "" : "s"))"), configuration)
        } catch let error as ConfigurationError where error.key == nil {
            // The file as a whole: not readable, not a file, too large, not UTF-8, not JSON.
            return (.failed(name, "\(error)", fix: "correct the file as said above; Resources/config.example.json is a valid one with every key"), nil)
        } catch {
            return (.failed(name, "\(error)", fix: "correct the key named above; Resources/config.example.json shows every key"), nil)
        }
    }

    /// The OS login at the keyboard must be an operator in the configuration.
    static func operatorCheck(_ invocation: Invocation, configuration: HelpdeskConfiguration?) -> ServiceCheck {
        let name = "operator"
        guard let configuration else { return .skipped(name, because: "there is no valid configuration") }
        let login: String
        do {
            login = try invocation.environment.login()
        } catch {
            return .failed(name, "cannot tell who is logged in (\(error))", fix: "run helpdesk from a normal login session")
        }
        guard let member = configuration.team.member(login) else {
            return .failed(name, "\(login) is not an operator", fix: "add \(login) under \"operators\" in the configuration, with an email and roles")
        }
        return .passed(name, describe(member))
    }

    /// `alex (agent)`, `sam (approves for their team)`.
    static func describe(_ member: Operator) -> String {
        let roles = member.roles.isEmpty ? "approves for their team" : member.roles.map(\.rawValue).sorted().joined(separator: ", ")
        return "\(member.login) (\(roles))"
    }

    /// The personal store: where it is, and the checks of `store(at:)` or of a database.
    static func store(_ invocation: Invocation, configuration: HelpdeskConfiguration?) -> [ServiceCheck] {
        let setting: StoreSetting
        do {
            setting = try StoreSetting.resolve(invocation, configuration: configuration)
        } catch {
            return [.failed("store", "\(error)", fix: "pass --db PATH, set HELPDESK_DB, or set store.path in the configuration")]
        }
        guard case .postgresql = setting else { return store(at: setting.location) }
        do {
            return store(open: try setting.open())
        } catch {
            return [.failed("store", "\(error)", fix: "check store.url and store.passwordFile, that the server is up, and pg_hba.conf lets this user in"),
                    .skipped("store schema", because: "the store cannot be opened")]
        }
    }

    /// The store file: that this user can read and write it, and its schema.
    static func store(at path: String) -> [ServiceCheck] {
        let folder = (path as NSString).deletingLastPathComponent
        guard FileManager.default.fileExists(atPath: path) else {
            let existing = nearestExistingFolder(folder)
            guard canAccess(existing, W_OK) else {
                return [.failed("store", "\(path) does not exist and \(existing) is not writable by this user",
                                fix: "create \(folder), writable by the user helpdesk runs as (the service's StateDirectory does this)")]
            }
            return [.passed("store", "\(path) does not exist yet; it is created on first use"),
                    .skipped("store schema", because: "the store does not exist yet")]
        }
        guard canAccess(path, R_OK | W_OK), canAccess(folder, W_OK) else {
            let what = canAccess(path, R_OK | W_OK) ? "the folder \(folder)" : path
            return [.failed("store", "\(what) is not writable by this user (SQLite writes its journal beside the file)",
                            fix: "give the folder and the file to the user helpdesk runs as (the service's user, helpdesk, on a jump host)"),
                    .skipped("store schema", because: "the store cannot be opened")]
        }
        do {
            return store(open: try SQLiteRequestStore(path: path))
        } catch StoreError.newerSchema(_, let found, let supported) {
            return [.passed("store", "\(path) is readable"),
                    .failed("store schema", "version \(found) was written by a newer helpdesk; this build knows up to \(supported)",
                            fix: "install the newest helpdesk build on this host")]
        } catch {
            return [.failed("store", "\(error)", fix: "check the path, or move a damaged file aside and let helpdesk create a new one"),
                    .skipped("store schema", because: "the store cannot be opened")]
        }
    }

    /// An open store (the service's, or one just opened): a write, its schema, its engine and the
    /// time a read takes there and back.
    static func store(open store: any InspectableStore) -> [ServiceCheck] {
        do {
            try store.write { _ in }
            let started = DispatchTime.now().uptimeNanoseconds
            _ = try store.read { try $0.lastEventID() }
            let roundTrip = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
            let version = try store.schemaVersion()
            let schema = version == store.newestSchemaVersion ? "version \(version), current" : "version \(version); this build writes \(store.newestSchemaVersion)"
            // A file's read is local; a server's is a round trip worth knowing.
            let engine = store is SQLiteRequestStore ? store.engine : "\(store.engine), a read takes \(String(format: "%.1f", roundTrip)) ms there and back"
            return [.passed("store", "\(store.location) is readable and writable"),
                    .passed("store schema", schema),
                    .passed("store engine", engine)]
        } catch {
            return [.failed("store", "\(error)", fix: "check the disk and the file's owner and mode (the service's user, 600)"),
                    .skipped("store schema", because: "the store cannot be written")]
        }
    }

    /// Access as this process has it.
    private static func canAccess(_ path: String, _ mode: Int32) -> Bool {
        faccessat(AT_FDCWD, path, mode, AT_EACCESS) == 0
    }

    private static func nearestExistingFolder(_ folder: String) -> String {
        var current = folder
        while !current.isEmpty, current != "/", !FileManager.default.fileExists(atPath: current) {
            current = (current as NSString).deletingLastPathComponent
        }
        return current.isEmpty ? "/" : current
    }
}
