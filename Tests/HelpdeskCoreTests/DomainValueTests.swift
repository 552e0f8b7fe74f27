import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import Testing

@Suite struct DomainValueTests {
    @Test(arguments: [("REQ-12", 12), ("req-7", 7), ("42", 42), (" REQ-3 ", 3)])
    func requestIDsParse(text: String, number: Int64) {
        #expect(RequestID(parsing: text) == RequestID(number))
        #expect(RequestID(number).description == "REQ-\(number)")
    }

    @Test(arguments: ["", "REQ-", "REQ-0", "REQ--1", "REQ-1a", "ticket-5", "99999999999999999999", "-3"])
    func malformedRequestIDsDoNot(text: String) {
        #expect(RequestID(parsing: text) == nil)
    }

    @Test func anIdReadsBackFromItsDescriptionOnly() {
        #expect(RequestID(described: RequestID(12_345).description) == RequestID(12_345))
        for text in ["req-12", "12", " REQ-12", "REQ-0", "REQ-", "REQ-1x", "REQ--1", "REQ-+1", "REQ-99999999999999999999"] {
            #expect(RequestID(described: text) == nil, "\(text)")
        }
    }

    @Test(arguments: ["2026-02-30", "2026-11-31", "2025-02-29", "2026-13-01", "2026-00-10", "2026-12-00", "2026-12-01T24:00:00Z",
                      "2026-12-01T35:00:00Z", "2026-12-01T10:70:00Z", "2026-12-01T10:00:60Z", "2026-02-30T10:00:00Z", "2026-12-01T1a:00:00Z",
                      "2026-12-01T10:00:00+25:00", "2026-12-01T10:00:00+05:99", "2026-12-01T10:00:00-0870", "2026-12-01T10:00:00.5+24:00"])
    func aDateOrTimeThatDoesNotExistIsNotRolledOver(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func theLastDayOfEachMonthAndALeapDayAreRead() throws {
        for (text, expected) in [("2024-02-29", "2024-02-29T00:00:00.000Z"), ("2000-02-29", "2000-02-29T00:00:00.000Z"), ("2026-04-30", "2026-04-30T00:00:00.000Z"),
                                 ("2026-12-31T23:59:59Z", "2026-12-31T23:59:59.000Z"), ("2026-12-01T10:00:00+05:30", "2026-12-01T04:30:00.000Z"),
                                 ("2026-12-01T10:00:00.250Z", "2026-12-01T10:00:00.250Z"), ("2026-12-01T10:00:00-0800", "2026-12-01T18:00:00.000Z"),
                                 ("2026-12-01T10:00:00.125-08:00", "2026-12-01T18:00:00.125Z")] {
            #expect(Timestamp.parse(text).map(Timestamp.iso8601) == expected, "\(text)")
        }
    }

    @Test func timesAreWrittenToTheNearestMillisecondAndReadBackTheSame() throws {
        let base: Int64 = 1_796_000_000_000
        for offset in Int64(0)..<300 {
            let milliseconds = base + offset * 37
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            let text = Timestamp.iso8601(date)
            #expect(text.hasSuffix(String(format: ".%03dZ", Int(milliseconds % 1000))), "\(milliseconds): \(text)")
            let back = try #require(Timestamp.parse(text))
            #expect(Timestamp.iso8601(back) == text)
        }
        #expect(Timestamp.iso8601(Date(timeIntervalSince1970: 1_796_000_000.9996)) == "2026-11-30T00:53:21.000Z")
        // The date and time agree with Foundation's calendar across centuries, leap days included.
        var generator = SystemRandomNumberGenerator()
        let samples = (0..<400).map { _ in Int64.random(in: -2_000_000_000_000...32_000_000_000_000, using: &generator) }
            + [0, 951_782_400_000, 951_868_800_000, 4_107_542_400_000, -1, -86_400_000, 253_402_300_799_999]
        for milliseconds in samples {
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            let whole = Date(timeIntervalSince1970: (Double(milliseconds) / 1000).rounded(.down)).formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
            #expect(Timestamp.iso8601(date).prefix(19) == whole.prefix(19), "\(milliseconds)")
        }
    }

    @Test func subjectsCategoriesAndExternalIDsAreTrimmed() throws {
        let requester = try EmailAddress("jane@example.com")
        for (typed, kept) in [("Lost phone", "Lost phone"), ("  Lost phone \n", "Lost phone"), ("\u{3000}Lost phone\u{00A0}", "Lost phone"), ("\tx", "x")] {
            #expect(try NewRequest(requester: requester, subject: typed).subject == kept, "\(typed.unicodeScalars.map(\.value))")
        }
        #expect(try NewRequest.validCategory(" MFA ") == "mfa")
        #expect(try NewRequest(requester: requester, subject: "x", externalID: " ZD-1 ").externalID == "ZD-1")
    }

    @Test func emailsAreValidatedAndLowerCased() throws {
        #expect(try EmailAddress("Jane.Doe@Example.COM").value == "jane.doe@example.com")
        #expect(try EmailAddress("a+tag@sub.example.co").localPart == "a+tag")
        #expect(try EmailAddress("o'brien_2@my-example.com").value == "o'brien_2@my-example.com")
        for padded in [" Jane@Example.com", "jane@example.com\t", "\u{00A0}jane@example.com\u{3000}", " \t jane@example.com  ", "\u{200B}jane@example.com\u{200B}"] {
            #expect(try EmailAddress(padded).value == "jane@example.com", "spaces and tabs around are trimmed: \(padded)")
        }
        for bad in [" ", "\u{3000}", "jane@example.com\n", "\u{FEFF}jane@example.com", "jane\u{200B}@example.com"] {
            #expect(throws: ValidationError.self, "\(bad.unicodeScalars.map { $0.value })") { try EmailAddress(bad) }
        }
        for bad in ["", "jane", "@example.com", "jane@", "jane@example", "ja ne@example.com", "jane@@example.com",
                    "jane@example..com", "jäne@example.com", "jane@exa_mple.com", "ja<ne@example.com", "jane@example.com\u{1b}[2J"] {
            #expect(throws: ValidationError.self, "\(bad)") { try EmailAddress(bad) }
        }
        #expect {
            try EmailAddress("evil\u{1b}]0;x\u{07}")
        } throws: { error in
            !"\(error)".contains("\u{1b}")
        }
    }

