import Foundation
import StoreSQL

/// Full-text search on PostgreSQL with the answers of the SQLite store's word index: tokens are
/// runs of letters and digits with case and accents folded (unicode61 with diacritics removed),
/// every typed word is a prefix, and a word of several tokens (`user-42`, an address) is a
/// phrase within one column. The documents and queries are built here, as `tsvector` and
/// `tsquery` literals, so PostgreSQL's own parser (which keeps `a@b.com` whole) never splits
/// text differently. Scripts written without spaces go into a second vector of `GramText`
/// tokens, searched as phrases, as on SQLite.
///
/// The vectors hold words without positions: a `tsvector` keeps at most 255 positions of a word
/// and counts up to 16,383, so its phrase search misses a phrase deep in a long or repetitive
/// text. A phrase is found instead by its words in the vector (the index) and then in the
/// document's token text, where each column's tokens stand one space apart.
enum SearchText {
    static let maxLexemeBytes = 2_046

    /// What a request is searched by: its word and gram vectors, and the token texts phrases are
    /// found in.
    struct Document {
        let words: String
        let grams: String
        let wordText: String
        let gramText: String
    }

    static func document(subject: String, body: String, requester: String) -> Document {
        let columns = [subject, body, requester].map(tokens)
        let text = subject + " " + body + " " + requester
        let grams = GramText.needsGrams(text) ? gramTokens(text) : []
        return Document(words: vector(columns.flatMap { $0 }), grams: vector(grams),
                        // " a b | c d | e": a phrase never runs from one column into the next.
                        wordText: columns.map { " " + $0.joined(separator: " ") }.joined(separator: " |"),
                        gramText: grams.isEmpty ? "" : " " + grams.joined(separator: " "))
    }

    /// The conditions for what a person typed: every word as a prefix, in the word vector or (for
    /// scripts without spaces) the gram vector, a word of several tokens also as a phrase in the
    /// token text; nil when no word has a letter or digit.
    static func conditions(typed text: String) -> (conditions: [String], values: [SQLValue])? {
        let words = text.split(whereSeparator: \.isWhitespace).filter { word in
            word.unicodeScalars.contains { $0.properties.isAlphabetic || $0.properties.numericType != nil }
        }.prefix(16)
        var wordQueries: [String] = []
        var gramQueries: [String] = []
        var phrases: [(column: String, needle: String)] = []
        for word in words.map(String.init) {
            let grams = GramText.needsGrams(word)
            let tokens = grams ? gramTokens(word) : self.tokens(word)
            guard !tokens.isEmpty else { continue }
            let query = tokens.enumerated().map { index, token in quoted(token) + (index == tokens.count - 1 ? ":*" : "") }.joined(separator: " & ")
            if grams { gramQueries.append(query) } else { wordQueries.append(query) }
            // The last token a prefix: nothing after it in the needle.
            if tokens.count > 1 || grams { phrases.append((grams ? "r.gram_text" : "r.word_text", " " + tokens.joined(separator: " "))) }
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
        for phrase in phrases {
            conditions.append("strpos(\(phrase.column), ?) > 0")
            values.append(.text(phrase.needle))
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

    /// A vector of the tokens, each once (no positions).
    private static func vector(_ tokens: [String]) -> String {
        var seen = Set<String>()
        return tokens.filter { seen.insert($0).inserted }.map(quoted).joined(separator: " ")
    }

    /// A lexeme in a literal: quotes doubled, backslashes escaped.
    private static func quoted(_ token: String) -> String {
        "'" + token.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }
}
