import Foundation
import StoreSQL

/// Full-text search on PostgreSQL with the answers of the SQLite store's word index: tokens are
/// runs of letters and digits with case and accents folded (unicode61 with diacritics removed),
/// every typed word is a prefix, and a word of several tokens (`user-42`, an address) is a
/// phrase within one column. The documents and queries are built here, as `tsvector` and
/// `tsquery` literals, so PostgreSQL's own parser (which keeps `a@b.com` whole) never splits
/// text differently. Scripts written without spaces go into a second vector of `GramText`
/// tokens, searched as phrases, as on SQLite.
enum SearchText {
    /// PostgreSQL's limits: positions above this share it; lexemes keep at most this many positions.
    static let maxPosition = 16_383
    static let maxPositionsPerLexeme = 255
    static let maxLexemeBytes = 2_046

    /// The word vector of a request: subject (weight A), body (B), requester (C).
    static func words(subject: String, body: String, requester: String) -> String {
        var lexemes: [String: [String]] = [:]
        var order: [String] = []
        var position = 0
        for (text, weight) in [(subject, "A"), (body, "B"), (requester, "C")] {
            for token in tokens(text) {
                position = min(position + 1, maxPosition)
                add(token, at: position, weight: weight, to: &lexemes, order: &order)
            }
            // A gap between columns, so a phrase never runs from one into the next.
            position = min(position + 1, maxPosition)
        }
        return literal(lexemes, order)
    }

    /// The gram vector of a request (empty unless it has text of a script written without spaces).
    static func grams(subject: String, body: String, requester: String) -> String {
        let text = subject + " " + body + " " + requester
        guard GramText.needsGrams(text) else { return "" }
        var lexemes: [String: [String]] = [:]
        var order: [String] = []
        for (offset, token) in gramTokens(text).enumerated() {
            add(token, at: min(offset + 1, maxPosition), weight: "", to: &lexemes, order: &order)
        }
        return literal(lexemes, order)
    }

    /// The conditions for what a person typed: every word as a prefix, in the word vector or (for
    /// scripts without spaces) the gram vector; nil when no word has a letter or digit.
    static func conditions(typed text: String) -> (conditions: [String], values: [SQLValue])? {
        let words = text.split(whereSeparator: \.isWhitespace).filter { word in
            word.unicodeScalars.contains { $0.properties.isAlphabetic || $0.properties.numericType != nil }
        }.prefix(16)
        var wordQueries: [String] = []
        var gramQueries: [String] = []
        for word in words.map(String.init) {
            if GramText.needsGrams(word) {
                let tokens = gramTokens(word)
                guard !tokens.isEmpty else { continue }
                gramQueries.append(phrase(tokens, weight: ""))
            } else {
                let tokens = self.tokens(word)
                guard !tokens.isEmpty else { continue }
                wordQueries.append(tokens.count == 1 ? quoted(tokens[0]) + ":*" : "(" + ["A", "B", "C"].map { phrase(tokens, weight: $0) }.joined(separator: " | ") + ")")
            }
        }
        guard !wordQueries.isEmpty || !gramQueries.isEmpty else { return nil }
        var conditions: [String] = []
        var values: [SQLValue] = []
        if !wordQueries.isEmpty {
            conditions.append("r.words @@ ?::tsquery")
            values.append(.text(wordQueries.joined(separator: " & ")))
        }
        if !gramQueries.isEmpty {
            conditions.append("r.grams @@ ?::tsquery")
            values.append(.text(gramQueries.joined(separator: " & ")))
        }
        return (conditions, values)
    }

    /// Runs of letters, digits and their marks (the characters unicode61 keeps in a token; any
    /// other character, a joiner included, separates), case and accents folded.
    static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isTokenScalar(scalar) {
                current.append(scalar)
            } else if !current.isEmpty {
                tokens.append(folded(String(current)))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { tokens.append(folded(String(current))) }
        return tokens.filter { !$0.isEmpty && $0.utf8.count <= maxLexemeBytes }
    }

    static func isTokenScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber, .nonspacingMark, .spacingMark, .enclosingMark, .privateUse:
            return true
        default:
            return false
        }
    }

    /// `GramText`'s tokens with the words among them folded as the word index's tokenizer folds
    /// them (the pairs of characters of scripts without spaces stay as they are).
    static func gramTokens(_ text: String) -> [String] {
        GramText.tokens(text).map { token in token.unicodeScalars.contains(where: GramText.isGramScalar) ? token : folded(token) }
    }

    /// Letters in lower case and accents removed from Latin letters only, one character for one,
    /// as unicode61 (remove_diacritics 2) folds them: `ß` and `ﬁ` stay (full case folding would
    /// make them `ss` and `fi`), `й` stays `й` and Greek keeps its accents, a final `ς` is `σ`.
    static func folded(_ text: String) -> String {
        var output = String.UnicodeScalarView()
        var baseIsLatin = false
        for scalar in text.lowercased().decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark:
                if baseIsLatin { continue }
            default:
                baseIsLatin = isLatin(scalar)
            }
            output.append(scalar == "\u{03C2}" ? "\u{03C3}" : scalar)
        }
        return String(output).precomposedStringWithCanonicalMapping
    }

    private static func isLatin(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F, 0x1E00...0x1EFF, 0x2C60...0x2C7F, 0xA720...0xA7FF, 0xAB30...0xAB6F, 0xFF21...0xFF3A, 0xFF41...0xFF5A:
            return true
        default:
            return false
        }
    }

    /// One phrase, its last token a prefix; with a weight, only within that column.
    private static func phrase(_ tokens: [String], weight: String) -> String {
        let last = tokens.count - 1
        return tokens.enumerated().map { index, token in
            quoted(token) + (index == last ? ":*" + weight : (weight.isEmpty ? "" : ":" + weight))
        }.joined(separator: " <-> ")
    }

    private static func add(_ token: String, at position: Int, weight: String, to lexemes: inout [String: [String]], order: inout [String]) {
        if lexemes[token] == nil {
            lexemes[token] = []
            order.append(token)
        }
        guard lexemes[token]!.count < maxPositionsPerLexeme else { return }
        lexemes[token]!.append("\(position)\(weight)")
    }

    private static func literal(_ lexemes: [String: [String]], _ order: [String]) -> String {
        order.map { quoted($0) + ":" + lexemes[$0]!.joined(separator: ",") }.joined(separator: " ")
    }

    /// A lexeme in a literal: quotes doubled, backslashes escaped.
    private static func quoted(_ token: String) -> String {
        "'" + token.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }
}
