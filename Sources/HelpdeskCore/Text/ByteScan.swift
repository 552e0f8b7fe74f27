/// Looks through a string's UTF-8 bytes where they lie (a native string's own storage), for checks
/// that run over every field of every imported line.
public enum ByteScan {
    /// True when some byte of `text` passes `test`, which sees the bytes in order.
    @inlinable
    public static func contains(_ text: String, where test: (UInt8) -> Bool) -> Bool {
        if let found = text.utf8.withContiguousStorageIfAvailable({ $0.contains(where: test) }) { return found }
        return text.utf8.contains(where: test)
    }
}
