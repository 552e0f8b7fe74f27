import Foundation
import HelpdeskCore
import OktaClient

/// The configuration file: the Okta org, the store, the operators and their roles, the approval
/// policy, the playbooks. Every mistake is one error naming the file, the key and what was expected.
struct HelpdeskConfiguration: Sendable, Equatable {
    var orgURL: String?
    var tokenFile: String?
    /// The OAuth service app, when `okta.auth` is `oauth`.
    var oauth: OAuthAppFile?
    var storePath: String?
    /// A PostgreSQL store instead of a file (`postgresql://…`, no password), and its password file.
    var storeURL: String?
    var storePasswordFile: String?
    /// Where `helpdesk serve` listens, and the group whose members may connect.
    var socketPath: String?
    var socketGroup: String?
    /// How many connections one login may hold open at once (consoles, commands, scripts).
    var connectionsPerLogin: Int?
    var team: Team
    var policy: ApprovalPolicy
    var approvalTTLHours: Double
    var playbooks: [Playbook] = []

    static let topKeys: Set<String> = ["okta", "store", "service", "operators", "policy", "approvalTtlHours", "playbooks"]

    /// A store is a file or a PostgreSQL URL; the URL carries no password (it would be readable by
    /// whoever reads this file, and shown in messages): the password comes from `passwordFile`.
    private static func checkStore(_ configuration: HelpdeskConfiguration, file: String) throws {
        if let url = configuration.storeURL {
            guard configuration.storePath == nil else {
                throw ConfigurationError(file: file, key: "store", problem: "has both path and url; name one store")
            }
            if let problem = StoreSetting.problem(withURL: url) {
                throw ConfigurationError(file: file, key: "store.url", problem: problem)
            }
        } else if configuration.storePasswordFile != nil {
            throw ConfigurationError(file: file, key: "store.passwordFile", problem: "is only for a PostgreSQL store (store.url)")
        }
        if let passwordFile = configuration.storePasswordFile, !passwordFile.hasPrefix("/") {
            throw ConfigurationError(file: file, key: "store.passwordFile", problem: "expected an absolute path, got \"\(TextSafety.quoted(passwordFile))\"")
        }
    }

    /// Reads and checks the file at `path`.
    static func load(path: String) throws -> HelpdeskConfiguration {
        try parse(try contents(of: path), file: path)
    }

    /// The largest configuration read: far more than any team's, far less than a mistake's.
    static let maxBytes = 4 << 20

