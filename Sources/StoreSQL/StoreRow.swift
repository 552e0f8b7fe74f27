import Foundation

/// One row of a result, read by column index (from 0). Each engine's row conforms.
public protocol StoreRow: SendableMetatype {
    func isNull(_ column: Int32) -> Bool
    func int64(_ column: Int32) -> Int64
    func text(_ column: Int32) -> String
}

extension StoreRow {
    @inlinable public func int(_ column: Int32) -> Int { Int(int64(column)) }
    @inlinable public func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
    @inlinable public func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }
    @inlinable public func date(_ column: Int32) -> Date { StoreTime.date(int64(column)) }
    @inlinable public func optionalDate(_ column: Int32) -> Date? { isNull(column) ? nil : StoreTime.date(int64(column)) }
}
