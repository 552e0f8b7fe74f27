/// The validated fields of a request about to be created.
public struct NewRequest: Sendable, Equatable {
    public static let maxSubjectLength = 200
    public static let maxBodyLength = 20_000
    public static let defaultCategory = "general"

    public let requester: EmailAddress
    public let subject: String
    public let body: String
    public let category: String
    public let priority: Priority
    public let externalID: String?
    /// Where the request starts; imports and the demo may start elsewhere than `new`.
    public let status: RequestStatus

    public init(
        requester: EmailAddress, subject: String, body: String = "", category: String? = nil,
        priority: Priority = .normal, externalID: String? = nil, status: RequestStatus = .new
    ) throws(ValidationError) {
        try PlainText.check(subject, "the subject", atMostBytes: Self.maxSubjectLength * 4)
        try PlainText.check(body, "the body", atMostBytes: Self.maxBodyLength * 4)
        let subject = subject.trimmingSpaces(.whitespacesAndNewlines)
        guard !subject.isEmpty else { throw ValidationError("the subject is empty; say in a few words what the requester needs") }
        guard PlainText.hasAtMost(Self.maxSubjectLength, charactersIn: subject) else {
            throw ValidationError("the subject is \(subject.count) characters; keep it to \(Self.maxSubjectLength) and put the rest in the body")
        }
        guard PlainText.hasAtMost(Self.maxBodyLength, charactersIn: body) else {
            throw ValidationError("the body is \(body.count) characters; the limit is \(Self.maxBodyLength)")
        }
        try PlainText.check(subject, "the subject", lines: false)
        try PlainText.check(body, "the body", lines: true)
        self.requester = requester
        self.subject = subject
        self.body = body
        self.category = try Self.validCategory(category ?? Self.defaultCategory)
        self.priority = priority
        self.externalID = try externalID.map(Self.validExternalID)
        self.status = status
    }

    /// Categories are short kebab-case words such as `mfa`, `access`, `lockout`.
    public static func validCategory(_ text: String) throws(ValidationError) -> String {
        try PlainText.check(text, "the category", atMostBytes: 128)
        let lowered = text.trimmingSpaces(.whitespaces).lowercased()
        guard (1...32).contains(lowered.count),
              lowered.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" })
        else {
            throw ValidationError("category \"\(TextSafety.quoted(text))\" must be 1–32 letters, digits or dashes (e.g. mfa, access, lockout)")
        }
        return lowered
    }

    static func validExternalID(_ text: String) throws(ValidationError) -> String {
        try PlainText.check(text, "externalId", atMostBytes: 512)
        let trimmed = text.trimmingSpaces(.whitespaces)
        guard !trimmed.isEmpty, PlainText.hasAtMost(128, charactersIn: trimmed), !trimmed.unicodeScalars.contains(where: PlainText.isControl) else {
            throw ValidationError("externalId must be 1–128 printable characters")
        }
        return trimmed
    }
}

/// Over the service boundary a new request is checked again as it is read; it always starts new.
extension NewRequest: Codable {
    private enum Keys: String, CodingKey { case requester, subject, body, category, priority, externalId }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        do {
            try self.init(
                requester: try container.decode(EmailAddress.self, forKey: .requester), subject: try container.decode(String.self, forKey: .subject),
                body: try container.decodeIfPresent(String.self, forKey: .body) ?? "", category: try container.decodeIfPresent(String.self, forKey: .category),
                priority: try container.decodeIfPresent(Priority.self, forKey: .priority) ?? .normal,
                externalID: try container.decodeIfPresent(String.self, forKey: .externalId))
        } catch let error as ValidationError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(requester, forKey: .requester)
        try container.encode(subject, forKey: .subject)
        try container.encode(body, forKey: .body)
        try container.encode(category, forKey: .category)
        try container.encode(priority, forKey: .priority)
        try container.encodeIfPresent(externalID, forKey: .externalId)
    }
}
