import Foundation

/// The time zone times are shown in, and local times typed are read in, as its offset from UTC at
/// each moment. The program shows them in the system's zone as the C library reads it (the
/// executable's `DisplayZone.system`); tests give a Foundation zone. Equal zones have equal names.
public struct DisplayZone: Sendable, Equatable {
    /// What the zone is (`UTC`, `Europe/Paris`, `system`).
    public let name: String
    private let offset: @Sendable (Date) -> Int

    /// A zone whose offset at a moment `offset` gives, in seconds east of UTC.
    public init(name: String, offset: @escaping @Sendable (Date) -> Int) {
        self.name = name
        self.offset = offset
    }

    /// A Foundation time zone.
    public static func fixed(_ zone: TimeZone) -> DisplayZone {
        DisplayZone(name: zone.identifier) { zone.secondsFromGMT(for: $0) }
    }

    public static let utc = DisplayZone(name: "UTC") { _ in 0 }

    /// Seconds east of UTC at `date`.
    public func secondsFromGMT(at date: Date) -> Int { offset(date) }

    public static func == (left: DisplayZone, right: DisplayZone) -> Bool { left.name == right.name }
}
