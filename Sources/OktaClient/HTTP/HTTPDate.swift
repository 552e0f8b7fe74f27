import Foundation
import HelpdeskCore

/// HTTP dates in the one form servers send (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110's
/// IMF-fixdate), read and written byte by byte: every Okta answer carries one, and a date
/// formatter cost a third of a millisecond an answer.
public enum HTTPDate {
    /// The date, or nil for anything that is not an IMF-fixdate in GMT (or UTC).
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 29, bytes[3] == comma, bytes[4] == space, bytes[7] == space, bytes[11] == space,
              bytes[16] == space, bytes[19] == colon, bytes[22] == colon, bytes[25] == space,
              weekdays.contains(where: { $0.elementsEqual(bytes[0..<3]) }),
              let month = months.firstIndex(where: { $0.elementsEqual(bytes[8..<11]) }).map({ $0 + 1 }),
              ["GMT", "UTC"].contains(where: { $0.utf8.elementsEqual(bytes[26..<29]) }),
              let day = number(bytes[5..<7]), let year = number(bytes[12..<16]),
              let hour = number(bytes[17..<19]), let minute = number(bytes[20..<22]), let second = number(bytes[23..<25]),
              (1...daysIn(month, of: year)).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        let days = Timestamp.daysSince1970(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + Int64(hour * 3600 + minute * 60 + second)))
    }

    /// `date` as an IMF-fixdate, to the second below it (held within the years 1–9999).
    public static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        let seconds = interval.isFinite ? Int64(min(max(interval, -62_135_596_800), 253_402_300_799).rounded(.down)) : 0
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let ofDay = Int(seconds - days * 86_400)
        let (year, month, day) = Timestamp.civilDate(daysSince1970: days)
        // 1970-01-01 was a Thursday.
        let weekday = Int(((days + 4) % 7 + 7) % 7)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(String(year + 10_000).dropFirst())
        return "\(String(decoding: weekdays[weekday], as: UTF8.self)), \(two(day)) \(String(decoding: months[month - 1], as: UTF8.self)) \(yearText) "
            + "\(two(ofDay / 3600)):\(two(ofDay / 60 % 60)):\(two(ofDay % 60)) GMT"
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].map { Array($0.utf8) }
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].map { Array($0.utf8) }
    private static let comma = UInt8(ascii: ","), space = UInt8(ascii: " "), colon = UInt8(ascii: ":")

    /// Decimal digits only.
    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return value
    }

    private static func daysIn(_ month: Int, of year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
