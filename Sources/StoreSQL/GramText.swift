import HelpdeskCore

/// Text for the index of scripts written without spaces (Chinese, Japanese, Korean, Thai): each
/// run of such characters becomes its overlapping pairs and its last character
/// (`接続できません` → `接続 続で でき きま ませ せん ん`), other words stay words. A search word
/// becomes the same tokens as one phrase, so `接続` and `できません` are found inside
/// `VPNに接続できません`, which the word index sees as one word.
public enum GramText {
    /// True when the text has a character of a script written without spaces.
    public static func needsGrams(_ text: String) -> Bool {
        // Every such script lies past U+0800, whose UTF-8 starts with a byte of 0xE0 or more.
        guard ByteScan.contains(text, where: { $0 >= 0xE0 }) else { return false }
        return text.unicodeScalars.contains(where: isGramScalar)
    }

    /// The tokens of `text`, in order.
    public static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var word = ""
        var run: [Character] = []
        func endWord() {
            if !word.isEmpty { tokens.append(word.lowercased()) }
            word = ""
        }
        func endRun() {
            guard !run.isEmpty else { return }
            for index in 0..<(run.count - 1) { tokens.append(String(run[index]) + String(run[index + 1])) }
            tokens.append(String(run[run.count - 1]))
            run = []
        }
        for character in text {
            if character.unicodeScalars.first.map(isGramScalar) == true {
                endWord()
                run.append(character)
            } else if character.isLetter || character.isNumber {
                endRun()
                word.append(character)
            } else {
                endRun()
                endWord()
            }
        }
        endRun()
        endWord()
        return tokens
    }

    /// The indexed text: the tokens separated by spaces.
    public static func indexText(_ text: String) -> String {
        tokens(text).joined(separator: " ")
    }

    /// The FTS5 query of a typed word's tokens: one phrase whose last token is a prefix.
    public static func phrase(_ tokens: [String]) -> String {
        "\"" + tokens.joined(separator: " ").replacingOccurrences(of: "\"", with: "\"\"") + "\"*"
    }

    /// The FTS5 query that needs every other token anywhere (every character is in one of them;
    /// the last token as a prefix): a cheap superset of `phrase`, checked with `contains` after.
    public static func someTokens(_ tokens: [String]) -> String {
        let last = tokens.count - 1
        return tokens.indices.filter { $0 % 2 == 0 || $0 == last }.map { index in
            "\"" + tokens[index].replacingOccurrences(of: "\"", with: "\"\"") + "\"" + (index == last ? "*" : "")
        }.joined(separator: " ")
    }

    /// True when `tokens` holds `phrase` at consecutive places, its last token as a prefix: what
    /// the index's phrase query finds.
    public static func contains(_ tokens: [String], phrase: [String]) -> Bool {
        guard !phrase.isEmpty else { return true }
        guard tokens.count >= phrase.count else { return false }
        let last = phrase.count - 1
        for start in 0...(tokens.count - phrase.count) {
            var matches = true
            for offset in 0..<phrase.count {
                let token = tokens[start + offset]
                if offset == last ? !token.hasPrefix(phrase[offset]) : token != phrase[offset] {
                    matches = false
                    break
                }
            }
            if matches { return true }
        }
        return false
    }

    public static func isGramScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3040...0x30FF, 0x31F0...0x31FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0xFF66...0xFF9F,
             0x1100...0x11FF, 0x3130...0x318F, 0xAC00...0xD7AF, 0x0E00...0x0E7F, 0x20000...0x3FFFD:
            return scalar.properties.isAlphabetic
        default:
            return false
        }
    }
}
