import Foundation

/// When a plan is to run, as a person types it: nothing (as soon as it may), an ISO 8601 time
/// (`2026-12-04T17:00:00Z`), a local date and time (`2026-12-04 17:00`), or a span from now (`3d`,
/// `2h`, `45m`). A time that has passed is refused.
public enum PlanTime {
    public static func parse(_ text: String, now: Date, timeZone: TimeZone) throws -> Date? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return nil }
        let date: Date
        if text.first?.isNumber == true, text.count <= 8, let span = try? AccessDuration(parsing: text) {
            date = span.end(from: now)
        } else if text.count > 10, let parsed = Timestamp.parse(text) {
            date = parsed
        } else if let local = localTime(text, timeZone) {
            if ambiguous(local, timeZone) {
                throw Refusal("\(text) happens twice there (the clocks go back); give it with its offset, such as \(Timestamp.iso8601(local))")
            }
            date = local
        } else {
            throw Refusal("\"\(TextSafety.quoted(text))\" is not a time (expected 2026-12-04 17:00, 2026-12-04T17:00:00Z, or a span such as 3d or 2h)")
        }
        guard date > now else { throw Refusal("\(Timestamp.iso8601(date)) has passed; give a time to come, or nothing to run as soon as it may") }
        return date
    }

    /// Whether the same local time comes again within two hours (the clocks went back).
    private static func ambiguous(_ date: Date, _ timeZone: TimeZone) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let local = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return [1_800.0, 3_600, 7_200].contains { calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date.addingTimeInterval($0)) == local }
    }

    /// `YYYY-MM-DD HH:MM` in the operator's time zone; a time the clocks skip (a change to summer
    /// time) is not a time there.
    private static func localTime(_ text: String, _ timeZone: TimeZone) -> Date? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let dayParts = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        let timeParts = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard dayParts.map(\.count) == [4, 2, 2], [1, 2].contains(timeParts.first?.count ?? 0), timeParts.count == 2, timeParts[1].count == 2,
              (dayParts + timeParts).allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        let day = dayParts.compactMap { Int($0) }
        let time = timeParts.compactMap { Int($0) }
        guard (0...23).contains(time[0]), (0...59).contains(time[1]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let wanted = DateComponents(year: day[0], month: day[1], day: day[2], hour: time[0], minute: time[1])
        guard let date = calendar.date(from: wanted),
              calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date) == wanted else { return nil }
        return date
    }
}