    @Test func newRequestsNeedASubjectAndSaneSizes() throws {
        let jane = Fixtures.email("jane@example.com")
        #expect(throws: ValidationError.self) { try NewRequest(requester: jane, subject: " \n ") }
        #expect(throws: ValidationError.self) { try NewRequest(requester: jane, subject: String(repeating: "x", count: 201)) }
        #expect(throws: ValidationError.self) { try NewRequest(requester: jane, subject: "x", body: String(repeating: "y", count: 20_001)) }
        #expect(throws: ValidationError.self) { try NewRequest(requester: jane, subject: "x", category: "Access Request") }
        let request = try NewRequest(requester: jane, subject: "  VPN  ", category: "Access")
        #expect(request.subject == "VPN")
        #expect(request.category == "access")
        #expect(try NewRequest(requester: jane, subject: "x").category == "general")
    }

    @Test func prioritiesAndStatusesParseAndOrder() throws {
        #expect(try Priority.parse("URGENT") == .urgent)
        #expect(throws: ValidationError.self) { try Priority.parse("asap") }
        #expect(Priority.allCases.sorted(by: >) == [.urgent, .high, .normal, .low])
        #expect(try RequestStatus.parse("awaiting") == .awaitingApproval)
        #expect(try RequestStatus.parse("awaiting-approval") == .awaitingApproval)
        #expect(throws: ValidationError.self) { try RequestStatus.parse("pending") }
    }

    @Test(arguments: [("1d", 86_400.0), ("3d", 259_200), ("1w", 604_800), ("2w", 1_209_600), ("90m", 5_400), ("36h", 129_600), ("10d", 864_000), ("5s", 5)])
    func durationsParse(text: String, seconds: Double) throws {
        let duration = try AccessDuration(parsing: text)
        #expect(duration.description == text)
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        #expect(duration.end(from: start).timeIntervalSince(start) == seconds)
    }

    @Test func monthsAreCalendarMonths() throws {
        let start = try #require(Timestamp.parse("2026-01-31T10:00:00Z"))
        #expect(Timestamp.iso8601(try AccessDuration(parsing: "1mo").end(from: start)) == "2026-02-28T10:00:00.000Z")
        #expect(Timestamp.iso8601(try AccessDuration(parsing: "3mo").end(from: start)) == "2026-04-30T10:00:00.000Z")
        #expect(AccessDuration.presets.map(\.description) == ["1d", "3d", "1w", "2w", "1mo", "3mo"])
    }

    @Test func aYearIsTwelveMonthsAsItIs366Days() throws {
        // Twelve calendar months from a day before a leap day are 366 days, the longest allowed.
        let start = try #require(Timestamp.parse("2027-03-01T10:00:00Z"))
        let year = try AccessDuration(parsing: "12mo")
        #expect(year.end(from: start).timeIntervalSince(start) == 366 * 86_400)
        #expect(try AccessDuration(parsing: "366d").description == "366d")
    }

    @Test(arguments: ["", "d", "0d", "-1d", "1y", "1.5d", "10 days", "400d", "13mo", "1dd"])
    func badDurationsAreRefused(text: String) {
        #expect(throws: ValidationError.self) { try AccessDuration(parsing: text) }
    }

