import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import SQLiteStore
@testable import helpdesk
import Testing

/// `export` writes its lines directly; they must be what encoding `EventJSON` gives, byte for byte.
@Suite struct ExportLineTests {
    static let awkward = "quote \" backslash \\ slash / tab \t line\nreturn\r bell \u{07} nul \u{00} del \u{7F} c1 \u{85} é 接続 👩‍💻 \u{200B} \u{2028} \u{1F}"

    static let events: [TimelineEvent] = {
        let at = Date(timeIntervalSince1970: 1_796_000_000.123)
        let failed = EventPayload.ActionFailed(runID: ActionRunID(7), action: .suspend, errorCode: "E0000006", message: awkward,
                                               oktaRequestID: "req/\"7\"\u{01}", outcomeUnknown: true)
        let payloads: [EventPayload] = [
            .note(text: awkward), .assigned(to: nil), .assigned(to: "alex"),
            .statusChanged(from: .new, to: .resolved, note: awkward), .actionFailed(failed),
            .approvalDenied(approvalID: ApprovalID(3), reason: awkward),
        ]
        return payloads.enumerated().map { index, payload in
            TimelineEvent(id: Int64(index + 1), requestID: RequestID(Int64(10 + index)), actor: index == 0 ? awkward : "alex", at: at, payload: payload)
        }
    }()

    /// Written to a store and exported from its rows, every event is the line `--json` encodes.
    @Test func aStoredEventsLineIsWhatTheEncoderWrites() throws {
        let folder = TemporaryDirectory()
        let store = try SQLiteRequestStore(path: folder.file("export.db"))
        let request = try store.create(Fixtures.newRequest("Quote \" backslash \\ slash / é 接続 👩‍💻"), by: "intake", at: Date(timeIntervalSince1970: 1_796_000_000))
        try store.write { writer in
            for event in Self.events { try writer.append(EventDraft(actor: event.actor, at: event.at, payload: event.payload), to: request.id) }
        }
        let decoded = try store.read { try $0.events(since: nil, request: nil, afterEventID: nil, limit: 100) }
        let stored = try store.read { try $0.storedEvents(since: nil, request: nil, afterEventID: nil, limit: 100, maxBytes: 1 << 20) }
        #expect(decoded.count == Self.events.count + 1)
        #expect(stored.map(\.id) == decoded.map(\.id))
        for (row, event) in zip(stored, decoded) {
            let encoded = SafeText.escapingJSON(String(decoding: try JSONEncoder.helpdesk.encode(try EventJSON(event)), as: UTF8.self))
            #expect(ExportLine.of(row) == encoded, "event \(event.id) (\(event.kind.rawValue))")
        }
    }