    /// The bytes of a regular file, through one descriptor checked before it is read: a device
    /// (`/dev/zero`) or a pipe named as the configuration is refused, not read without end.
    private static func contents(of path: String) throws(ConfigurationError) -> Data {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            throw ConfigurationError(file: path, key: nil, problem: "cannot be read (\(String(cString: strerror(errno))))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw ConfigurationError(file: path, key: nil, problem: "is not a file but a folder, a device, a pipe or a socket; name the configuration file")
        }
        // Read to its end, not to the size it gives: a file may say 0 and hold more (/proc).
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let read = chunk.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if read < 0, errno == EINTR { continue }
            guard read >= 0 else { throw ConfigurationError(file: path, key: nil, problem: "cannot be read (\(String(cString: strerror(errno))))") }
            guard read > 0 else { return data }
            data.append(contentsOf: chunk[..<read])
            guard data.count <= maxBytes else {
                throw ConfigurationError(file: path, key: nil, problem: "is more than a configuration can be (\(maxBytes >> 20) MiB)")
            }
        }
    }

    static func parse(_ data: Data, file: String) throws -> HelpdeskConfiguration {
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ConfigurationError(file: file, key: nil, problem: "is not UTF-8 text; save it as UTF-8")
        }
        if let problem = JSONSyntax.problem(in: Substring(text)) {
            throw ConfigurationError(file: file, key: nil, problem: "is not valid JSON (\(problem))")
        }
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ConfigurationError(file: file, key: nil, problem: "must be a JSON object")
            }
            root = object
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError(file: file, key: nil, problem: "is not valid JSON (\(error.localizedDescription))")
        }
        let reader = ConfigReader(file: file)
        try reader.onlyKeys(root, topKeys, at: nil)
        var configuration = HelpdeskConfiguration(orgURL: nil, tokenFile: nil, storePath: nil, storeURL: nil, storePasswordFile: nil, socketPath: nil, socketGroup: nil, team: Team([]), policy: .default, approvalTTLHours: 24)
        if let okta = try reader.object(root, "okta", at: nil) {
            try reader.onlyKeys(okta, ["orgUrl", "tokenFile", "auth", "clientId", "privateKeyFile", "keyId", "scopes", "dpop"], at: "okta")
            configuration.orgURL = try reader.string(okta, "orgUrl", at: "okta")
            configuration.tokenFile = try reader.string(okta, "tokenFile", at: "okta")
            configuration.oauth = try OAuthConfiguration.parse(okta, reader)
        }
        if let store = try reader.object(root, "store", at: nil) {
            try reader.onlyKeys(store, ["path", "url", "passwordFile"], at: "store")
            configuration.storePath = try reader.string(store, "path", at: "store")
            configuration.storeURL = try reader.string(store, "url", at: "store")
            configuration.storePasswordFile = try reader.string(store, "passwordFile", at: "store")
            try checkStore(configuration, file: file)
        }
        if let service = try reader.object(root, "service", at: nil) {
            try reader.onlyKeys(service, ["socket", "socketGroup", "connectionsPerLogin"], at: "service")
            configuration.socketPath = try reader.string(service, "socket", at: "service")
            if let path = configuration.socketPath, !path.hasPrefix("/") {
                throw ConfigurationError(file: file, key: "service.socket", problem: "expected an absolute path, got \"\(TextSafety.quoted(path))\"")
            }
            configuration.socketGroup = try reader.string(service, "socketGroup", at: "service")
            if let value = service["connectionsPerLogin"] {
                guard let number = value as? NSNumber, String(cString: number.objCType) != "c", let count = Int(exactly: number.doubleValue), (1...256).contains(count) else {
                    throw ConfigurationError(file: file, key: "service.connectionsPerLogin", problem: "expected a whole number from 1 to 256, got \(ConfigReader.describe(value))")
                }
                configuration.connectionsPerLogin = count
            }
        }
        configuration.team = Team(try operators(root, reader))
        configuration.policy = ApprovalPolicy(overrides: try policyRules(root, reader, team: configuration.team))
        configuration.playbooks = try PlaybookConfiguration.parse(root, reader)
        if let ttl = root["approvalTtlHours"] {
            guard let hours = ttl as? NSNumber, String(cString: hours.objCType) != "c", (1...24 * 30).contains(hours.doubleValue) else {
                throw ConfigurationError(file: file, key: "approvalTtlHours", problem: "expected a number of hours from 1 to 720, got \(ConfigReader.describe(ttl))")
            }
            configuration.approvalTTLHours = hours.doubleValue
        }
        return configuration
    }

    private static func operators(_ root: [String: Any], _ reader: ConfigReader) throws -> [Operator] {
        guard let entries = try reader.object(root, "operators", at: nil) else { return [] }
        return try entries.keys.sorted().map { login in
            let key = "operators.\(login)"
            guard Operator.isLogin(login) else {
                throw ConfigurationError(file: reader.file, key: key, problem: "expected an OS login (letters, digits, . _ - @), got \"\(TextSafety.quoted(login))\"")
            }
            guard let entry = entries[login] as? [String: Any] else {
                throw ConfigurationError(file: reader.file, key: key, problem: "expected an object with email and roles, got \(ConfigReader.describe(entries[login]!))")
            }
            try reader.onlyKeys(entry, ["email", "roles"], at: key)
            guard let emailText = try reader.string(entry, "email", at: key) else {
                throw ConfigurationError(file: reader.file, key: "\(key).email", problem: "is missing; expected the operator's work email")
            }
            let email: EmailAddress
            do {
                email = try EmailAddress(emailText)
            } catch {
                throw ConfigurationError(file: reader.file, key: "\(key).email", problem: "\(error)")
            }
            guard let rolesValue = entry["roles"] else {
                throw ConfigurationError(file: reader.file, key: "\(key).roles", problem: "is missing; expected a list of agent, approver, admin (or [] for a manager who only approves)")
            }
            guard let roleList = rolesValue as? [Any] else {
                throw ConfigurationError(file: reader.file, key: "\(key).roles", problem: "expected a list of agent, approver, admin, got \(ConfigReader.describe(rolesValue))")
            }
            let roles = try roleList.enumerated().map { index, value in
                guard let text = value as? String, let role = Role(rawValue: text) else {
                    throw ConfigurationError(file: reader.file, key: "\(key).roles[\(index)]", problem: "expected agent, approver or admin, got \(ConfigReader.describe(value))")
                }
                return role
            }
            return Operator(login: login, email: email, roles: Set(roles))
        }
    }

    private static func policyRules(_ root: [String: Any], _ reader: ConfigReader, team: Team) throws -> [ActionName: ApprovalPolicy.Rule] {
        guard let entries = try reader.object(root, "policy", at: nil) else { return [:] }
        var rules: [ActionName: ApprovalPolicy.Rule] = [:]
        for name in entries.keys.sorted() {
            let key = "policy.\(name)"
            guard let action = ActionName(rawValue: name) else {
                throw ConfigurationError(file: reader.file, key: key, problem: "is not an action; expected one of \(ActionName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let entry = entries[name] as? [String: Any] else {
                throw ConfigurationError(file: reader.file, key: key, problem: "expected an object like {\"approval\": \"required\"}, got \(ConfigReader.describe(entries[name]!))")
            }
            try reader.onlyKeys(entry, ["approval", "approvers"], at: key)
            let approval = try reader.string(entry, "approval", at: key) ?? (ApprovalPolicy.default.needsApproval(action) ? "required" : "none")
            guard approval == "required" || approval == "none" else {
                throw ConfigurationError(file: reader.file, key: "\(key).approval", problem: "expected \"required\" or \"none\", got \"\(TextSafety.quoted(approval))\"")
            }
            var approvers: [String] = []
            if let value = entry["approvers"] {
                guard let list = value as? [String] else {
                    throw ConfigurationError(file: reader.file, key: "\(key).approvers", problem: "expected a list of logins, got \(ConfigReader.describe(value))")
                }
                for login in list where team.member(login) == nil {
                    throw ConfigurationError(file: reader.file, key: "\(key).approvers", problem: "names \(login), who is not in operators")
                }
                approvers = list
            }
            rules[action] = ApprovalPolicy.Rule(approvalRequired: approval == "required", approvers: approvers)
        }
        return rules
    }
}

