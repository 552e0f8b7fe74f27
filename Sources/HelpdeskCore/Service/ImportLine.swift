import Foundation

/// One line of an import file: a JSON object with `requester`, `subject`, `externalId`, and
/// optionally `body`, `category`, `priority`. Reading it either gives a request to create or
/// the reason the line was refused.
public enum ImportLine {
    public static let keys: Set<String> = ["requester", "subject", "body", "category", "priority", "externalId"]
    public static let maxExternalIDLength = 200
    /// Longer lines are refused unread: a body is at most 20,000 characters.
    public static let maxLineBytes = 256 * 1024

    public static func parse(_ line: Substring) throws(ValidationError) -> NewRequest {
        guard line.utf8.count <= maxLineBytes else {
            throw ValidationError("the line is longer than \(maxLineBytes / 1024) KiB")
        }
        let object = try members(line)
        if let unknown = object.keys.sorted().first(where: { !keys.contains($0) }) {
            throw ValidationError("unknown key \"\(TextSafety.quoted(unknown, limit: 40))\"; expected \(keys.sorted().joined(separator: ", "))")
        }
        let externalID = try required(object, "externalId")
        guard PlainText.hasAtMost(maxExternalIDLength, charactersIn: externalID), !externalID.unicodeScalars.contains(where: PlainText.isControl) else {
            throw ValidationError("externalId must be at most \(maxExternalIDLength) characters with no control characters")
        }
        let requesterText = try required(object, "requester")
        let requester: EmailAddress
        do {
            requester = try EmailAddress(requesterText)
        } catch {
            throw ValidationError("requester: \(error.message)")
        }
        return try NewRequest(
            requester: requester,
            subject: try required(object, "subject"),
            body: try optional(object, "body") ?? "",
            category: try optional(object, "category"),
            priority: try optional(object, "priority").map(Priority.parse) ?? .normal,
            externalID: externalID
        )
    }

    /// A member's value as far as the checks care.
    private enum Member {
        case text(String)
        case null
        case other
    }

    /// The line's members: read directly when the line is a flat object of strings (nearly
    /// every line), by Foundation's parser otherwise, once its grammar is checked strictly.
    private static func members(_ line: Substring) throws(ValidationError) -> [String: Member] {
        if let flat = FlatJSONObject.read(line) {
            return flat.mapValues { $0.map(Member.text) ?? .null }
        }
        // Foundation's parser is lenient where a feed's mistake would change what is imported.
        if let problem = JSONSyntax.problem(in: line) { throw ValidationError("not valid JSON: \(problem)") }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(line.utf8))
        } catch {
            throw ValidationError("not valid JSON")
        }
        guard let object = parsed as? [String: Any] else { throw ValidationError("expected a JSON object on the line") }
        return object.mapValues { value in
            if let text = value as? String { return .text(text) }
            return value is NSNull ? .null : .other
        }
    }

    private static func required(_ object: [String: Member], _ key: String) throws(ValidationError) -> String {
        guard let text = try optional(object, key) else { throw ValidationError("\(key) is missing") }
        return text
    }

    private static func optional(_ object: [String: Member], _ key: String) throws(ValidationError) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .text(let text)?: return text
        case .other?: throw ValidationError("\(key) must be a string")
        }
    }
}

/// One line of an import as the client read it: its number in the input and its text.
public struct ImportInput: Sendable, Equatable, Codable {
    public let line: Int
    public let text: String

    public init(line: Int, text: String) {
        self.line = line
        self.text = text
    }
}

/// What an import did with each line.
public struct ImportReport: Sendable, Equatable, Codable {
    /// A request created from a line, or found already imported.
    public struct Created: Sendable, Equatable, Codable {
        public let line: Int
        public let id: String
        public let externalId: String

        public init(line: Int, id: String, externalId: String) {
            self.line = line
            self.id = id
            self.externalId = externalId
        }
    }

    /// A line that was not imported, and why.
    public struct Refused: Sendable, Equatable, Codable {
        public let line: Int
        public let reason: String

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }
    }

    public var imported: [Created] = []
    public var alreadyImported: [Created] = []
    public var refused: [Refused] = []

    public init() {}

    /// Adds another batch's report to this one.
    public mutating func add(_ other: ImportReport) {
        imported += other.imported
        alreadyImported += other.alreadyImported
        refused += other.refused
    }
}
