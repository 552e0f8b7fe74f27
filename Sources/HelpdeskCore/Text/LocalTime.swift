import Foundation

/// A moment's wall-clock fields in a display zone, worked out with integers from the zone's offset
/// (`Timestamp.civilDate`), and the ways the console and the command line print them.
public struct LocalTime: Sendable, Equatable {
    public let year: Int
    public let month: Int
    public let day: Int
    public let hour: Int
    public let minute: Int
    public let second: Int

    /// Seconds from 1970 past which a moment is shown as the farthest one (about the year 5138):
    /// a time read from outside cannot overflow the arithmetic.
    public static let farthest = 1e11

    public init(_ date: Date, in zone: DisplayZone) {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let clamped = seconds.isFinite ? min(max(seconds, -Self.farthest), Self.farthest) : 0
        let local = Int64(clamped) + Int64(zone.secondsFromGMT(at: Date(timeIntervalSince1970: clamped)))
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let ofDay = Int(local - days * 86_400)
        (year, month, day) = Timestamp.civilDate(daysSince1970: days)
        hour = ofDay / 3600
        minute = ofDay / 60 % 60
        second = ofDay % 60
    }

    /// `11-23 14:02`
    public var monthDayClock: String { "\(Self.two(month))-\(Self.two(day)) \(Self.two(hour)):\(Self.two(minute))" }

    /// `2026-11-23 14:02`
    public var dateClock: String { "\(Self.four(year))-\(Self.two(month))-\(Self.two(day)) \(Self.two(hour)):\(Self.two(minute))" }

    /// `14:02:31`
    public var clockSeconds: String { "\(Self.two(hour)):\(Self.two(minute)):\(Self.two(second))" }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    private static func four(_ value: Int) -> String { (0..<1000).contains(value) ? String(String(value + 10_000).dropFirst()) : "\(value)" }
}
