import Foundation

/// Short ages for tables: `now`, `5m`, `3h`, `2d`, `6w`, `2y`.
public enum Age {
    public static func short(from date: Date, to now: Date) -> String {
        let seconds = max(0, now.timeIntervalSince(date))
        switch seconds {
        case ..<60: return "now"
        case ..<3_600: return "\(Int(seconds / 60))m"
        case ..<86_400: return "\(Int(seconds / 3_600))h"
        case ..<(86_400 * 14): return "\(Int(seconds / 86_400))d"
        case ..<(86_400 * 365): return "\(Int(seconds / 604_800))w"
        default: return "\(Int(seconds / (86_400 * 365)))y"
        }
    }
}
