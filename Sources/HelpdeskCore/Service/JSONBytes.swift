/// A place in a line's UTF-8 bytes and the steps both JSON readers take from it (the quick reader
/// of flat import lines, `FlatJSONObject`, and the strict check, `JSONSyntax`): a given byte, the
/// blanks JSON allows, four hex digits.
struct JSONBytes {
    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Steps over `byte` when it is next.
    mutating func take(_ byte: UInt8) -> Bool {
        guard at < bytes.count, bytes[at] == byte else { return false }
        at += 1
        return true
    }

    /// Steps over spaces, tabs, line feeds and carriage returns.
    mutating func skipSpace() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x09 || bytes[at] == 0x0A || bytes[at] == 0x0D { at += 1 }
    }

    /// The value of the four hex digits next, or nil where one is not (after the digits read).
    mutating func hex4() -> UInt32? {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard at < bytes.count, let digit = Self.hexDigit(bytes[at]) else { return nil }
            value = value << 4 | digit
            at += 1
        }
        return value
    }

    static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
