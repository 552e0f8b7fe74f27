import Testing
@testable import HelpdeskCore

/// The import's checks read bytes rather than Unicode properties; they must refuse exactly what the
/// properties name.
@Suite struct PlainTextTests {
    static let samples: [Unicode.Scalar] = (0...0x3100).compactMap(Unicode.Scalar.init)
        + [0xFEFF, 0xFFFD, 0x1F469, 0xE0001, 0x10FFFD].compactMap(Unicode.Scalar.init)

    @Test func controlIsTheControlCategory() {
        for scalar in Self.samples {
            #expect(PlainText.isControl(scalar) == (scalar.properties.generalCategory == .control), "U+\(String(scalar.value, radix: 16))")
        }
    }

    @Test(arguments: [false, true])
    func checkRefusesExactlyTheControlCharacters(lines: Bool) {
        for scalar in Self.samples {
            let lineBreak = scalar == "\n" || scalar == "\t" || scalar == "\r"
            let refused = scalar.properties.generalCategory == .control && !(lines && lineBreak)
            // Between other characters, so a byte is judged with the one before it: `Â` is C3 82,
            // `¢` is C2 A2, U+0085 is C2 85.
            for text in [String(scalar), "aÂ" + String(scalar) + "¢", "¢" + String(scalar) + "é"] {
                let error: ValidationError?
                do {
                    try PlainText.check(text, "the body", lines: lines)
                    error = nil
                } catch let thrown {
                    error = thrown
                }
                #expect((error != nil) == refused, "U+\(String(scalar.value, radix: 16)) in \(text.debugDescription)")
                if refused { #expect(error?.message.contains("U+") == true) }
            }
        }
    }

    @Test func charactersAreCountedWhenTheBytesAreMore() {
        #expect(PlainText.hasAtMost(3, charactersIn: "abc"))
        #expect(!PlainText.hasAtMost(2, charactersIn: "abc"))
        let accented = String(repeating: "e\u{301}", count: 200)
        #expect(PlainText.hasAtMost(200, charactersIn: accented))
        #expect(!PlainText.hasAtMost(199, charactersIn: accented))
        #expect(PlainText.hasAtMost(0, charactersIn: ""))
    }

    @Test func aSubjectIsMeasuredInCharacters() throws {
        let requester = try EmailAddress("jane@example.com")
        let wide = String(repeating: "接", count: NewRequest.maxSubjectLength)
        #expect(try NewRequest(requester: requester, subject: wide).subject == wide)
        let error = #expect(throws: ValidationError.self) { try NewRequest(requester: requester, subject: wide + "続") }
        #expect(error?.message.contains("201 characters") == true)
        let longID = String(repeating: "é", count: 129)
        #expect(throws: ValidationError.self) { try NewRequest(requester: requester, subject: "s", externalID: longID) }
        #expect(try NewRequest(requester: requester, subject: "s", externalID: String(longID.dropFirst())).externalID?.count == 128)
        #expect(throws: ValidationError.self) { try NewRequest(requester: requester, subject: "s", externalID: "ZD-\u{85}") }
        #expect(throws: ValidationError.self) { try NewRequest(requester: requester, subject: "s", category: "Ünicode") }
        #expect(try NewRequest(requester: requester, subject: "s", category: "Sales-2").category == "sales-2")
    }
}
