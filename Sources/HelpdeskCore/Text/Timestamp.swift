import Foundation

/// ISO 8601 times in UTC, as written in JSON and exports.
public enum Timestamp {
    /// `2026-11-23 14:02 UTC`: a time in a sentence a person reads (the timeline, a command's
    /// answer), to the minute and saying its zone; machines get `iso8601`.
    public static func readable(_ date: Date) -> String {
        let exact = iso8601(date)
        guard exact.utf8.count == 24 else { return exact }
        return String(exact.prefix(10)) + " " + String(exact.dropFirst(11).prefix(5)) + " UTC"
    }

    /// `2026-11-23T14:02:31.120Z`
    /// `2026-11-23T14:02:31.120Z`, to the nearest millisecond (a time read back from the store,
    /// whole milliseconds in a `Double`, often lies just below its millisecond, and a formatter
    /// cuts the fraction off). Worked out with integers (an export writes a million of these);
    /// years outside 1–9999 go to Foundation.
    public static func iso8601(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        guard abs(milliseconds) < 2.5e14 else { return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)) }
        let total = Int64(milliseconds)
        let seconds = total >= 0 ? total / 1000 : (total - 999) / 1000
        let fraction = Int(total - seconds * 1000)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let ofDay = Int(seconds - days * 86_400)
        let (year, month, day) = civilDate(daysSince1970: days)
        guard (1...9999).contains(year) else { return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)) }
        // `2026-11-23T14:02:31.120Z`: 24 bytes written in place (export writes one per event).
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var at = 0
            func digits(_ value: Int, _ width: Int, then separator: UInt8) {
                var rest = value
                for place in stride(from: width - 1, through: 0, by: -1) {
                    buffer[at + place] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                buffer[at + width] = separator
                at += width + 1
            }
            digits(year, 4, then: UInt8(ascii: "-"))
            digits(month, 2, then: UInt8(ascii: "-"))
            digits(day, 2, then: UInt8(ascii: "T"))
            digits(ofDay / 3600, 2, then: UInt8(ascii: ":"))
            digits(ofDay / 60 % 60, 2, then: UInt8(ascii: ":"))
            digits(ofDay % 60, 2, then: UInt8(ascii: "."))
            digits(fraction, 3, then: UInt8(ascii: "Z"))
            return at
        }
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's days-to-civil).
    public static func civilDate(daysSince1970 days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(day))
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days-from-civil, the
    /// inverse of `civilDate`).
    public static func daysSince1970(year: Int, month: Int, day: Int) -> Int64 {
        let shiftedYear = Int64(month <= 2 ? year - 1 : year)
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = Int64((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1)
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Reads `2026-11-23T14:02:31Z`, with fractional seconds or an offset, or a bare date `2026-11-23`
    /// (UTC midnight). A date or time that does not exist (`2026-02-30`, `T35:00`) is nil, not
    /// rolled over into the days or hours after it as Foundation's parser would.
    public static func parse(_ text: String) -> Date? {
        guard namesARealMoment(Array(text.utf8)) else { return nil }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        if text.count == 10, let date = try? Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().parse(text) { return date }
        return nil
    }

    /// Whether `YYYY-MM-DD`, and the `hh:mm` or `hh:mm:ss` after it, are each in range.
    private static func namesARealMoment(_ text: [UInt8]) -> Bool {
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= text.count else { return nil }
            var value = 0
            for byte in text[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), (1...12).contains(month) else { return false }
        // A day past its month's end comes back as another date.
        guard civilDate(daysSince1970: daysSince1970(year: year, month: month, day: day)) == (year, month, day) else { return false }
        guard text.count > 10 else { return true }
        guard let hour = number(11..<13), let minute = number(14..<16), hour < 24, minute < 60 else { return false }
        if text.count > 16, text[16] == UInt8(ascii: ":") {
            guard let second = number(17..<19), second < 60 else { return false }
        }
        // An offset, `+05:30` or `-0800`: its minutes under 60, its hours under 24 (Foundation then
        // takes none past 18:00).
        guard let sign = text[16...].firstIndex(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }) else { return true }
        let minutesAt = text.count > sign + 3 && text[sign + 3] == UInt8(ascii: ":") ? sign + 4 : sign + 3
        guard let hours = number(sign + 1..<sign + 3), hours < 24 else { return false }
        guard let minutes = number(minutesAt..<minutesAt + 2) else { return text.count == sign + 3 }
        return minutes < 60
    }
}
