import Foundation

/// A validated, lower-cased email address: how Okta matches a requester to a user.
public struct EmailAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: String

    /// Accepts `local@domain.tld` with no spaces or control characters, at most 254 characters.
    public init(_ text: String) throws(ValidationError) {
        let trimmed = Self.trimmed(text)
        guard Self.isPlausible(trimmed) else {
            throw ValidationError("\"\(TextSafety.quoted(String(trimmed)))\" is not an email address (expected name@example.com)")
        }
        // Plausible means ASCII: lowered byte by byte.
        value = String(decoding: trimmed.utf8.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    /// `text` without the spaces, tabs and zero-width spaces around it (an address copied from a
    /// web page often carries one). Every store read and import line comes here, so the usual
    /// case, nothing to trim, is decided on two bytes.
    private static func trimmed(_ text: String) -> Substring {
        let isSpace = { (scalar: Unicode.Scalar) in
            scalar == "\t" || scalar == "\u{200B}" || scalar.properties.generalCategory == .spaceSeparator
        }
        if let first = text.utf8.first, let last = text.utf8.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) {
            return text[...]
        }
        let scalars = text.unicodeScalars
        guard let start = scalars.firstIndex(where: { !isSpace($0) }), let end = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return Substring(scalars[start...end])
    }

    public var description: String { value }

    /// The part before the `@`.
    public var localPart: String { String(value.prefix { $0 != "@" }) }

    public static func < (lhs: EmailAddress, rhs: EmailAddress) -> Bool { lhs.value < rhs.value }

    /// Whether `text` (an email from Okta) is this address, ignoring the case of ASCII letters only:
    /// Unicode case folding would match look-alikes (the Kelvin sign `K` lowers to `k`).
    public func matches(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == value.utf8.count else { return false }
        return zip(bytes, value.utf8).allSatisfy { theirs, ours in
            (0x41...0x5A).contains(theirs) ? theirs + 0x20 == ours : theirs == ours
        }
    }

    private static func isPlausible(_ text: Substring) -> Bool {
        guard (3...254).contains(text.utf8.count) else { return false }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last,
              !local.isEmpty, local.count <= 64, domain.contains("."),
              !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else { return false }
        return isMadeOf(local, symbols: localSymbols) && isMadeOf(domain, symbols: domainSymbols)
    }

    private static let localSymbols = Set(".!#$%&'*+/=?^_`{|}~-".utf8)
    private static let domainSymbols = Set(".-".utf8)

    /// ASCII letters, digits and `symbols` only.
    private static func isMadeOf(_ part: Substring, symbols: Set<UInt8>) -> Bool {
        part.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || symbols.contains(byte)
        }
    }
}

extension EmailAddress: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
