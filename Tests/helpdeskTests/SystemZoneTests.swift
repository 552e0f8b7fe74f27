import Foundation
@testable import helpdesk
import HelpdeskCore
import Testing

/// The system's zone, as the C library reads it: with `TZ` unset (as here) it is the one Foundation
/// reads from `/etc/localtime` too. `ProcessTests` runs the program under `TZ` values Foundation
/// cannot read; here a moment no clock can show is placed without a crash.
@Suite struct SystemZoneTests {
    static let moments: [TimeInterval] = [0, -1, 951_782_400, 1_710_054_000, 1_730_613_599, 1_796_083_200.5, -2_208_988_800, 4_102_444_799]

    @Test func theSystemZoneIsTheOneFoundationReads() {
        for seconds in Self.moments + [Date().timeIntervalSince1970] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(DisplayZone.system.secondsFromGMT(at: date) == TimeZone.current.secondsFromGMT(for: date), "at \(seconds)")
        }
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, 1e300, -1e300, Double.greatestFiniteMagnitude])
    func aMomentNoClockCanShowIsPlacedWithoutACrash(_ seconds: Double) {
        let time = LocalTime(Date(timeIntervalSince1970: seconds), in: .system)
        #expect((1...12).contains(time.month) && (1...31).contains(time.day) && (0...23).contains(time.hour))
    }
}
