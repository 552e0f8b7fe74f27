/// How urgent a request is; the queue shows urgent first.
public enum Priority: String, CaseIterable, Sendable, Codable, Comparable {
    case low, normal, high, urgent

    /// 0 for urgent up to 3 for low: the queue's sort key, ascending.
    public var urgencyRank: Int {
        switch self {
        case .urgent: 0
        case .high: 1
        case .normal: 2
        case .low: 3
        }
    }

    public init?(urgencyRank: Int) {
        guard let match = Self.allCases.first(where: { $0.urgencyRank == urgencyRank }) else { return nil }
        self = match
    }

    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.urgencyRank > rhs.urgencyRank }

    /// Parses a priority as typed on the command line.
    public static func parse(_ text: String) throws(ValidationError) -> Priority {
        guard let priority = Priority(rawValue: text.lowercased()) else {
            throw ValidationError("unknown priority \"\(TextSafety.quoted(text))\" (expected low, normal, high or urgent)")
        }
        return priority
    }
}
