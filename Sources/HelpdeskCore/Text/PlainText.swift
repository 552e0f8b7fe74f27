/// What text people type or import may hold: no control characters (NUL, escape sequences, C1),
/// except line breaks and tabs in text that has lines. Refused with the character named, so
/// nothing is cut or changed silently on its way into the store.
public enum PlainText {
    /// Throws when `text` is longer than `bytes` in UTF-8: a limit in characters alone lets one
    /// letter carry a million combining marks.
    public static func check(_ text: String, _ what: String, atMostBytes bytes: Int) throws(ValidationError) {
        let size = text.utf8.count
        guard size <= bytes else {
            throw ValidationError("\(what) is \(size) bytes; the limit is \(bytes) (about \(bytes / 4) characters of any script)")
        }
    }

    /// Throws when `text` holds a control character; `what` names the field ("the subject").
    public static func check(_ text: String, _ what: String, lines: Bool) throws(ValidationError) {
        guard holdsRefusedBytes(text, lines: lines) else { return }
        guard let bad = text.unicodeScalars.first(where: { isRefused($0, lines: lines) }) else { return }
        let code = String(bad.value, radix: 16, uppercase: true)
        let name = bad.value == 0 ? "a NUL character (U+0000), which text cannot hold" : "the control character U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code)"
        throw ValidationError("\(what) contains \(name); remove it")
    }

    /// True when `text`'s UTF-8 holds a refused character: C0 and DEL are single bytes, C1
    /// (U+0080–U+009F) is 0xC2 followed by 0x80–0x9F. A byte scan, for the import's millions of fields.
    private static func holdsRefusedBytes(_ text: String, lines: Bool) -> Bool {
        var previous: UInt8 = 0
        return ByteScan.contains(text) { byte in
            defer { previous = byte }
            switch byte {
            case 0x0A, 0x09, 0x0D: return !lines
            case 0x00...0x1F, 0x7F: return true
            case 0x80...0x9F: return previous == 0xC2
            default: return false
            }
        }
    }

    /// Cc, the control characters: C0, DEL and C1.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// True when `text` has at most `limit` characters; they are counted only when its bytes are more.
    public static func hasAtMost(_ limit: Int, charactersIn text: String) -> Bool {
        text.utf8.count <= limit || text.count <= limit
    }

    private static func isRefused(_ scalar: Unicode.Scalar, lines: Bool) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09, 0x0D: return !lines
        case 0x00...0x1F, 0x7F...0x9F: return true
        default: return false
        }
    }
}
