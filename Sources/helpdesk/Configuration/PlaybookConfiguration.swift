import Foundation
import HelpdeskCore

/// The configuration's `playbooks` section: each playbook by its name, with a title, who may
/// start it, its approval rule, an optional expiry (access bundles) and its steps, each
/// `{"do": ACTION, …}` with the action's own keys. Every mistake names the key.
enum PlaybookConfiguration {
    static let stepKinds = ["revoke-sessions", "suspend", "unsuspend", "unlock", "reset-mfa", "reset-password", "expire-password", "activate",
                            "resend-activation", "deactivate", "add-to-group", "remove-from-group", "assign-app", "remove-app",
                            "remove-every-group", "remove-every-direct-app", "create-user"]

    static func parse(_ root: [String: Any], _ reader: ConfigReader) throws -> [Playbook] {
        guard let entries = try reader.object(root, "playbooks", at: nil) else { return [] }
        return try entries.keys.sorted().map { name in
            let key = "playbooks.\(name)"
            guard (1...40).contains(name.count), name.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.lowercaseLetters.contains($0) || CharacterSet.decimalDigits.contains($0) || $0 == "-") }) else {
                throw ConfigurationError(file: reader.file, key: key, problem: "expected a name of lowercase letters, digits and dashes (e.g. offboarding)")
            }
            guard let entry = entries[name] as? [String: Any] else {
                throw ConfigurationError(file: reader.file, key: key, problem: "expected an object with title and steps, got \(ConfigReader.describe(entries[name]!))")
            }
            try reader.onlyKeys(entry, ["title", "roles", "approval", "expiry", "steps"], at: key)
            let title = try reader.string(entry, "title", at: key) ?? name
            try plain(title, at: "\(key).title", reader)
            let approvalText = try reader.string(entry, "approval", at: key) ?? Playbook.ApprovalRule.whenNeeded.rawValue
            guard let approval = Playbook.ApprovalRule(rawValue: approvalText) else {
                throw ConfigurationError(file: reader.file, key: "\(key).approval",
                                         problem: "expected \"when-needed\" or \"required\" (a playbook cannot waive the policy's approvals), got \"\(TextSafety.quoted(approvalText))\"")
            }
            var roles: Set<Role> = [.agent]
            if let value = entry["roles"] {
                guard let list = value as? [String], !list.isEmpty, list.allSatisfy({ Role(rawValue: $0) != nil }) else {
                    throw ConfigurationError(file: reader.file, key: "\(key).roles", problem: "expected a list of agent, approver, admin, got \(ConfigReader.describe(value))")
                }
                roles = Set(list.compactMap(Role.init(rawValue:)))
            }
            let expiry = try reader.string(entry, "expiry", at: key).map { text in
                do { return try AccessDuration(typed: text) } catch let error as ValidationError {
                    throw ConfigurationError(file: reader.file, key: "\(key).expiry", problem: error.message)
                }
            }
            guard let list = entry["steps"] as? [Any], !list.isEmpty, list.count <= 100 else {
                throw ConfigurationError(file: reader.file, key: "\(key).steps", problem: "expected a list of 1 to 100 steps like {\"do\": \"suspend\"}")
            }
            guard name != "undo" else {
                throw ConfigurationError(file: reader.file, key: key, problem: "\"undo\" is the name of an undo's plan; give the playbook another name")
            }
            let steps = try list.enumerated().map { index, value in try step(value, at: "\(key).steps[\(index)]", reader) }
            for (index, step) in steps.enumerated() where step.kind == .createUser && (index != 0 || step.skipOnFailure) {
                throw ConfigurationError(file: reader.file, key: "\(key).steps[\(index)]",
                                         problem: "create-user must be the first step, once, and not skipped on failure: the later steps act on the account it creates")
            }
            return Playbook(name: name, title: title, roles: roles, approval: approval, expiry: expiry, steps: steps)
        }
    }

    /// One line of plain text (a title, a group's name): no control characters, at most 400 bytes.
    private static func plain(_ text: String, at key: String, _ reader: ConfigReader) throws {
        do {
            try PlainText.check(text, "it", atMostBytes: 400)
            try PlainText.check(text, "it", lines: false)
        } catch {
            throw ConfigurationError(file: reader.file, key: key, problem: error.message)
        }
    }

    private static func step(_ value: Any, at key: String, _ reader: ConfigReader) throws -> PlaybookStep {
        guard let entry = value as? [String: Any] else {
            throw ConfigurationError(file: reader.file, key: key, problem: "expected an object like {\"do\": \"suspend\"}, got \(ConfigReader.describe(value))")
        }
        guard let what = try reader.string(entry, "do", at: key), stepKinds.contains(what) else {
            throw ConfigurationError(file: reader.file, key: "\(key).do", problem: "expected one of \(stepKinds.joined(separator: ", "))")
        }
        func name(_ field: String) throws -> String {
            try reader.onlyKeys(entry, ["do", field, "skipOnFailure"], at: key)
            guard let text = try reader.string(entry, field, at: key) else {
                throw ConfigurationError(file: reader.file, key: "\(key).\(field)", problem: "is missing; \(what) needs the \(field)'s name as Okta shows it")
            }
            try plain(text, at: "\(key).\(field)", reader)
            return text
        }
        func flag(_ field: String, default fallback: Bool) throws -> Bool {
            guard let value = entry[field] else { return fallback }
            guard let number = value as? NSNumber, String(cString: number.objCType) == "c" else {
                throw ConfigurationError(file: reader.file, key: "\(key).\(field)", problem: "expected true or false, got \(ConfigReader.describe(value))")
            }
            return number.boolValue
        }
        let kind: PlaybookStep.Kind
        switch what {
        case "add-to-group": kind = .addToGroup(name: try name("group"))
        case "remove-from-group": kind = .removeFromGroup(name: try name("group"))
        case "assign-app": kind = .assignApp(label: try name("app"))
        case "remove-app": kind = .removeApp(label: try name("app"))
        case "revoke-sessions":
            try reader.onlyKeys(entry, ["do", "oauthTokens", "skipOnFailure"], at: key)
            kind = .action(.revokeSessions(oauthTokens: try flag("oauthTokens", default: true)))
        case "activate", "reset-password":
            try reader.onlyKeys(entry, ["do", "sendEmail", "skipOnFailure"], at: key)
            let email = try flag("sendEmail", default: true)
            guard email else {
                throw ConfigurationError(file: reader.file, key: "\(key).sendEmail", problem: "must be true in a playbook: a one-time link from a step nobody watches would be lost")
            }
            kind = .action(what == "activate" ? .activate(sendEmail: email) : .resetPassword(sendEmail: email))
        default:
            try reader.onlyKeys(entry, ["do", "skipOnFailure"], at: key)
            kind = switch what {
            case "suspend": .action(.suspend)
            case "unsuspend": .action(.unsuspend)
            case "unlock": .action(.unlock)
            case "reset-mfa": .action(.resetMFA)
            case "expire-password": .action(.expirePassword)
            case "resend-activation": .action(.resendActivation)
            case "deactivate": .action(.deactivate)
            case "remove-every-group": .removeEveryGroup
            case "create-user": .createUser
            default: .removeEveryDirectApp
            }
        }
        return PlaybookStep(kind, skipOnFailure: try flag("skipOnFailure", default: false))
    }
}
