import Foundation

extension String {
    /// `trimmingCharacters(in:)` for a set of spaces, tabs or newlines, deciding the usual case (a
    /// printable ASCII character at each end, so nothing to trim) on two bytes: every request read
    /// or imported passes through here, and Foundation's trimming bridges to `NSString`.
    func trimmingSpaces(_ set: CharacterSet) -> String {
        if let first = utf8.first, let last = utf8.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) { return self }
        return trimmingCharacters(in: set)
    }
}
