import Foundation
@testable import helpdesk
import HelpdeskCore
import Testing

/// The system's zone, as the C library reads it. Its offsets are checked where they can differ
/// from UTC: `ProcessTests` runs the program under `TZ` values, some Foundation cannot read (here,
/// with no `TZ`, the machine's zone may be UTC, where a zone that always said 0 would pass). Here a
/// moment no clock can show is placed without a crash.
@Suite struct SystemZoneTests {
    @Test(arguments: [Double.nan, .infinity, -.infinity, 1e300, -1e300, Double.greatestFiniteMagnitude])
    func aMomentNoClockCanShowIsPlacedWithoutACrash(_ seconds: Double) {
        #expect(DisplayZone.system.secondsFromGMT(at: Date(timeIntervalSince1970: seconds)) == 0)
        let time = LocalTime(Date(timeIntervalSince1970: seconds), in: .system)
        #expect((1...12).contains(time.month) && (1...31).contains(time.day) && (0...23).contains(time.hour))
    }
}
