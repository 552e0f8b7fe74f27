import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import SQLiteStore
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
        let stored = try store.read { try $0.storedEvents(since: nil, request: nil, afterEventID: nil, limit: 100) }
        #expect(decoded.count == Self.events.count + 1)
        #expect(stored.map(\.id) == decoded.map(\.id))
        for (row, event) in zip(stored, decoded) {
            let encoded = SafeText.escapingJSON(String(decoding: try JSONEncoder.helpdesk.encode(try EventJSON(event)), as: UTF8.self))
            #expect(ExportLine.of(row) == encoded, "event \(event.id) (\(event.kind.rawValue))")
        }
    }

    @Test func everyControlCharacterIsEscapedAsTheEncoderDoes() throws {
        for value in 0..<0x80 {
            let text = "a" + String(UnicodeScalar(UInt8(value))) + "b"
            let encoded = String(decoding: try JSONEncoder.helpdesk.encode([text]), as: UTF8.self)
            #expect("[" + ExportLine.quoted(text) + "]" == encoded, "character \(value)")
        }
    }
}
