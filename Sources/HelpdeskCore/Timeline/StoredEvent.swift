import Foundation

/// A timeline event as the store holds it, its details the JSON text written when it happened:
/// what `export` prints, without reading the details back into a payload.
public struct StoredEvent: Sendable, Equatable {
    public let id: Int64
    public let requestID: RequestID
    public let kind: String
    public let actor: String
    public let at: Date
    public let details: String
    public let oktaRequestID: String?

    public init(id: Int64, requestID: RequestID, kind: String, actor: String, at: Date, details: String, oktaRequestID: String?) {
        self.id = id
        self.requestID = requestID
        self.kind = kind
        self.actor = actor
        self.at = at
        self.details = details
        self.oktaRequestID = oktaRequestID
    }
}

/// One page of `export`: its lines as UTF-8 (each ending in a newline; bytes travel the socket
/// as base64, which reads far faster than JSON strings full of escaped quotes), the id of the last
/// event to resume after, and whether more may follow.
public struct ExportPage: Sendable, Equatable, Codable {
    public let text: Data
    public let lastEventID: Int64?
    public let more: Bool

    /// At most `limit` events and, past the first, `budget` bytes of lines: a page of events full
    /// of escaped characters must still fit in one answer on the socket. The store stops reading
    /// once the details reach the budget, so events whose details reach it may have more after them.
    public init(_ events: [StoredEvent], limit: Int, budget: Int = ExportPage.budget) {
        // Lines are written straight into the page's bytes, sized for the usual line at the start.
        var text: [UInt8] = []
        text.reserveCapacity(min(budget, events.count * 320))
        var last: Int64?
        var taken = 0
        for event in events {
            let start = text.count
            ExportLine.append(event, to: &text)
            text.append(UInt8(ascii: "\n"))
            if taken > 0 && text.count > budget {
                text.removeSubrange(start...)
                break
            }
            last = event.id
            taken += 1
        }
        self.text = Data(text)
        lastEventID = last
        more = taken < events.count || events.count >= limit || events.reduce(0) { $0 + $1.details.utf8.count } >= budget
    }

    /// Bytes of lines in a page (a third more as base64 on the socket, well inside its limit).
    public static let budget = 8 << 20
}
