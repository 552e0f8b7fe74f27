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
/// as base64, which reads far faster than JSON strings full of escaped quotes), how many, and the
/// id of the last event to resume after.
public struct ExportPage: Sendable, Equatable, Codable {
    public let text: Data
    public let count: Int
    public let lastEventID: Int64?

    public init(lines: [String], lastEventID: Int64?) {
        text = Data(lines.map { $0 + "\n" }.joined().utf8)
        count = lines.count
        self.lastEventID = lastEventID
    }
}
