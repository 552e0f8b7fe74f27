import HelpdeskCore

/// Whether a row holds every typed word as the word index's prefix query finds it: each word's
/// tokens in a row within one column, the last one as a prefix. Used when a filter is typed
/// letter by letter: a short prefix matches most rows, and checking rows in queue order finds a
/// page after a short walk, where the index would first gather every match (a million for "u").
///
/// Only words of ASCII letters, digits and punctuation are checked here, and only on rows whose
/// text is ASCII, where the index's tokenizer (unicode61: letters and digits are token
/// characters, the rest separate; case folded) is exactly ASCII lowercase. Any other row is
/// asked of a one-row copy of the index (`sameAsIndex`), so the answer is the index's own.
struct WordCheck {
    /// Each typed word as tokens, lowercase.
    private let words: [[[UInt8]]]
    /// The query the word index would be asked, for rows checked by a copy of it.
    let indexQuery: String

    /// nil unless every word is ASCII with at least one letter or digit (words of other scripts
    /// are left to the index).
    init?(typed text: String) {
        // The words the index is asked for, as `TextMatch` picks them.
        let typed = text.split(whereSeparator: \.isWhitespace).filter { word in
            word.unicodeScalars.contains { $0.properties.isAlphabetic || $0.properties.numericType != nil }
        }.prefix(16)
        guard !typed.isEmpty, typed.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }), let query = QueueSQL.ftsQuery(Array(typed)) else { return nil }
        words = typed.map { Self.tokens(Array($0.utf8)) }
        indexQuery = query
    }

    /// true or false for a row of ASCII text; nil when the row must be asked of the index.
    func accepts(_ request: Request) -> Bool? {
        let columns = [Array(request.subject.utf8), Array(request.body.utf8), Array(request.requester.value.utf8)]
        guard columns.allSatisfy({ $0.allSatisfy { $0 < 0x80 } }) else { return nil }
        let tokenized = columns.map(Self.tokens)
        return words.allSatisfy { word in tokenized.contains { Self.contains($0, word) } }
    }

    /// Runs of ASCII letters and digits, lowercased.
    static func tokens(_ bytes: [UInt8]) -> [[UInt8]] {
        var tokens: [[UInt8]] = []
        var current: [UInt8] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): current.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): current.append(byte + 32)
            default:
                if !current.isEmpty { tokens.append(current); current = [] }
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    /// True when `word` appears in `tokens` at consecutive places, its last token as a prefix.
    private static func contains(_ tokens: [[UInt8]], _ word: [[UInt8]]) -> Bool {
        guard tokens.count >= word.count else { return false }
        let last = word.count - 1
        for start in 0...(tokens.count - word.count) {
            var matches = true
            for offset in 0..<last where tokens[start + offset] != word[offset] {
                matches = false
                break
            }
            if matches && tokens[start + last].starts(with: word[last]) { return true }
        }
        return false
    }
}
