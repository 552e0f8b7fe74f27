import Foundation

/// When a plan is to run, as a person types it: nothing (as soon as it may), an ISO 8601 time
/// (`2026-12-04T17:00:00Z`), a local date and time (`2026-12-04 17:00`), or a span from now (`3d`,
/// `2h`, `45m`). A time that has passed is refused.
public enum PlanTime {
    /// Reads `text` as a time to come; a local date and time is read in `zone`, the zone the
    /// console and the command line show times in.
    public static func parse(_ text: String, now: Date, zone: DisplayZone) throws -> Date? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return nil }
        let date: Date
        if AccessDuration.looksLikeSpan(text) {
            do {
                date = try AccessDuration(typed: text).end(from: now)
            } catch {
                throw Refusal(error.message)
            }
        } else if text.count > 10, let parsed = Timestamp.parse(text) {
            date = parsed
        } else if let wanted = wallClock(text) {
            guard wanted < latest else { throw tooFarAhead(text) }
            let moments = moments(showing: wanted, in: zone)
            guard let first = moments.first else {
                throw Refusal("\(text) does not happen in this time zone (the clocks go forward past it); give a later time, or one with its offset")
            }
            if moments.count > 1 {
                throw Refusal("\(text) happens twice in this time zone (the clocks go back); give it as \(Timestamp.iso8601(first)) for the first time or \(Timestamp.iso8601(moments[1])) for the second")
            }
            date = first
        } else {
            throw Refusal("\"\(TextSafety.quoted(text))\" is not a time (expected 2026-12-04 17:00, 2026-12-04T17:00:00Z, or a span such as 3d or 2h)")
        }
        guard date > now else { throw Refusal("\(Timestamp.iso8601(date)) has passed; give a time to come, or nothing to run as soon as it may") }
        guard date.timeIntervalSince1970 < TimeInterval(latest) else { throw tooFarAhead(text) }
        return date
    }

    private static func tooFarAhead(_ text: String) -> Refusal {
        Refusal("\(TextSafety.quoted(text)) is too far ahead: a plan runs before 5000-01-01")
    }

    /// The first local time a plan cannot be given, well inside what `LocalTime` can show.
    private static let latest = Timestamp.daysSince1970(year: 5000, month: 1, day: 1) * 86_400

    /// `YYYY-MM-DD HH:MM` as seconds from 1970 on a clock with no offset, or nil when it is not one.
    private static func wallClock(_ text: String) -> Int64? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let dayParts = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        let timeParts = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard dayParts.map(\.count) == [4, 2, 2], [1, 2].contains(timeParts.first?.count ?? 0), timeParts.count == 2, timeParts[1].count == 2,
              (dayParts + timeParts).allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        let day = dayParts.compactMap { Int($0) }
        let time = timeParts.compactMap { Int($0) }
        guard (1...12).contains(day[1]), (0...23).contains(time[0]), (0...59).contains(time[1]) else { return nil }
        let days = Timestamp.daysSince1970(year: day[0], month: day[1], day: day[2])
        // 2026-02-30 is no day: it would come back as March 2nd.
        guard Timestamp.civilDate(daysSince1970: days) == (day[0], day[1], day[2]) else { return nil }
        return days * 86_400 + Int64(time[0] * 3600 + time[1] * 60)
    }

    /// Every moment whose clock in `zone` reads `wall`, earliest first: none where the clocks skip
    /// it, two where they go back over it. The zone's offsets a day either side and at the clock's
    /// own reading are tried (no offset is more than 26 hours).
    private static func moments(showing wall: Int64, in zone: DisplayZone) -> [Date] {
        let offsets = Set([-26 * 3600, 0, 26 * 3600].map { zone.secondsFromGMT(at: Date(timeIntervalSince1970: TimeInterval(wall + Int64($0)))) })
        let wanted = LocalTime(Date(timeIntervalSince1970: TimeInterval(wall)), in: .utc)
        return Set(offsets.map { wall - Int64($0) })
            .map { Date(timeIntervalSince1970: TimeInterval($0)) }
            .filter { LocalTime($0, in: zone) == wanted }
            .sorted()
    }
}
