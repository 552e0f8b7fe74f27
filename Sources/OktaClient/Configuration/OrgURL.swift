import Foundation
import HelpdeskCore

/// The Okta org's base URL: HTTPS, or plain HTTP only on a loopback address (for local stand-ins).
public struct OrgURL: Sendable, Equatable, CustomStringConvertible {
    public let url: URL

    public init(_ text: String) throws(DirectoryError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty else {
            throw Self.refused("\"\(TextSafety.quoted(trimmed))\" is not a URL (expected https://your-org.okta.com)")
        }
        guard components.user == nil, components.password == nil, components.query == nil, components.fragment == nil else {
            throw Self.refused("the Okta org URL must be just the address, with no credentials, query or fragment")
        }
        switch scheme {
        case "https": break
        case "http":
            guard Self.isLoopback(host) else {
                throw Self.refused("the Okta org URL must use https:// (plain http is only for loopback test servers, not \(host))")
            }
        default:
            throw Self.refused("the Okta org URL must use https://, not \(scheme)://")
        }
        var base = URLComponents()
        base.scheme = scheme
        base.host = host
        base.port = components.port
        guard let url = base.url else { throw Self.refused("\"\(TextSafety.quoted(trimmed))\" is not a usable URL") }
        self.url = url
    }

    /// `acme.okta.com`, or `127.0.0.1:8080`.
    public var host: String {
        (url.host ?? "") + (url.port.map { ":\($0)" } ?? "")
    }

    public var description: String { url.absoluteString }

    /// True when `other` is on this org (same scheme, host and port): the only place the token may go.
    func isSameOrigin(_ other: URL) -> Bool {
        other.scheme?.lowercased() == url.scheme?.lowercased() && other.host?.lowercased() == url.host?.lowercased() && other.port == url.port
    }

    static func isLoopback(_ host: String) -> Bool {
        let lowered = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if lowered == "localhost" || lowered == "::1" { return true }
        let parts = lowered.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { return false }
        return parts[0] == "127"
    }

    private static func refused(_ message: String) -> DirectoryError {
        DirectoryError(kind: .configuration, summary: message)
    }
}
