import Foundation
import HelpdeskCore
@testable import OktaClient
import Testing

/// The `Date` header of every Okta answer, read and written without a date formatter: the same
/// answers as one, and nothing for what is not an HTTP date.
@Suite struct HTTPDateTests {
    static let reference: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }()

    @Test func readsAndWritesWhatADateFormatterDoes() {
        // Every three days and a little from 1900 to 2200, and the edges of leap years.
        var dates = stride(from: -2_208_988_800.0, to: 7_258_118_400.0, by: 259_993).map { Date(timeIntervalSince1970: $0) }
        for text in ["2000-02-29T23:59:59Z", "2024-02-29T00:00:00Z", "2100-03-01T00:00:00Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z"] {
            dates.append(try! Date.ISO8601FormatStyle().parse(text))
        }
        for date in dates {
            let text = Self.reference.string(from: date)
            #expect(HTTPDate.format(date) == text)
            #expect(HTTPDate.parse(text) == date, "\(text)")
        }
        #expect(HTTPDate.format(Date(timeIntervalSince1970: 784_111_777.9)) == "Sun, 06 Nov 1994 08:49:37 GMT", "to the second below")
        #expect(HTTPDate.format(Date(timeIntervalSince1970: -62_135_596_800)) == "Mon, 01 Jan 0001 00:00:00 GMT")
        #expect(HTTPDate.format(Date(timeIntervalSince1970: .infinity)) == "Thu, 01 Jan 1970 00:00:00 GMT", "no crash on a date that is not one")
        #expect(HTTPDate.format(Date(timeIntervalSince1970: 1e300)) == "Fri, 31 Dec 9999 23:59:59 GMT")
    }

    @Test func anythingElseIsNotADate() {
        for text in ["", "Sun, 06 Nov 1994 08:49:37 PST", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
                     "Sun, 06 Nov 1994 08:49:37 GMT ", " Sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GM",
                     "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 29 Feb 2100 08:49:37 GMT", "Sun, 29 Feb 1900 08:49:37 GMT", "Sun, 00 Nov 1994 08:49:37 GMT",
                     "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT", "Sun, 06 Nov 1994 08:49:61 GMT",
                     "Sun, 06 Xyz 1994 08:49:37 GMT", "Sun, 06 nov 1994 08:49:37 GMT", "Dim, 06 Nov 1994 08:49:37 GMT",
                     "Sun, 0x Nov 1994 08:49:37 GMT", "Sun, 06 Nov 19a4 08:49:37 GMT", "Sun, +6 Nov 1994 08:49:37 GMT",
                     "Sun; 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08.49.37 GMT", "Sün, 06 Nov 1994 08:49:37 GMT"] {
            #expect(HTTPDate.parse(text) == nil, "\(text)")
        }
        #expect(HTTPDate.parse("Thu, 29 Feb 2024 12:00:00 UTC") == HTTPDate.parse("Thu, 29 Feb 2024 12:00:00 GMT"))
        #expect(HTTPDate.parse("Sat, 31 Dec 2016 23:59:60 GMT") == HTTPDate.parse("Sun, 01 Jan 2017 00:00:00 GMT"), "a leap second is the next one")
    }

    @Test func daysFromADateAreTheInverseOfTheDateFromDays() {
        for days in stride(from: Int64(-1_000_000), through: 3_000_000, by: 97) {
            let (year, month, day) = Timestamp.civilDate(daysSince1970: days)
            #expect(Timestamp.daysSince1970(year: year, month: month, day: day) == days)
        }
    }
}
