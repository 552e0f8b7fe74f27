/// A store-assigned number naming an approval, an action run or a temporary grant.
/// `Kind` supplies the prefix people see, e.g. `APR-7`.
public struct RecordID<Kind: RecordKind>: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let number: Int64

    public init(_ number: Int64) {
        self.number = number
    }

    /// Reads `APR-7`, `apr-7` or `7`.
    public init?(parsing text: String) {
        var digits = Substring(text.trimmingCharacters(in: .whitespaces))
        let prefix = Kind.prefix + "-"
        if digits.uppercased().hasPrefix(prefix) { digits = digits.dropFirst(prefix.count) }
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy(\.isASCIIDigit),
              let number = Int64(digits), number > 0 else { return nil }
        self.number = number
    }

    public var description: String { "\(Kind.prefix)-\(number)" }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.number < rhs.number }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            self.number = number
            return
        }
        let text = try container.decode(String.self)
        guard let parsed = Self(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a \(Kind.prefix) id: \(text)")
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Names the prefix of a kind of record id.
public protocol RecordKind: Sendable {
    static var prefix: String { get }
}

/// The kind of an approval's id: `APR-12`.
public enum ApprovalRecord: RecordKind { public static let prefix = "APR" }
/// The kind of an action run's id: `RUN-7`.
public enum ActionRunRecord: RecordKind { public static let prefix = "RUN" }
/// The kind of a temporary grant's id: `GRANT-3`.
public enum GrantRecord: RecordKind { public static let prefix = "GRANT" }

/// An approval of one action with its exact parameters.
public typealias ApprovalID = RecordID<ApprovalRecord>
/// One attempt to run an action against Okta.
public typealias ActionRunID = RecordID<ActionRunRecord>
/// A temporary grant of access with a scheduled revoke.
public typealias GrantID = RecordID<GrantRecord>

/// The kind of a plan's id: `PLAN-3`.
public enum PlanRecord: RecordKind { public static let prefix = "PLAN" }
/// A playbook resolved into exact steps for one request: `PLAN-3`.
public typealias PlanID = RecordID<PlanRecord>
