import Foundation

/// ISO 8601 times in UTC, as written in JSON and exports.
public enum Timestamp {
    /// `2026-11-23T14:02:31.120Z`
    public static func iso8601(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }

    /// Reads `2026-11-23T14:02:31Z`, with fractional seconds or an offset, or a bare date `2026-11-23` (UTC midnight).
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        if text.count == 10, let date = try? Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().parse(text) { return date }
        return nil
    }
}
