import Foundation
import HelpdeskCore
import Testing

/// Wall-clock times worked out with integers agree with Foundation's calendar from 1582 on (before
/// it Foundation's turns Julian; these stay Gregorian, as ISO 8601 does), in zones with summer
/// time, half and quarter hours. The system's zone, read through the C library, is the program's:
/// helpdeskTests holds it to Foundation's and runs the program under `TZ` values Foundation
/// cannot read.
///
/// Serialized: its cases are synchronous work, and the test pool has two threads that tests
/// waiting on engines and servers also need.
@Suite(.serialized) struct LocalTimeTests {
    static let zones = ["UTC", "America/New_York", "Europe/London", "Asia/Kolkata", "Pacific/Chatham", "Australia/Lord_Howe", "America/St_Johns", "Pacific/Kiritimati"]

    /// Moments around summer-time changes, the turn of a year, leap days, and before 1970.
    static let moments: [TimeInterval] = [
        0, -1, -86_401, 951_782_400, 1_710_054_000, 1_710_053_999, 1_730_613_600, 1_730_613_599,
        1_735_689_599, 1_735_689_600, 1_709_164_800, 1_796_083_200.5, -2_208_988_800, 4_102_444_799,
    ]

    static func expected(_ date: Date, _ zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    static func shown(_ time: LocalTime) -> String {
        String(format: "%04d-%02d-%02d %02d:%02d:%02d", time.year, time.month, time.day, time.hour, time.minute, time.second)
    }

    @Test(arguments: zones)
    func aGivenZoneGivesTheCalendarsFields(_ identifier: String) throws {
        let zone = try #require(TimeZone(identifier: identifier))
        for seconds in Self.moments {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(Self.shown(LocalTime(date, in: .fixed(zone))) == Self.expected(date, zone), "\(identifier) at \(seconds)")
        }
    }

    @Test func theFormatsAreTheConsolesAndTheCommandLines() throws {
        let date = Date(timeIntervalSince1970: 1_795_960_951) // 2026-11-29 14:02:31 UTC
        let utc = LocalTime(date, in: .fixed(try #require(TimeZone(identifier: "UTC"))))
        #expect(utc.monthDayClock == "11-29 14:02")
        #expect(utc.dateClock == "2026-11-29 14:02")
        #expect(utc.clockSeconds == "14:02:31")
        let kolkata = LocalTime(date, in: .fixed(try #require(TimeZone(identifier: "Asia/Kolkata"))))
        #expect(kolkata.dateClock == "2026-11-29 19:32")
        // Proleptic Gregorian, as Python's datetime and ISO 8601 count (Foundation's calendar says 36-12-28, Julian).
        #expect(LocalTime(Date(timeIntervalSince1970: -61_000_000_000), in: .fixed(.gmt)).dateClock == "0036-12-26 11:33")
    }

    /// A time typed for a plan is read in the zone it is then shown in: every time a zone's clock
    /// shows once is read back as itself; a time it skips or shows twice is refused.
    @Test(arguments: zones)
    func aTypedTimeIsShownAsTyped(_ identifier: String) throws {
        let zone = DisplayZone.fixed(try #require(TimeZone(identifier: identifier)))
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        var refused = 0
        // Every 15 minutes from midnight to 04:45 on the nights of 2026's clock changes in either
        // hemisphere (they all change between 01:00 and 03:45), and on a night in summer.
        for start in ["2026-03-08", "2026-03-29", "2026-04-05", "2026-09-27", "2026-10-04", "2026-10-25", "2026-11-01", "2026-07-01"] {
            for quarter in 0..<(5 * 4) {
                let typed = "\(start) \(String(format: "%02d:%02d", quarter / 4, quarter % 4 * 15))"
                do {
                    let date = try #require(try PlanTime.parse(typed, now: now, zone: zone))
                    #expect(LocalTime(date, in: zone).dateClock == typed, "\(identifier): \(typed) was read as \(Timestamp.iso8601(date))")
                } catch let refusal as Refusal {
                    refused += 1
                    #expect(refusal.message.contains("happens twice") || refusal.message.contains("does not happen"), "\(refusal.message)")
                }
            }
        }
        // A zone with summer time skips and repeats an hour (Lord Howe half an hour) on its nights; the others never refuse.
        let changes = ["America/New_York": 8, "Europe/London": 8, "Australia/Lord_Howe": 4, "America/St_Johns": 8, "Pacific/Chatham": 8]
        #expect(refused == changes[identifier, default: 0], "\(identifier): \(refused) refused")
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, 1e300, -1e300, Double.greatestFiniteMagnitude])
    func aMomentNoClockCanShowIsClampedNotACrash(_ seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        for zone in [DisplayZone.utc, .fixed(.gmt), .fixed(TimeZone(identifier: "America/New_York")!)] {
            let time = LocalTime(date, in: zone)
            #expect((1...12).contains(time.month) && (1...31).contains(time.day) && (0...23).contains(time.hour))
        }
    }
}
