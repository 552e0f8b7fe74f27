import Foundation
@testable import HelpdeskCore
import HelpdeskTestSupport
import Testing

/// Import lines are read by a byte reader when they are flat objects of strings, and by
/// Foundation otherwise: the two must never disagree about a line the byte reader takes.
@Suite struct ImportLineTests {
    /// Foundation's reading of a line as a flat object of strings and nulls, or nil.
    static func foundationFlat(_ line: String) -> [String: String?]? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else { return nil }
        var flat: [String: String?] = [:]
        for (key, value) in object {
            if let text = value as? String {
                flat[key] = .some(text)
            } else if value is NSNull {
                flat[key] = .some(nil)
            } else {
                return nil
            }
        }
        return flat
    }

    /// Scalar by scalar: Swift's `==` on strings would let canonically equal spellings pass.
    static func sameScalars(_ left: [String: String?], _ right: [String: String?]) -> Bool {
        func scalars(_ object: [String: String?]) -> [[UInt32]: [UInt32]?] {
            var result: [[UInt32]: [UInt32]?] = [:]
            for (key, value) in object { result[key.unicodeScalars.map(\.value)] = .some(value.map { $0.unicodeScalars.map(\.value) }) }
            return result
        }
        return left.count == right.count && scalars(left) == scalars(right)
    }

    static let spaces = ["", " ", "\t", "\n", "\r\n", "  ", "\u{0B}", "\u{A0}"]
    static let keys = [#""externalId""#, #""subject""#, #""body""#, #""requester""#, #""a""#, #""é""#, #""e\u0301""#, #""\u0065\u0301""#, #""""#, "subject", #""sub\"ject""#]
    static let pieces = ["plain text", "é", "漢字", "😀", #"\""#, #"\\"#, #"\/"#, #"\b"#, #"\f"#, #"\n"#, #"\r"#, #"\t"#, #"\u0041"#, #"\u00E9"#, #"\u00e9"#,
                         #"\uD83D\uDE00"#, #"\uD83D"#, #"\uDE00"#, #"\uD83Dx"#, #"\uD83D\u0041"#, #"\u12G4"#, #"\u12"#, #"\x"#, #"\u0000"#, "\u{01}", "\t", "\u{7F}",
                         "\u{2028}", "\u{FEFF}", #"\uFEFF"#, #"\ufeff"#, "\\", "'", "e\u{301}"]
    static let values = ["null", "nul", "12", "-0.5e3", "true", "[]", #"["a"]"#, "{}", #"{"a":"b"}"#, "NULL", #"'single'"#]

    static func randomValue(_ random: inout SeededRandom) -> String {
        if random.below(5) == 0 { return values[random.below(values.count)] }
        let text = "\"" + (0..<random.below(5)).map { _ in pieces[random.below(pieces.count)] }.joined()
        // Now and then unclosed, and followed by what would read as a value.
        return random.below(20) == 0 ? text + values[random.below(values.count)] : text + "\""
    }

    static func randomLine(_ random: inout SeededRandom) -> String {
        var line = spaces[random.below(spaces.count)] + (random.below(40) == 0 ? "[" : "{")
        let members = random.below(5)
        for index in 0..<members {
            if index > 0 { line += random.below(40) == 0 ? " " : "," }
            line += spaces[random.below(spaces.count)] + keys[random.below(keys.count)] + spaces[random.below(spaces.count)]
            line += (random.below(40) == 0 ? "=" : ":") + spaces[random.below(spaces.count)] + randomValue(&random)
        }
        if random.below(40) == 0 { line += "," }
        line += random.below(40) == 0 ? "" : "}"
        line += [spaces[random.below(spaces.count)], "x", "{}", "\u{0}", ""][random.below(40) == 0 ? random.below(5) : 0]
        return line
    }

    @Test func theByteReaderNeverDisagreesWithFoundation() {
        var random = SeededRandom(seed: 14)
        var taken = 0
        for _ in 0..<20_000 {
            let line = Self.randomLine(&random)
            guard let read = FlatJSONObject.read(Substring(line)) else { continue }
            taken += 1
            guard let reference = Self.foundationFlat(line) else {
                Issue.record("the byte reader took a line Foundation refuses: \(line.debugDescription)")
                continue
            }
            #expect(Self.sameScalars(read, reference), "\(line.debugDescription)")
        }
        // The reader must be doing the work, not passing every line on.
        #expect(taken > 2_000)
    }

    @Test(arguments: [
        #"{"externalId": "ZD-1", "subject": "Lost my phone", "requester": "jane@example.com"}"#,
        #" {"externalId":"ZD-1","subject":"Caf\u00e9 \"Wi-Fi\" \ud83d\ude00","requester":"jane@example.com","body":null} "#,
        #"{"externalId": "ZD-1", "subject": "Lost\\my\/phone", "requester": "jane@example.com", "body": "line one\nline two\ttabbed"}"#,
        "{}",
    ])
    func usualLinesAreReadByTheByteReader(line: String) throws {
        let read = try #require(FlatJSONObject.read(Substring(line)))
        #expect(Self.sameScalars(read, try #require(Self.foundationFlat(line))))
    }

    @Test(arguments: [
        #"{"externalId": "ZD-1", "externalId": "ZD-2"}"#,
        #"{"externalId": "ZD-1", "priority": 2}"#,
        #"{"externalId": "ZD-1", "body": {"text": "x"}}"#,
        #"{"subject": "\ud800 lone"}"#,
        #"{"subject": "x"} trailing"#,
        #"["externalId"]"#,
        "\u{FEFF}{}",
        "{\"subject\": \"tab\tinside\"}",
        // A string that fails part-way, then text that reads as a value.
        #"{"externalId":"B-1","body":"\xnull}"#,
        #"{"externalId":"B-1","body":"\u00null}"#,
        #"{"externalId":"B-1","priority":"\udc00null}"#,
        "{\"externalId\":\"B-1\",\"body\":\"\u{01}null}",
    ])
    func otherLinesAreLeftToFoundation(line: String) {
        #expect(FlatJSONObject.read(Substring(line)) == nil)
    }

    /// A file saved with a byte-order mark keeps its first line.
    @Test func aByteOrderMarkBeforeTheLineIsReadPast() throws {
        let line = "\u{FEFF}{\"externalId\": \"B1\", \"requester\": \"a@example.com\", \"subject\": \"bom file\", \"body\": null}"
        #expect(JSONSyntax.problem(in: Substring(line)) == nil)
        #expect(try ImportLine.parse(Substring(line)).subject == "bom file")
    }

    /// The strict check refuses nothing Foundation writes: random values of every kind, nested.
    @Test func theStrictCheckTakesEveryValueFoundationWrites() throws {
        var generator = SeededRandom(seed: 14)
        func value(_ depth: Int) -> Any {
            switch Int.random(in: depth > 3 ? 0...3 : 0...5, using: &generator) {
            case 0: return Int.random(in: -1_000_000...1_000_000, using: &generator)
            case 1: return Double.random(in: -1e6...1e6, using: &generator)
            case 2: return String((0..<Int.random(in: 0...12, using: &generator)).map { _ in
                Character(Unicode.Scalar([0x22, 0x5C, 0x2F, 0x0A, 0x01, 0x41, 0xE9, 0x263A, 0x1F600, 0x202E].randomElement(using: &generator)!)!)
            })
            case 3: return [NSNull(), true, false].randomElement(using: &generator)!
            case 4: return (0..<Int.random(in: 0...4, using: &generator)).map { _ in value(depth + 1) }
            default: return Dictionary((0..<Int.random(in: 0...4, using: &generator)).map { ("k\($0)\u{E9}", value(depth + 1)) }, uniquingKeysWith: { a, _ in a })
            }
        }
        for _ in 0..<2_000 {
            let written = String(decoding: try JSONSerialization.data(withJSONObject: ["v": value(0)]), as: UTF8.self)
            #expect(JSONSyntax.problem(in: Substring(written)) == nil, "\(written)")
        }
    }

    @Test func whatALineSaysIsReadTheSameByEitherReader() throws {
        let usual = try ImportLine.parse(#"{"externalId": " ZD-9 ", "subject": " Caf\u00e9 ", "requester": "Jane@Example.com", "body": null, "priority": "high"}"#)
        #expect(usual.externalID == "ZD-9" && usual.subject == "Café" && usual.body == "" && usual.priority == .high)
        let reasons: [(String, String)] = [
            // Foundation's parser takes these; a feed that wrote them is refused, not guessed at.
            (#"{"externalId": "ZD-7", "requester": "bob@example.com", "subject": "trailing comma",}"#, "not valid JSON: a comma before }"),
            (#"{"externalId": "ZD-8", "requester": "bob@example.com", "subject": "first", "subject": "second"}"#, #"not valid JSON: the key "subject" appears twice"#),
            (#"{"externalId": "ZD-1", "externalId": "ZD-1", "subject": "s", "requester": "a@example.com"}"#, #"the key "externalId" appears twice"#),
            (#"{"externalId": "ZD-1", "subj\u0065ct": "s", "subject": "t", "requester": "a@example.com"}"#, #"the key "subject" appears twice"#),
            (#"{"externalId": "ZD-1", "subject": "s", "requester": "a@example.com", "body": ["a",]}"#, "not valid JSON: a comma before ]"),
            (#"{"externalId": "ZD-1", "subject": "s", "requester": "a@example.com", "priority": 01}"#, "not valid JSON: a number cannot start with 0"),
            (#"{"externalId": "ZD-1", "subject": "s", "requester": "a@example.com", "body": "\udc00"}"#, "not valid JSON: a lone surrogate"),
            ("{\"body\": " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}", "not valid JSON: nested more than 64 deep"),
            // Foundation drops a raw U+FEFF from a key's start: two spellings of one key.
            ("{\"externalId\": \"A2\", \"requester\": \"a@example.com\", \"subject\": \"first\", \"\u{FEFF}subject\": \"second\"}", "not valid JSON: a key holds U+FEFF"),
            // A long key of combining marks is refused before it is compared, not after seconds.
            ("{\"externalId\": \"A3\", \"body\": [1], \"a" + String(repeating: "\u{301}\u{316}", count: 60_000) + "\": 1}", "not valid JSON: a key longer than 256 bytes"),
            (#"{"externalId": "ZD-1", "subject": "s", "requester": "a@example.com", "priority": 2}"#, "priority must be a string"),
            (#"{"externalId": "ZD-1", "subject": {"x": 1}, "requester": "a@example.com"}"#, "subject must be a string"),
            (#"{"externalId": "ZD-1", "subject": "s"} x"#, "not valid JSON"),
            (#"{"externalId": "B-1", "requester": "a@example.com", "subject": "s", "body": "\xnull}"#, "not valid JSON"),
            (#"["ZD-1"]"#, "expected a JSON object on the line"),
            (#"{"externalId": "ZD-1", "subject": "s", "requester": "a@example.com", "colour": "red"}"#, #"unknown key "colour""#),
            (#"{"subject": "s", "requester": "a@example.com", "body": null}"#, "externalId is missing"),
            (#"{"externalId": "ZD-\u0007", "subject": "s", "requester": "a@example.com"}"#, "no control characters"),
            // Checked before the id is trimmed: a tab at its end, or padding past 200 characters.
            (#"{"externalId": "ZD-1\t", "subject": "s", "requester": "a@example.com"}"#, "no control characters"),
            ("{\"externalId\": \"\(String(repeating: " ", count: 100))ZD-1\(String(repeating: " ", count: 100))\", \"subject\": \"s\", \"requester\": \"a@example.com\"}", "at most 200 characters"),
        ]
        for (line, reason) in reasons {
            let error = #expect(throws: ValidationError.self, "\(line)") { try ImportLine.parse(Substring(line)) }
            #expect(error?.message.contains(reason) == true, "\(line): \(error?.message ?? "no error")")
        }
    }
}
