import Foundation

/// A validated, lower-cased email address: how Okta matches a requester to a user.
public struct EmailAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: String

    /// Accepts `local@domain.tld` with no spaces or control characters, at most 254 characters.
    public init(_ text: String) throws(ValidationError) {
        // Spaces, tabs and zero-width spaces around it go (an address copied from a web page often has one).
        let trimmed = text.trimmingSpaces(.whitespaces)
        guard Self.isPlausible(trimmed[...]) else {
            throw ValidationError("\"\(TextSafety.quoted(trimmed))\" is not an email address (expected name@example.com)")
        }
        // Plausible means ASCII: lowered byte by byte.
        value = String(decoding: trimmed.utf8.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
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

    /// `local@domain.tld`: one `@`, a local part of 1–64 ASCII letters, digits and the symbols
    /// addresses allow, a domain of letters, digits, dots and dashes with a dot inside (not at an
    /// end, never two together); at most 254 bytes. Decided on bytes.
    private static func isPlausible(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        guard (3...254).contains(bytes.count), let at = bytes.firstIndex(of: UInt8(ascii: "@")), bytes.lastIndex(of: UInt8(ascii: "@")) == at else { return false }
        let local = bytes[..<at]
        let domain = bytes[(at + 1)...]
        let dot = UInt8(ascii: ".")
        guard !local.isEmpty, local.count <= 64, domain.contains(dot), domain.first != dot, domain.last != dot,
              !zip(domain, domain.dropFirst()).contains(where: { $0 == dot && $1 == dot }) else { return false }
        return isMadeOf(local, symbols: localSymbols) && isMadeOf(domain, symbols: domainSymbols)
    }

    private static let localSymbols = Set(".!#$%&'*+/=?^_`{|}~-".utf8)
    private static let domainSymbols = Set(".-".utf8)

    /// ASCII letters, digits and `symbols` only.
    private static func isMadeOf(_ part: ArraySlice<UInt8>, symbols: Set<UInt8>) -> Bool {
        part.allSatisfy { byte in
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
