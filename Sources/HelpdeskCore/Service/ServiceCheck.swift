/// One line of a setup check (`helpdesk doctor`): what was checked, how it went, the fix.
public struct ServiceCheck: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case passed, failed
        /// Not run because a check it depends on failed.
        case skipped
    }

    public let name: String
    public let status: Status
    public let detail: String
    public let fix: String?

    public init(name: String, status: Status, detail: String, fix: String?) {
        self.name = name
        self.status = status
        self.detail = detail
        self.fix = fix
    }

    public static func passed(_ name: String, _ detail: String) -> ServiceCheck {
        ServiceCheck(name: name, status: .passed, detail: detail, fix: nil)
    }

    public static func failed(_ name: String, _ detail: String, fix: String) -> ServiceCheck {
        ServiceCheck(name: name, status: .failed, detail: detail, fix: fix)
    }

    /// `because` completes "not checked: …".
    public static func skipped(_ name: String, because reason: String) -> ServiceCheck {
        ServiceCheck(name: name, status: .skipped, detail: "not checked: \(reason)", fix: nil)
    }

    private enum Keys: String, CodingKey { case name, status, detail, fix }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        name = try container.decode(String.self, forKey: .name)
        status = try container.decode(Status.self, forKey: .status)
        detail = try container.decode(String.self, forKey: .detail)
        fix = try container.decodeIfPresent(String.self, forKey: .fix)
    }

    /// Every key is always present (`fix` is null when there is nothing to fix), so scripts can rely on the shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(name, forKey: .name)
        try container.encode(status, forKey: .status)
        try container.encode(detail, forKey: .detail)
        try container.encode(fix, forKey: .fix)
    }

    /// `✓ store: …`, `✗ okta token: …` with the fix on the next line.
    public var text: String {
        let mark = switch status {
        case .passed: "✓"
        case .failed: "✗"
        case .skipped: "-"
        }
        var text = "\(mark) \(name): \(detail)"
        if let fix { text += "\n    fix: \(fix)" }
        return text
    }
}
