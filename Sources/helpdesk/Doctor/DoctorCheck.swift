/// One line of `helpdesk doctor`: what was checked, how it went, and the fix when it failed.
struct DoctorCheck: Sendable, Equatable, Encodable {
    enum Status: String, Sendable, Encodable {
        case passed, failed
        /// Not run because a check it depends on failed.
        case skipped
    }

    let name: String
    let status: Status
    let detail: String
    let fix: String?

    static func passed(_ name: String, _ detail: String) -> DoctorCheck {
        DoctorCheck(name: name, status: .passed, detail: detail, fix: nil)
    }

    static func failed(_ name: String, _ detail: String, fix: String) -> DoctorCheck {
        DoctorCheck(name: name, status: .failed, detail: detail, fix: fix)
    }

    /// `because` completes "not checked: …".
    static func skipped(_ name: String, because reason: String) -> DoctorCheck {
        DoctorCheck(name: name, status: .skipped, detail: "not checked: \(reason)", fix: nil)
    }

    private enum Keys: String, CodingKey { case name, status, detail, fix }

    /// Every key is always present (`fix` is null when there is nothing to fix), so scripts can rely on the shape.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(name, forKey: .name)
        try container.encode(status, forKey: .status)
        try container.encode(detail, forKey: .detail)
        try container.encode(fix, forKey: .fix)
    }

    /// `✓ store: …`, `✗ okta token: …` with the fix on the next line.
    var text: String {
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