    /// Written byte by byte, a line is what quoting each field and escaping the whole line gives.
    @Test func aLineWrittenInPlaceIsTheQuotedLineEscaped() {
        let pieces = ["a", "REQ-7", "\"", "\\", "/", "\n", "\r", "\t", "\u{01}", "\u{08}", "\u{0C}", "\u{1F}", "\u{7F}", "\u{85}", "é", "接続", "👩‍💻",
                      "\u{200B}", "\u{2028}", "\u{202E}", "\u{FEFF}", "\u{E0001}", "\u{F0000}", "\u{301}", " "]
        var generator = SystemRandomNumberGenerator()
        func text() -> String { (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined() }
        for index in 0..<3_000 {
            let event = StoredEvent(id: Int64(index), requestID: RequestID(Int64(index + 1)), kind: text(), actor: text(),
                                    at: Date(timeIntervalSince1970: 1_796_000_000 + Double(index) * 0.001),
                                    details: #"{"text":"# + ExportLine.quoted(text()) + ",\n\t\"n\":1}", oktaRequestID: index % 3 == 0 ? nil : text())
            let quoted = "{\"actor\":" + ExportLine.quoted(event.actor) + ",\"at\":\"" + Timestamp.iso8601(event.at) + "\",\"details\":" + event.details
                + ",\"id\":" + String(event.id) + ",\"kind\":" + ExportLine.quoted(event.kind)
                + ",\"oktaRequestId\":" + (event.oktaRequestID.map(ExportLine.quoted) ?? "null") + ",\"request\":" + ExportLine.quoted(event.requestID.description) + "}"
            #expect(ExportLine.of(event) == SafeText.escapingJSON(quoted), "\(event)")
        }
    }

    @Test func aPageStopsAtItsBudgetOfBytesButAlwaysHoldsOneEvent() {
        let events = (1...5).map { StoredEvent(id: Int64($0), requestID: RequestID(1), kind: "note", actor: "alex", at: Date(timeIntervalSince1970: 0),
                                               details: #"{"text":""# + String(repeating: "\\u202e", count: 100) + #""}"#, oktaRequestID: nil) }
        let line = ExportLine.of(events[0]).utf8.count + 1
        let page = ExportPage(events, limit: 1_000, budget: line * 2 + 10)
        #expect(page.lastEventID == 2)
        #expect(page.more, "three events were left for the next page")
        #expect(String(decoding: page.text, as: UTF8.self).split(separator: "\n").count == 2)
        #expect(ExportPage(events, limit: 1_000, budget: line * 2).lastEventID == 2, "two lines fill it exactly")
        #expect(ExportPage(events, limit: 1_000, budget: line * 2 - 1).lastEventID == 1, "a byte short, the second line waits")
        let tiny = ExportPage(events, limit: 1_000, budget: 1)
        #expect(tiny.lastEventID == 1, "one event even when it alone is over the budget")
        let all = ExportPage(events, limit: 5)
        #expect(all.lastEventID == 5 && all.more, "a full page may have more after it")
        #expect(!ExportPage(Array(events.prefix(3)), limit: 5).more)
        let huge = ExportPage([events[0]], limit: 5, budget: events[0].details.utf8.count)
        #expect(huge.more, "the store stops reading once details reach the budget: there may be more after them")
    }

    @Test func theStoreStopsReadingOnceTheDetailsReachTheBudget() throws {
        let folder = TemporaryDirectory()
        let store = try SQLiteRequestStore(path: folder.file("export.db"))
        let request = try store.create(Fixtures.newRequest("Printer"), by: "intake", at: Date(timeIntervalSince1970: 1_796_000_000))
        try store.write { writer in
            for _ in 0..<20 { try writer.append(EventDraft(actor: "alex", at: Date(timeIntervalSince1970: 1_796_000_000), payload: .note(text: String(repeating: "x", count: 1_000))), to: request.id) }
        }
        let all = try store.read { try $0.storedEvents(since: nil, request: nil, afterEventID: nil, limit: 100, maxBytes: 1 << 20) }
        #expect(all.count == 21)
        let cut = try store.read { try $0.storedEvents(since: nil, request: nil, afterEventID: nil, limit: 100, maxBytes: 3_000) }
        #expect(cut.map(\.id) == Array(all.prefix(cut.count)).map(\.id))
        #expect(cut.count == 4, "the created event and three notes of 1,000 bytes reach 3,000 bytes: \(cut.count)")
        #expect(try store.read { try $0.storedEvents(since: nil, request: nil, afterEventID: nil, limit: 100, maxBytes: 1) }.count == 1, "at least one")
    }

    /// A read that stops before its last row, or fails on one, must not keep the store's snapshot
    /// open: the connection would go on seeing the store as it was and could not write.
    @Test func aReadCutShortLeavesTheStoreFreshAndWritable() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("export.db")
        let store = try SQLiteRequestStore(path: path)
        let request = try store.create(Fixtures.newRequest("Printer"), by: "intake", at: Date(timeIntervalSince1970: 1_796_000_000))
        try store.write { writer in
            for _ in 0..<20 { try writer.append(EventDraft(actor: "alex", at: Date(timeIntervalSince1970: 1_796_000_000), payload: .note(text: String(repeating: "x", count: 1_000))), to: request.id) }
        }
        let cut = try store.read { try $0.storedEvents(since: nil, request: nil, afterEventID: nil, limit: 100, maxBytes: 3_000) }
        #expect(cut.count < 21)
        let other = try SQLiteRequestStore(path: path)
        let elsewhere = try other.create(Fixtures.newRequest("Made by another process"), by: "intake", at: Date(timeIntervalSince1970: 1_796_000_100))
        #expect(try store.read { try $0.request(elsewhere.id) } != nil, "a request written elsewhere is seen")
        _ = try store.create(Fixtures.newRequest("And this one writes"), by: "intake", at: Date(timeIntervalSince1970: 1_796_000_200))

        let raw = try SQLiteConnection(path: path)
        try raw.execute(#"INSERT INTO events (request_id, kind, actor, at, details) VALUES (1, 'note', 'x', 0, '[1]')"#)
        #expect(throws: StoreError.self) { try store.read { try $0.storedEvents(since: nil, request: nil, afterEventID: 21, limit: 100, maxBytes: 1 << 20) } }
        let later = try other.create(Fixtures.newRequest("After a failed read"), by: "intake", at: Date(timeIntervalSince1970: 1_796_000_300))
        #expect(try store.read { try $0.request(later.id) } != nil, "a read that failed on a row left nothing open either")
    }

    @Test func detailsThatAreNotOneObjectOnOneLineStopTheExport() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("altered.db")
        let store = try SQLiteRequestStore(path: path)
        _ = try store.create(Fixtures.newRequest("Printer"), by: "intake", at: Date(timeIntervalSince1970: 1_796_000_000))
        let raw = try SQLiteConnection(path: path)
        try raw.execute(#"INSERT INTO events (request_id, kind, actor, at, details) VALUES (1, 'note', 'x', 0, '[' || char(10) || '{"id":1,"request":"REQ-99"}' || char(10) || ',0]')"#)
        #expect {
            try store.read { try $0.storedEvents(since: nil, request: nil, afterEventID: nil, limit: 10, maxBytes: 1 << 20) }
        } throws: { error in
            "\(error)".contains("event 2 has details that are not one JSON object on one line")
        }
    }

    @Test func everyControlCharacterIsEscapedAsTheEncoderDoes() throws {
        for value in 0..<0x80 {
            let text = "a" + String(UnicodeScalar(UInt8(value))) + "b"
            let encoded = String(decoding: try JSONEncoder.helpdesk.encode([text]), as: UTF8.self)
            #expect("[" + ExportLine.quoted(text) + "]" == encoded, "character \(value)")
        }
    }

    @Test func aNewRequestsDetailsAreWhatTheEncoderWrites() throws {
        let pieces = ["a", "\"", "\\", "/", "\n", "\t", "\u{01}", "\u{1F}", "\u{7F}", "é", "接続", "👩‍💻", "\u{2028}", "\u{202E}", " ", "<", "&"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            func text() -> String { (0..<Int.random(in: 0...6, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined() }
            let created = EventPayload.Created(requester: try EmailAddress("a.b+\(Int.random(in: 0...9, using: &generator))@example.com"), subject: text(),
                                               priority: Priority.allCases.randomElement(using: &generator)!, category: text())
            #expect(try EventPayload.created(created).detailsJSON() == JSONEncoder.helpdesk.encode(created), "\(created)")
        }
    }
}
