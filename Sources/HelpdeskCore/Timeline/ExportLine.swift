import Foundation

/// One `export` line: an event as `--json` prints it (the same keys in the same order, the same
/// escaping), written directly from the store's row with its details as recorded. Reading every
/// event's details into a payload and encoding it again made export ten times slower.
public enum ExportLine {
    public static func of(_ event: StoredEvent) -> String {
        var line: [UInt8] = []
        append(event, to: &line)
        return String(decoding: line, as: UTF8.self)
    }

    /// `of(event)`'s bytes added to `line`, each field copied once: runs of printable ASCII as they
    /// are, other characters one at a time, quoted as the encoder does and with what a terminal
    /// might act on escaped as `SafeText.escapingJSON` does.
    public static func append(_ event: StoredEvent, to line: inout [UInt8]) {
        line.append(contentsOf: #"{"actor":"#.utf8)
        appendField(event.actor, quoted: true, to: &line)
        line.append(contentsOf: #","at":""#.utf8)
        line.append(contentsOf: Timestamp.iso8601(event.at).utf8)
        line.append(contentsOf: #"","details":"#.utf8)
        appendField(event.details, quoted: false, to: &line)
        line.append(contentsOf: #","id":"#.utf8)
        line.append(contentsOf: String(event.id).utf8)
        line.append(contentsOf: #","kind":"#.utf8)
        appendField(event.kind, quoted: true, to: &line)
        line.append(contentsOf: #","oktaRequestId":"#.utf8)
        if let id = event.oktaRequestID { appendField(id, quoted: true, to: &line) } else { line.append(contentsOf: "null".utf8) }
        line.append(contentsOf: #","request":"#.utf8)
        appendField(event.requestID.description, quoted: true, to: &line)
        line.append(UInt8(ascii: "}"))
    }

    /// A field's bytes: a JSON string when `quoted`, else JSON text already (the details).
    private static func appendField(_ text: String, quoted: Bool, to line: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            if quoted { line.append(UInt8(ascii: "\"")) }
            // Line feeds and tabs in the details are JSON's whitespace; in a string they are escaped.
            var scalars = UTF8ScalarReader(bytes, from: 0)
            while true {
                line.append(contentsOf: scalars.skip { byte in
                    (byte >= 0x20 && byte < 0x7F && !(quoted && (byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\"))))
                        || (!quoted && (byte == 0x0A || byte == 0x09 || byte == 0x0D))
                })
                guard let scalar = scalars.next() else { break }
                appendScalar(scalar, quoted: quoted, to: &line)
            }
            if quoted { line.append(UInt8(ascii: "\"")) }
        }
    }

    private static func appendScalar(_ scalar: Unicode.Scalar, quoted: Bool, to line: inout [UInt8]) {
        if quoted {
            // Inside a string, as the encoder writes them.
            switch scalar {
            case "\"": return line.append(contentsOf: #"\""#.utf8)
            case "\\": return line.append(contentsOf: #"\\"#.utf8)
            case "\n": return line.append(contentsOf: #"\n"#.utf8)
            case "\r": return line.append(contentsOf: #"\r"#.utf8)
            case "\t": return line.append(contentsOf: #"\t"#.utf8)
            case "\u{08}": return line.append(contentsOf: #"\b"#.utf8)
            case "\u{0C}": return line.append(contentsOf: #"\f"#.utf8)
            case "\u{00}"..."\u{1F}": return appendUnicodeEscape(UInt16(scalar.value), to: &line)
            default: break
            }
        }
        if SafeText.isHarmfulInJSON(scalar) {
            for unit in scalar.utf16 { appendUnicodeEscape(unit, to: &line) }
        } else {
            UTF8.encode(scalar) { line.append($0) }
        }
    }

    /// `\u` and four lowercase hex digits.
    private static func appendUnicodeEscape(_ unit: UInt16, to line: inout [UInt8]) {
        line.append(UInt8(ascii: "\\"))
        line.append(UInt8(ascii: "u"))
        for shift: UInt16 in [12, 8, 4, 0] {
            let nibble = UInt8((unit >> shift) & 0xF)
            line.append(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
        }
    }

    /// A JSON string as the encoder writes it: quotes, backslashes and control characters escaped, slashes not.
    public static func quoted(_ text: String) -> String {
        var bytes: [UInt8] = []
        appendQuoted(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `quoted(text)`'s bytes added to the end of `bytes`. Byte by byte: every byte of a character
    /// past ASCII is 0x80 or more, so only ASCII bytes are ever escaped.
    public static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { source in
            bytes.append(UInt8(ascii: "\""))
            var start = 0
            for (index, byte) in source.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[start..<index]))
                start = index + 1
                switch byte {
                case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
                case 0x0A: bytes.append(contentsOf: #"\n"#.utf8)
                case 0x0D: bytes.append(contentsOf: #"\r"#.utf8)
                case 0x09: bytes.append(contentsOf: #"\t"#.utf8)
                case 0x08: bytes.append(contentsOf: #"\b"#.utf8)
                case 0x0C: bytes.append(contentsOf: #"\f"#.utf8)
                default: appendUnicodeEscape(UInt16(byte), to: &bytes)
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[start...]))
            bytes.append(UInt8(ascii: "\""))
        }
    }
}
