import Foundation

/// One `export` line: an event as `--json` prints it (the same keys in the same order, the same
/// escaping), written directly from the store's row with its details as recorded. Reading every
/// event's details into a payload and encoding it again made export ten times slower.
public enum ExportLine {
    public static func of(_ event: StoredEvent) -> String {
        var line = "{\"actor\":" + quoted(event.actor) + ",\"at\":\"" + Timestamp.iso8601(event.at) + "\",\"details\":" + event.details
        line += ",\"id\":" + String(event.id) + ",\"kind\":" + quoted(event.kind)
        line += ",\"oktaRequestId\":" + (event.oktaRequestID.map(quoted) ?? "null")
        line += ",\"request\":" + quoted(event.requestID.description) + "}"
        return SafeText.escapingJSON(line)
    }

    /// A JSON string as the encoder writes it: quotes, backslashes and control characters escaped, slashes not.
    public static func quoted(_ text: String) -> String {
        var result = ""
        appendQuoted(text, to: &result)
        return result
    }

    /// `quoted(text)` added to the end of `result`.
    public static func appendQuoted(_ text: String, to result: inout String) {
        guard ByteScan.contains(text, where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            result += "\""
            result += text
            result += "\""
            return
        }
        result += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        result += "\""
    }
}
