import Foundation

/// A value bound to a statement parameter, on either engine.
public enum SQLValue: Sendable, Equatable {
    case integer(Int64)
    case text(String)
    case null

    public static func optional(_ text: String?) -> SQLValue { text.map(SQLValue.text) ?? .null }
    public static func int(_ value: Int) -> SQLValue { .integer(Int64(value)) }
    public static func time(_ date: Date) -> SQLValue { .integer(StoreTime.milliseconds(date)) }
}

/// Times are stored as integer milliseconds since 1970 (UTC), on both engines.
public enum StoreTime {
    public static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    public static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
