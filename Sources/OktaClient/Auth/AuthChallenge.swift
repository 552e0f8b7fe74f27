import Foundation

/// One challenge of a `WWW-Authenticate` header (RFC 9110): its scheme, lowercased, and its
/// `error` and `error_description` parameters. A text that does not parse gives no challenge.
struct AuthChallenge: Equatable {
    let scheme: String
    let error: String?
    let description: String?

    static func parse(_ header: String?) -> [AuthChallenge] {
        guard let header, header.utf8.count <= 4096 else { return [] }
        var challenges: [AuthChallenge] = []
        var scanner = Substring(header)
        while let scheme = token(&scanner) {
            var parameters: [String: String] = [:]
            while true {
                skip(&scanner, while: { $0 == " " || $0 == "," })
                let mark = scanner
                guard let name = token(&scanner), scanner.first == "=" else { scanner = mark; break }
                scanner = scanner.dropFirst()
                guard let value = quoted(&scanner) ?? token(&scanner) else {
                    // A token68 credential (`Basic YWxh==`) or a broken value: on to the next comma.
                    scanner = scanner.drop { $0 != "," }
                    break
                }
                parameters[name.lowercased()] = value
            }
            challenges.append(AuthChallenge(scheme: scheme.lowercased(), error: parameters["error"], description: parameters["error_description"]))
        }
        return challenges
    }

    private static func skip(_ text: inout Substring, while test: (Character) -> Bool) {
        while let first = text.first, test(first) { text = text.dropFirst() }
    }

    private static func token(_ text: inout Substring) -> String? {
        skip(&text, while: { $0 == " " || $0 == "," })
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "!#$%&'*+-.^_`|~"))
        let end = text.firstIndex { !$0.unicodeScalars.allSatisfy { $0.isASCII && allowed.contains($0) } } ?? text.endIndex
        guard end > text.startIndex else { return nil }
        defer { text = text[end...] }
        return String(text[..<end])
    }

    private static func quoted(_ text: inout Substring) -> String? {
        guard text.first == "\"" else { return nil }
        var value = ""
        var rest = text.dropFirst()
        while let character = rest.first {
            rest = rest.dropFirst()
            if character == "\\", let next = rest.first {
                value.append(next)
                rest = rest.dropFirst()
            } else if character == "\"" {
                text = rest
                return value
            } else {
                value.append(character)
            }
        }
        return nil
    }
}

/// JWT-shaped text (`eyJ….….…`), as an echoed assertion or proof would appear in an error.
enum JWTText {
    static func redacted(_ text: String) -> String {
        guard text.contains("eyJ") else { return text }
        return text.replacingOccurrences(of: #"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*)?"#, with: "[redacted]", options: .regularExpression)
    }
}
