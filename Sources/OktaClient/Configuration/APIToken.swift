import Foundation
import HelpdeskCore

/// An Okta API token. It prints as `[redacted]` in every description, so it cannot reach a
/// message, a log or the screen by accident; only the request builder reads `secret`.
public struct APIToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let secret: String

    public init(_ secret: String) throws(DirectoryError) {
        let trimmed = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw DirectoryError(kind: .configuration, summary: "the Okta API token is empty")
        }
        guard trimmed.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 32 && $0.value < 127 }) else {
            throw DirectoryError(kind: .configuration, summary: "the Okta API token has spaces or characters an API token cannot have")
        }
        self.secret = trimmed
    }

    public var description: String { "[redacted]" }
    public var debugDescription: String { "[redacted]" }
    public var customMirror: Mirror { Mirror(self, children: []) }

    /// Reads the token from a file that only the user reading it owns and can read (mode 600 or 400).
    public static func fromFile(_ path: String) throws(DirectoryError) -> APIToken {
        try APIToken(SecretFile.read(path, what: "Okta token file"))
    }

    /// Removes the token from text that came back from a server, before it goes anywhere.
    func scrub(_ text: String) -> String {
        text.replacingOccurrences(of: secret, with: "[redacted]")
    }
}
