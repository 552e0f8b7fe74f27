import Foundation

/// How long temporary access lasts: `1d`, `3d`, `1w`, `2w`, `1mo`, `3mo`, or a custom `90m`, `36h`,
/// `10d`. A person types at least a minute (`init(typed:)`); seconds are read back where stored.
public struct AccessDuration: Hashable, Sendable, CustomStringConvertible {
    public enum Unit: String, Sendable, CaseIterable {
        case seconds = "s", minutes = "m", hours = "h", days = "d", weeks = "w", months = "mo"

        var noun: String {
            switch self {
            case .seconds: "second"
            case .minutes: "minute"
            case .hours: "hour"
            case .days: "day"
            case .weeks: "week"
            case .months: "month"
            }
        }
    }

    public let value: Int
    public let unit: Unit

    public init(_ value: Int, _ unit: Unit) {
        self.value = value
        self.unit = unit
    }

    /// The choices the console offers, in order.
    public static let presets: [AccessDuration] = [.init(1, .days), .init(3, .days), .init(1, .weeks), .init(2, .weeks), .init(1, .months), .init(3, .months)]

    /// The longest temporary access accepted: a year.
    static let maximumSeconds: Double = 366 * 86_400

    /// A duration as a person types it: at least a minute, and never `M` alone, which could be
    /// read as a minute or a month (`1M`).
    public init(typed text: String) throws(ValidationError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.count > 1, trimmed.hasSuffix("M"), trimmed.dropLast().allSatisfy(\.isASCIIDigit) {
            throw ValidationError("\"\(TextSafety.quoted(text))\" could be minutes or months; write \(trimmed.dropLast())m for minutes or \(trimmed.dropLast())mo for months")
        }
        let duration = try AccessDuration(parsing: text)
        guard duration.unit != .seconds else {
            throw ValidationError("\"\(TextSafety.quoted(text))\" is in seconds; give minutes or more (90m, 36h, 10d, 2w, 3mo)")
        }
        self = duration
    }

    /// Whether `text` is written as a span (digits, then letters: `30s`, `1M`, `2w`), so a refusal
    /// of it as one says more than "not a date".
    public static func looksLikeSpan(_ text: String) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix(while: \.isASCIIDigit)
        let rest = trimmed.dropFirst(digits.count)
        return !digits.isEmpty && !rest.isEmpty && rest.count <= 3 && rest.allSatisfy { $0.isASCII && $0.isLetter }
    }

    /// A duration as written, seconds included (the stored form).
    public init(parsing text: String) throws(ValidationError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = trimmed.prefix(while: \.isASCIIDigit)
        let suffix = String(trimmed.dropFirst(digits.count))
        if !digits.isEmpty, digits.allSatisfy({ $0 == "0" }), Unit(rawValue: suffix) != nil {
            throw ValidationError("\"\(TextSafety.quoted(text))\" is no time at all; give a minute or more (90m, 36h, 10d, 2w, 3mo)")
        }
        guard !digits.isEmpty, digits.count <= 6, let value = Int(digits), value > 0, let unit = Unit(rawValue: suffix) else {
            throw ValidationError("\"\(TextSafety.quoted(text))\" is not a duration (expected a number and a unit: 90m, 36h, 10d, 2w, 3mo; or 1d 3d 1w 2w 1mo 3mo)")
        }
        let duration = AccessDuration(value, unit)
        guard duration.approximateSeconds <= Self.maximumSeconds else {
            throw ValidationError("\"\(TextSafety.quoted(text))\" is longer than a year; give 366 days (or 12mo) at most")
        }
        self = duration
    }

    /// `1w`, `90m`.
    public var description: String { "\(value)\(unit.rawValue)" }

    /// `1 week`, `90 minutes`.
    public var spoken: String { "\(value) \(unit.noun)\(value == 1 ? "" : "s")" }

    /// When access given at `start` ends. Months are calendar months in UTC.
    public func end(from start: Date) -> Date {
        switch unit {
        case .seconds: return start.addingTimeInterval(Double(value))
        case .minutes: return start.addingTimeInterval(Double(value) * 60)
        case .hours: return start.addingTimeInterval(Double(value) * 3_600)
        case .days: return start.addingTimeInterval(Double(value) * 86_400)
        case .weeks: return start.addingTimeInterval(Double(value) * 604_800)
        case .months:
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = .gmt
            return calendar.date(byAdding: .month, value: value, to: start) ?? start.addingTimeInterval(Double(value) * 2_629_800)
        }
    }

    var approximateSeconds: Double {
        switch unit {
        case .seconds: Double(value)
        case .minutes: Double(value) * 60
        case .hours: Double(value) * 3_600
        case .days: Double(value) * 86_400
        case .weeks: Double(value) * 604_800
        // Twelve calendar months are at most 366 days, as the limit is; thirteen are more.
        case .months: Double(value) * 30.5 * 86_400
        }
    }
}

extension AccessDuration: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
