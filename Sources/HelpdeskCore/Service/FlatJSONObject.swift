/// Reads the usual shape of an import line straight from its bytes: one JSON object whose values
/// are strings or null, each key once. Anything else — nested values, numbers, a key twice, a
/// lone surrogate, bytes after the object, text that is not JSON at all — gives nil, and the
/// caller hands the line to Foundation's parser, which decides and explains. So does U+FEFF
/// anywhere in a string: Foundation drops some of them, and a line must read the same either way.
enum FlatJSONObject {
    /// The object's members, or nil when the line is not of that shape.
    static func read(_ text: Substring) -> [String: String?]? {
        var text = text
        return text.withUTF8 { bytes in
            var reader = JSONBytes(bytes: bytes)
            return reader.flatObject()
        }
    }
}

/// The quick reader's steps.
private extension JSONBytes {
    mutating func flatObject() -> [String: String?]? {
        skipSpace()
        guard take(UInt8(ascii: "{")) else { return nil }
        var members: [String: String?] = [:]
        skipSpace()
        if !take(UInt8(ascii: "}")) {
            repeat {
                skipSpace()
                // A long key is left to the strict check, which refuses it before comparing it.
                guard let key = flatString(), key.utf8.count <= JSONSyntax.maxKeyBytes else { return nil }
                skipSpace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                // A string that fails part-way leaves the line to Foundation: what follows
                // a bad escape must not be read as the next value.
                let valueStart = at
                let value: String?
                if let text = flatString() {
                    value = text
                } else if at == valueStart, takeNull() {
                    value = nil
                } else {
                    return nil
                }
                guard members.updateValue(value, forKey: key) == nil else { return nil }
                skipSpace()
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "}")) else { return nil }
        }
        skipSpace()
        return at == bytes.count ? members : nil
    }

    /// A string with its escapes undone; nil at anything JSON does not allow in one.
    mutating func flatString() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = at
        // Most strings have no escapes: one copy of the bytes between the quotes.
        while at < bytes.count, bytes[at] != UInt8(ascii: "\""), bytes[at] != UInt8(ascii: "\\") {
            guard bytes[at] >= 0x20, !isByteOrderMark(at) else { return nil }
            at += 1
        }
        guard at < bytes.count else { return nil }
        var scalars = Array(bytes[start..<at])
        while at < bytes.count {
            let byte = bytes[at]
            at += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: scalars, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard at < bytes.count else { return nil }
                let escaped = bytes[at]
                at += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escaped)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = flatEscapedScalar(), scalar != "\u{FEFF}" else { return nil }
                    scalars.append(contentsOf: String(Character(scalar)).utf8)
                default: return nil
                }
            case ..<0x20:
                return nil
            case 0xEF where isByteOrderMark(at - 1):
                return nil
            default:
                scalars.append(byte)
            }
        }
        return nil
    }

    /// The scalar after `\u`: four hex digits, or a surrogate pair as two escapes.
    mutating func flatEscapedScalar() -> Unicode.Scalar? {
        guard let first = hex4() else { return nil }
        if (0xD800..<0xDC00).contains(first) {
            guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let second = hex4(), (0xDC00..<0xE000).contains(second) else { return nil }
            return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
        }
        return Unicode.Scalar(first)
    }

    /// Whether U+FEFF's three bytes start at `index`.
    func isByteOrderMark(_ index: Int) -> Bool {
        bytes[index] == 0xEF && index + 2 < bytes.count && bytes[index + 1] == 0xBB && bytes[index + 2] == 0xBF
    }

    mutating func takeNull() -> Bool {
        guard at + 4 <= bytes.count, bytes[at] == UInt8(ascii: "n"), bytes[at + 1] == UInt8(ascii: "u"),
              bytes[at + 2] == UInt8(ascii: "l"), bytes[at + 3] == UInt8(ascii: "l") else { return false }
        at += 4
        return true
    }
}
