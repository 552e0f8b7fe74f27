import Foundation

/// One entry of a request's append-only timeline: who did what, when.
public struct TimelineEvent: Sendable, Equatable, Identifiable {
    /// The store's sequence number; increasing across all requests.
    public let id: Int64
    public let requestID: RequestID
    /// The operator's OS login, or `system` for the sweep and expiry.
    public let actor: String
    public let at: Date
    public let payload: EventPayload

    public init(id: Int64, requestID: RequestID, actor: String, at: Date, payload: EventPayload) {
        self.id = id
        self.requestID = requestID
        self.actor = actor
        self.at = at
        self.payload = payload
    }

    public var kind: EventKind { payload.kind }
}

/// An event not yet written to a timeline.
public struct EventDraft: Sendable, Equatable {
    public let actor: String
    public let at: Date
    public let payload: EventPayload

    public init(actor: String, at: Date, payload: EventPayload) {
        self.actor = actor
        self.at = at
        self.payload = payload
    }
}

/// The actor recorded for work the program does on its own (sweeps, expiry).
public let systemActor = "system"
