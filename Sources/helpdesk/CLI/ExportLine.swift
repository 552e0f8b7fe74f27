import Foundation
import HelpdeskCore

/// One `export` line: the event exactly as `EventJSON` encodes it (the same keys in the same
/// order, the same escaping), written directly. The event's details are encoded once and put in
/// place instead of being decoded and encoded again, which made export three times slower.
enum ExportLine {
    static func of(_ event: TimelineEvent) throws -> String {
        let details = String(decoding: try event.payload.detailsJSON(), as: UTF8.self)
        var line = "{\"actor\":" + quoted(event.actor) + ",\"at\":\"" + Timestamp.iso8601(event.at) + "\",\"details\":" + details
        line += ",\"id\":" + String(event.id) + ",\"kind\":" + quoted(event.kind.rawValue)
        line += ",\"oktaRequestId\":" + (event.payload.oktaRequestID.map(quoted) ?? "null")
        line += ",\"request\":" + quoted(event.requestID.description) + "}"
        return SafeText.escapingJSON(line)
    }

    /// A JSON string as the encoder writes it: quotes, backslashes and control characters escaped, slashes not.
    static func quoted(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return "\"" + text + "\"" }
        var result = "\""
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
        return result + "\""
    }
}