/// A configuration mistake: the file, the key, and what was expected.
struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    let file: String
    let key: String?
    let problem: String

    var description: String {
        "configuration \(file): " + (key.map { "\($0): " } ?? "") + problem
    }
}

/// Typed reads of a JSON object with errors that name the key.
struct ConfigReader {
    let file: String

    func onlyKeys(_ object: [String: Any], _ allowed: Set<String>, at path: String?) throws {
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            let key = path.map { "\($0).\(unknown)" } ?? unknown
            throw ConfigurationError(file: file, key: key, problem: "is not a known key; expected one of \(allowed.sorted().joined(separator: ", "))")
        }
    }

    func object(_ object: [String: Any], _ name: String, at path: String?) throws -> [String: Any]? {
        guard let value = object[name] else { return nil }
        guard let result = value as? [String: Any] else {
            throw ConfigurationError(file: file, key: path.map { "\($0).\(name)" } ?? name, problem: "expected an object, got \(Self.describe(value))")
        }
        return result
    }

    func string(_ object: [String: Any], _ name: String, at path: String) throws -> String? {
        guard let value = object[name] else { return nil }
        guard let text = value as? String, !text.isEmpty else {
            throw ConfigurationError(file: file, key: "\(path).\(name)", problem: "expected a non-empty string, got \(Self.describe(value))")
        }
        return text
    }

    static func describe(_ value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        case let number as NSNumber where String(cString: number.objCType) == "c": return "a boolean"
        case is NSNumber: return "a number"
        case let text as String: return "\"\(TextSafety.quoted(text, limit: 40))\""
        case is [Any]: return "a list"
        case is [String: Any]: return "an object"
        default: return "\(type(of: value))"
        }
    }
}
