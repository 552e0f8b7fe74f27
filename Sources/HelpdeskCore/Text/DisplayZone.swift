import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The time zone times are shown in: the system's, as the C library reads it (`TZ`, else
/// `/etc/localtime`, as `date` does), or a given one. The system's offset is not asked of
/// Foundation's time zones, whose ICU code and tables would stay in the console's memory for the
/// sake of a clock on screen.
public enum DisplayZone: Sendable, Equatable {
    case system
    case fixed(TimeZone)

    /// Seconds east of UTC at `date` (0 for a moment the C library cannot place).
    public func secondsFromGMT(at date: Date) -> Int {
        switch self {
        case .fixed(let zone):
            return zone.secondsFromGMT(for: date)
        case .system:
            let seconds = date.timeIntervalSince1970.rounded(.down)
            guard seconds.isFinite, abs(seconds) <= LocalTime.farthest else { return 0 }
            var time = time_t(seconds)
            var fields = tm()
            guard localtime_r(&time, &fields) != nil else { return 0 }
            return Int(fields.tm_gmtoff)
        }
    }
}
