import Foundation
import HelpdeskCore
#if canImport(Glibc)
import Glibc
#endif

extension DisplayZone {
    /// The system's zone as the C library reads it (`TZ`, else `/etc/localtime`, as `date` does),
    /// not through Foundation's time zones: those keep ICU's code and tables in the console's
    /// memory for the sake of a clock on screen, and take a `TZ` rule or path they cannot read for
    /// UTC. A moment the C library cannot place (beyond what `LocalTime` shows) is given offset 0.
    static let system = DisplayZone(name: "system") { date in
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard seconds.isFinite, abs(seconds) <= LocalTime.farthest else { return 0 }
        var time = time_t(seconds)
        var fields = tm()
        guard localtime_r(&time, &fields) != nil else { return 0 }
        return Int(fields.tm_gmtoff)
    }
}
