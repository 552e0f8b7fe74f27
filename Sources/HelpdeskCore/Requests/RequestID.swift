/// The number of a request, shown to people as `REQ-<n>`.
public struct RequestID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let number: Int64

    public init(_ number: Int64) {
        self.number = number
    }

    /// Reads `REQ-12`, `req-12` or `12`; anything else is nil.
    public init?(parsing text: String) {
        var digits = Substring(text.trimmingCharacters(in: .whitespaces))
        if digits.uppercased().hasPrefix("REQ-") { digits = digits.dropFirst(4) }
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy(\.isASCIIDigit),
              let number = Int64(digits), number > 0 else { return nil }
        self.number = number
    }

    public var description: String { "REQ-\(number)" }

    /// Reads exactly what `description` writes, `REQ-<n>`, without `parsing`'s leniency: for ids
    /// this program wrote, read in bulk.
    public init?(described text: String) {
        let digits = text.utf8.dropFirst(4)
        guard text.hasPrefix("REQ-"), !digits.isEmpty, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let number = Int64(Substring(digits)), number > 0 else { return nil }
        self.number = number
    }

    public static func < (lhs: RequestID, rhs: RequestID) -> Bool { lhs.number < rhs.number }
}

extension RequestID: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self), number > 0 {
            self.number = number
            return
        }
        let text = try container.decode(String.self)
        guard let parsed = RequestID(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a request id: \(text)")
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
