/// JSON's grammar (RFC 8259) checked strictly, for the import lines and configuration files
/// Foundation's parser reads: that parser takes a comma before a closing bracket, and an object
/// with a key twice (keeping the last value), so a line a feed got wrong would be imported as
/// something it did not say, and an operator listed twice would get the roles of the second entry.
public enum JSONSyntax {
    /// Why `text` is not exactly one JSON value, or nil when it is.
    public static func problem(in text: Substring) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            var checker = JSONBytes(bytes: bytes)
            do throws(JSONSyntax.Problem) {
                // A byte-order mark before the value is read past, as Foundation does.
                if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { checker.at = 3 }
                checker.skipSpace()
                try checker.value(depth: 0)
                checker.skipSpace()
                guard checker.at == bytes.count else { throw JSONSyntax.Problem("text after the JSON value") }
                return nil
            } catch {
                return error.reason
            }
        }
    }

    /// Deeper nesting is refused rather than followed (no import line needs more than one level).
    static let maxDepth = 64
    /// The longest key, in bytes as written (an import line's keys are short words; the
    /// configuration's are logins, action and playbook names).
    static let maxKeyBytes = 256

    fileprivate struct Problem: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}

/// The strict check's steps.
private extension JSONBytes {
    mutating func value(depth: Int) throws(JSONSyntax.Problem) {
        guard depth < JSONSyntax.maxDepth else { throw JSONSyntax.Problem("nested more than \(JSONSyntax.maxDepth) deep") }
        guard at < bytes.count else { throw JSONSyntax.Problem("the line ends where a value should be") }
        switch bytes[at] {
        case UInt8(ascii: "{"): try object(depth: depth)
        case UInt8(ascii: "["): try array(depth: depth)
        case UInt8(ascii: "\""): _ = try checkedString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        default: throw JSONSyntax.Problem("unexpected \(described(bytes[at])) where a value should be")
        }
    }

    mutating func object(depth: Int) throws(JSONSyntax.Problem) {
        at += 1
        var keys: Set<String> = []
        skipSpace()
        if take(UInt8(ascii: "}")) { return }
        repeat {
            skipSpace()
            guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else {
                throw JSONSyntax.Problem(at < bytes.count && bytes[at] == UInt8(ascii: "}") ? "a comma before }" : "a key must be a string in double quotes")
            }
            let start = at
            let key = try checkedString()
            // Keys are names: a long one is refused before it is compared (comparing text of
            // many combining marks costs time that grows with its square), and U+FEFF, which
            // Foundation drops from a key's start, would make two spellings of one key.
            guard at - start <= JSONSyntax.maxKeyBytes else { throw JSONSyntax.Problem("a key longer than \(JSONSyntax.maxKeyBytes) bytes") }
            guard !key.unicodeScalars.contains("\u{FEFF}") else { throw JSONSyntax.Problem("a key holds U+FEFF (a byte-order mark)") }
            guard keys.insert(key).inserted else { throw JSONSyntax.Problem("the key \"\(TextSafety.quoted(key, limit: 40))\" appears twice") }
            skipSpace()
            guard take(UInt8(ascii: ":")) else { throw JSONSyntax.Problem("a colon must follow a key") }
            skipSpace()
            try value(depth: depth + 1)
            skipSpace()
        } while take(UInt8(ascii: ","))
        guard at < bytes.count else { throw JSONSyntax.Problem("an object is not closed") }
        guard take(UInt8(ascii: "}")) else { throw JSONSyntax.Problem("a comma or } must follow a member") }
    }

    mutating func array(depth: Int) throws(JSONSyntax.Problem) {
        at += 1
        skipSpace()
        if take(UInt8(ascii: "]")) { return }
        repeat {
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "]") { throw JSONSyntax.Problem("a comma before ]") }
            try value(depth: depth + 1)
            skipSpace()
        } while take(UInt8(ascii: ","))
        guard at < bytes.count else { throw JSONSyntax.Problem("an array is not closed") }
        guard take(UInt8(ascii: "]")) else { throw JSONSyntax.Problem("a comma or ] must follow an element") }
    }

    /// A string's text with its escapes undone (keys are compared as text, as Foundation does).
    mutating func checkedString() throws(JSONSyntax.Problem) -> String {
        at += 1
        var scalars = String.UnicodeScalarView()
        var start = at
        func flush(_ end: Int) {
            scalars.append(contentsOf: String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self).unicodeScalars)
        }
        while at < bytes.count {
            let byte = bytes[at]
            switch byte {
            case UInt8(ascii: "\""):
                flush(at)
                at += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                flush(at)
                at += 1
                guard at < bytes.count else { throw JSONSyntax.Problem("a string is not closed") }
                let escaped = bytes[at]
                at += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(Unicode.Scalar(escaped))
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"): scalars.append(try checkedEscapedScalar())
                default: throw JSONSyntax.Problem("\\\(described(escaped)) is not an escape JSON has")
                }
                start = at
            case ..<0x20:
                throw JSONSyntax.Problem("a control character inside a string must be escaped")
            default:
                at += 1
            }
        }
        throw JSONSyntax.Problem("a string is not closed")
    }

    /// The scalar after `\u`: four hex digits, or a surrogate pair as two escapes.
    mutating func checkedEscapedScalar() throws(JSONSyntax.Problem) -> Unicode.Scalar {
        let first = try checkedHex4()
        if (0xDC00..<0xE000).contains(first) { throw JSONSyntax.Problem("a lone surrogate \\u\(String(first, radix: 16))") }
        guard (0xD800..<0xDC00).contains(first) else { return Unicode.Scalar(first)! }
        guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")) else { throw JSONSyntax.Problem("a lone surrogate \\u\(String(first, radix: 16))") }
        let second = try checkedHex4()
        guard (0xDC00..<0xE000).contains(second) else { throw JSONSyntax.Problem("a lone surrogate \\u\(String(first, radix: 16))") }
        return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))!
    }

    mutating func checkedHex4() throws(JSONSyntax.Problem) -> UInt32 {
        guard let value = hex4() else { throw JSONSyntax.Problem("\\u must be followed by four hex digits") }
        return value
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    mutating func number() throws(JSONSyntax.Problem) {
        _ = take(UInt8(ascii: "-"))
        if !take(UInt8(ascii: "0")) {
            guard digits() > 0 else { throw JSONSyntax.Problem("a number must start with a digit") }
        } else if at < bytes.count, isDigit(bytes[at]) {
            throw JSONSyntax.Problem("a number cannot start with 0")
        }
        if take(UInt8(ascii: ".")), digits() == 0 { throw JSONSyntax.Problem("a digit must follow a decimal point") }
        if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            _ = take(UInt8(ascii: "+")) || take(UInt8(ascii: "-"))
            guard digits() > 0 else { throw JSONSyntax.Problem("an exponent needs digits") }
        }
    }

    mutating func digits() -> Int {
        let start = at
        while at < bytes.count, isDigit(bytes[at]) { at += 1 }
        return at - start
    }

    func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    mutating func literal(_ word: StaticString) throws(JSONSyntax.Problem) {
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard at + expected.count <= bytes.count, bytes[at..<at + expected.count].elementsEqual(expected) else {
            throw JSONSyntax.Problem("unexpected \(described(bytes[at])) where a value should be")
        }
        at += expected.count
    }

    /// A byte as a person reads it: the character when it is printable ASCII, its code otherwise.
    func described(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "\(Character(Unicode.Scalar(byte)))" : "byte 0x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
    }
}