    /// A person types at least a minute, and says which of a minute or a month `M` means; the
    /// stored form still reads seconds back.
    @Test func typedDurationsAreAMinuteAtLeastAndNeverAnAmbiguousM() throws {
        #expect(try AccessDuration(typed: "90m") == AccessDuration(90, .minutes))
        #expect(try AccessDuration(typed: " 1MO ") == AccessDuration(1, .months))
        #expect(try AccessDuration(typed: "1m") == AccessDuration(1, .minutes))
        for short in ["1s", "30s", "59S", "3600s"] {
            #expect(throws: ValidationError("\"\(short)\" is in seconds; give minutes or more (90m, 36h, 10d, 2w, 3mo)")) {
                try AccessDuration(typed: short)
            }
        }
        #expect(throws: ValidationError("\"1M\" could be minutes or months; write 1m for minutes or 1mo for months")) { try AccessDuration(typed: "1M") }
        #expect(try AccessDuration(parsing: "5s") == AccessDuration(5, .seconds), "a stored duration reads back")
    }

    @Test func actionsRoundTripThroughCanonicalJSON() throws {
        let actions: [OktaAction] = [
            .resetMFA, .resetFactor(FactorRef(id: "mbl1", type: "sms")), .revokeSessions(oauthTokens: true),
            .addToGroup(GroupRef(id: "00g1", name: "VPN Users"), expiry: AccessDuration(1, .weeks)),
            .addToGroup(GroupRef(id: "00g1", name: "VPN Users"), expiry: nil),
            .removeFromGroup(GroupRef(id: "00g1", name: "VPN Users")),
            .assignApp(AppRef(id: "0oa1", label: "Salesforce"), expiry: AccessDuration(3, .months)),
            .removeApp(AppRef(id: "0oa1", label: "Salesforce")), .suspend, .unsuspend, .unlock, .activate(sendEmail: false),
            .resendActivation, .deactivate, .resetPassword(sendEmail: true), .expirePassword,
            .createUser(NewUserProfile(firstName: "Ana", lastName: "Ruiz", email: Fixtures.email("ana.ruiz@example.com"), login: "ana.ruiz@example.com",
                                       managerID: "00usam", department: "Sales")),
        ]
        #expect(Set(actions.map(\.name)) == Set(ActionName.allCases))
        for action in actions {
            let decoded = try JSONDecoder.helpdesk.decode(OktaAction.self, from: Data(action.canonicalJSON.utf8))
            #expect(decoded == action)
        }
        #expect(OktaAction.addToGroup(GroupRef(id: "00g1", name: "VPN"), expiry: AccessDuration(1, .weeks)).canonicalJSON
                == #"{"expiry":"1w","group":{"id":"00g1","name":"VPN"},"name":"add-to-group"}"#)
        #expect(OktaAction.addToGroup(GroupRef(id: "00g1", name: "VPN"), expiry: nil).revoke == .removeFromGroup(GroupRef(id: "00g1", name: "VPN")))
    }

    @Test func actionNamesParseFromTheirKebabCase() throws {
        for name in ActionName.allCases {
            #expect(try ActionName.parse(name.rawValue) == name)
        }
        #expect {
            try ActionName.parse("reset_mfa")
        } throws: { "\($0)".contains("reset-mfa") }
    }

    @Test func unsafeTextIsQuotedWithoutControlCharacters() {
        #expect(TextSafety.quoted("a\u{1b}[31mred\u{07}") == "a␛[31mred␇")
        #expect(TextSafety.quoted(String(repeating: "x", count: 100), limit: 10) == "xxxxxxxxxx…")
        #expect(TextSafety.quoted("right-to-left \u{202e}txt") == "right-to-left �txt")
        #expect(TextSafety.quoted("👩‍💻 at work") == "👩‍💻 at work", "a joined emoji stays whole")
        #expect(TextSafety.quoted("👩‍💻👩‍💻👩‍💻", limit: 2) == "👩‍💻👩‍💻…", "cut between characters, never inside one")
    }

    @Test func agesAreShort() {
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        #expect(Age.short(from: now, to: now) == "now")
        #expect(Age.short(from: now.addingTimeInterval(-300), to: now) == "5m")
        #expect(Age.short(from: now.addingTimeInterval(-3 * 3600), to: now) == "3h")
        #expect(Age.short(from: now.addingTimeInterval(-2 * 86400), to: now) == "2d")
        #expect(Age.short(from: now.addingTimeInterval(-30 * 86400), to: now) == "4w")
        #expect(Age.short(from: now.addingTimeInterval(60), to: now) == "now")
    }
}
