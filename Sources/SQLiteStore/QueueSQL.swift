import Foundation
import HelpdeskCore
import StoreSQL

/// The WHERE conditions for a queue filter, chosen so SQLite can walk one index in queue order:
/// the conditions both engines share, and the text filter as SQLite's full-text match.
struct QueueSQL {
    private(set) var conditions: [String]
    private(set) var values: [SQLValue]
    /// True when the filter can match no row (an empty status set, a search with no words).
    private(set) var matchesNothing: Bool
    /// The rows a text filter matches; not part of `conditions` (see `withTextCondition`).
    private(set) var textMatch: TextMatch?

    init(filter: QueueFilter) {
        let shared = QueueConditions(filter: filter)
        conditions = shared.conditions
        values = shared.values
        matchesNothing = shared.matchesNothing
        if let text = filter.text, !text.trimmingCharacters(in: .whitespaces).isEmpty {
            if let match = TextMatch(typed: text) {
                textMatch = match
            } else {
                matchesNothing = true
            }
        }
    }

    /// The conditions with the text filter as a subquery: right when few rows match, since
    /// SQLite then looks each one up and sorts them.
    var withTextCondition: (conditions: [String], values: [SQLValue]) {
        guard let textMatch else { return (conditions, values) }
        return (conditions + ["r.id IN (\(textMatch.exact.sql))"], values + textMatch.exact.values)
    }

    /// Turns what a person typed into an FTS5 query: every word must match, each as a prefix.
    /// Quotes keep FTS5 syntax (AND, NEAR, *, :) from being interpreted; nil when no word has a letter or digit.
    static func ftsQuery(_ words: [Substring]) -> String? {
        guard !words.isEmpty else { return nil }
        return words.map { word in
            "\"" + word.replacingOccurrences(of: "\"", with: "\"\"") + "\"*"
        }.joined(separator: " ")
    }
}

/// The ids of the requests a typed filter matches, as `SELECT rowid …` (ascending): words in the
/// word index, words of scripts written without spaces in the gram index, both when mixed.
/// `exact` holds each such word as a phrase; `candidates` only asks for some of its tokens, which
/// is much cheaper when the phrase is common, and `accepts` then checks the phrase on a row.
struct TextMatch {
    /// One full-text query and its values.
    struct Query {
        let sql: String
        let values: [SQLValue]
    }

    let exact: Query
    let candidates: Query
    /// The token sequences a row's gram text must hold (the words of scripts without spaces).
    private let phrases: [[String]]
    /// Those words as typed.
    private let gramWords: [String]

    init?(typed text: String) {
        let words = text.split(whereSeparator: \.isWhitespace).filter { word in
            word.unicodeScalars.contains { $0.properties.isAlphabetic || $0.properties.numericType != nil }
        }.prefix(16)
        guard !words.isEmpty else { return nil }
        let spaced = words.filter { !GramText.needsGrams(String($0)) }
        gramWords = words.filter { GramText.needsGrams(String($0)) }.map(String.init).filter { !GramText.tokens($0).isEmpty }
        phrases = gramWords.map(GramText.tokens)
        let word = QueueSQL.ftsQuery(Array(spaced)).map { Query(sql: "SELECT rowid FROM requests_fts WHERE requests_fts MATCH ?", values: [.text($0)]) }
        let gramsSQL = "SELECT rowid FROM requests_grams WHERE requests_grams MATCH ?"
        let exactGrams = phrases.isEmpty ? nil : Query(sql: gramsSQL, values: [.text(phrases.map(GramText.phrase).joined(separator: " "))])
        let anyOrderGrams = phrases.isEmpty ? nil : Query(sql: gramsSQL, values: [.text(phrases.map(GramText.someTokens).joined(separator: " "))])
        guard let exact = Self.intersect(word, exactGrams), let candidates = Self.intersect(word, anyOrderGrams) else { return nil }
        self.exact = exact
        self.candidates = candidates
    }

    /// True when `candidates` may hold rows `exact` does not.
    var isWiderThanExact: Bool { !phrases.isEmpty }

    /// A check of the phrases on rows, reading at most `budget` bytes of their text; nil when
    /// there is nothing to check.
    func check(budget: Int) -> PhraseCheck? {
        phrases.isEmpty ? nil : PhraseCheck(words: gramWords, bytesLeft: budget)
    }

    private static func intersect(_ first: Query?, _ second: Query?) -> Query? {
        let parts = [first, second].compactMap { $0 }
        guard !parts.isEmpty else { return nil }
        return Query(sql: parts.map(\.sql).joined(separator: " INTERSECT ") + " ORDER BY 1", values: parts.flatMap(\.values))
    }
}

/// Whether a row holds each typed word of a script without spaces as the gram index's phrase
/// query would find it, so a search answers the same whether the check or the index decides. A
/// word made only of such characters is found as a piece of the text (its characters in a row,
/// one run); a word mixed with letters or punctuation is compared token by token on the row's
/// text with case and accents folded, as the index's tokenizer does. Reads at most its budget of
/// text, then gives up (nil), so a search crafted to match pairs everywhere and the phrase
/// nowhere costs a bounded time.
struct PhraseCheck {
    private let pieces: [String]
    private let mixed: [[String]]
    var bytesLeft: Int

    init(words: [String], bytesLeft: Int) {
        let pure = words.filter { $0.allSatisfy { character in character.unicodeScalars.allSatisfy(GramText.isGramScalar) } }
        pieces = pure
        mixed = words.filter { !pure.contains($0) }.map { GramText.tokens(Self.folded($0)) }
        self.bytesLeft = bytesLeft
    }

    mutating func accepts(_ request: Request) -> Bool? {
        let text = request.subject + " " + request.body + " " + request.requester.value
        bytesLeft -= text.utf8.count
        guard bytesLeft >= 0 else { return nil }
        guard pieces.allSatisfy({ text.contains($0) }) else { return false }
        guard !mixed.isEmpty else { return true }
        let tokens = GramText.tokens(Self.folded(text))
        return mixed.allSatisfy { GramText.contains(tokens, phrase: $0) }
    }

    /// Case and accents folded, as the index's tokenizer folds them.
    static func folded(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }
}
