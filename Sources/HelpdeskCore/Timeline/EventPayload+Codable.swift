import Foundation

/// Timeline events are stored and exported as a kind plus a JSON object of details.
extension EventPayload {
    /// The details of this event as a JSON object with sorted keys.
    public func detailsJSON() throws -> Data {
        // Every new request writes one: written as the encoder would, without its machinery.
        if case .created(let created) = self { return Data(created.detailsJSON.utf8) }
        return try JSONEncoder.helpdesk.encode(Details(payload: self))
    }

    /// Rebuilds a payload from its stored kind and details.
    public init(kind: EventKind, details: Data) throws {
        let decoder = JSONDecoder.helpdesk
        decoder.userInfo[Details.kindKey] = kind
        self = try decoder.decode(Details.self, from: details).payload
    }

    /// Writes the payload's fields as the details object.
    func encodeDetails(to encoder: any Encoder) throws {
        switch self {
        case .created(let value): try value.encode(to: encoder)
        case .note(let text): try NoteDetails(text: text).encode(to: encoder)
        case .assigned(let to): try AssignedDetails(to: to).encode(to: encoder)
        case .statusChanged(let from, let to, let note): try StatusDetails(from: from, to: to, note: note).encode(to: encoder)
        case .approvalRequested(let value): try value.encode(to: encoder)
        case .approvalGranted(let id, let comment): try DecisionDetails(approvalID: id, reason: comment).encode(to: encoder)
        case .approvalDenied(let id, let reason): try DecisionDetails(approvalID: id, reason: reason).encode(to: encoder)
        case .approvalExpired(let id): try DecisionDetails(approvalID: id, reason: nil).encode(to: encoder)
        case .approvalSuperseded(let id, let by): try SupersededDetails(approvalID: id, supersededBy: by).encode(to: encoder)
        case .actionStarted(let value): try value.encode(to: encoder)
        case .actionSucceeded(let value): try value.encode(to: encoder)
        case .actionFailed(let value): try value.encode(to: encoder)
        case .actionReconciled(let value): try value.encode(to: encoder)
        case .accessScheduled(let value): try value.encode(to: encoder)
        case .accessRevoked(let value): try value.encode(to: encoder)
        case .accessKept(let value): try value.encode(to: encoder)
        case .planAsked(let value): try value.encode(to: encoder)
        case .planStarted(let value): try value.encode(to: encoder)
        case .planEnded(let value): try value.encode(to: encoder)
        case .alert(let value): try value.encode(to: encoder)
        }
    }

    /// Reads the details object of an event of `kind`.
    init(kind: EventKind, detailsFrom decoder: any Decoder) throws {
        switch kind {
        case .created: self = .created(try Created(from: decoder))
        case .note: self = .note(text: try NoteDetails(from: decoder).text)
        case .assigned: self = .assigned(to: try AssignedDetails(from: decoder).to)
        case .statusChanged:
            let value = try StatusDetails(from: decoder)
            self = .statusChanged(from: value.from, to: value.to, note: value.note)
        case .approvalRequested: self = .approvalRequested(try ApprovalRequested(from: decoder))
        case .approvalGranted:
            let value = try DecisionDetails(from: decoder)
            self = .approvalGranted(approvalID: value.approvalID, comment: value.reason)
        case .approvalDenied:
            let value = try DecisionDetails(from: decoder)
            self = .approvalDenied(approvalID: value.approvalID, reason: value.reason ?? "")
        case .approvalExpired: self = .approvalExpired(approvalID: try DecisionDetails(from: decoder).approvalID)
        case .approvalSuperseded:
            let value = try SupersededDetails(from: decoder)
            self = .approvalSuperseded(approvalID: value.approvalID, by: value.supersededBy)
        case .actionStarted: self = .actionStarted(try ActionStarted(from: decoder))
        case .actionSucceeded: self = .actionSucceeded(try ActionSucceeded(from: decoder))
        case .actionFailed: self = .actionFailed(try ActionFailed(from: decoder))
        case .actionReconciled: self = .actionReconciled(try ActionReconciled(from: decoder))
        case .accessScheduled: self = .accessScheduled(try AccessScheduled(from: decoder))
        case .accessRevoked: self = .accessRevoked(try AccessRevoked(from: decoder))
        case .accessKept: self = .accessKept(try AccessKept(from: decoder))
        case .planAsked: self = .planAsked(try PlanAsked(from: decoder))
        case .planStarted: self = .planStarted(try PlanStarted(from: decoder))
        case .planEnded: self = .planEnded(try PlanEnded(from: decoder))
        case .alert: self = .alert(try Alert(from: decoder))
        }
    }
}

/// A payload as its details object alone; decoding needs the kind in the decoder's user info.
private struct Details: Codable {
    static let kindKey = CodingUserInfoKey(rawValue: "helpdesk.eventKind")!
    let payload: EventPayload

    init(payload: EventPayload) {
        self.payload = payload
    }

    init(from decoder: any Decoder) throws {
        guard let kind = decoder.userInfo[Self.kindKey] as? EventKind else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "event details without a kind"))
        }
        payload = try EventPayload(kind: kind, detailsFrom: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        try payload.encodeDetails(to: encoder)
    }
}

/// An event travels as `{id, request, kind, actor, at, details}`.
extension TimelineEvent: Codable {
    private enum Keys: String, CodingKey { case id, request, kind, actor, at, details }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let kind = try container.decode(EventKind.self, forKey: .kind)
        self.init(
            id: try container.decode(Int64.self, forKey: .id), requestID: try container.decode(RequestID.self, forKey: .request),
            actor: try container.decode(String.self, forKey: .actor), at: try container.decode(Date.self, forKey: .at),
            payload: try EventPayload(kind: kind, detailsFrom: try container.superDecoder(forKey: .details)))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(id, forKey: .id)
        try container.encode(requestID, forKey: .request)
        try container.encode(kind, forKey: .kind)
        try container.encode(actor, forKey: .actor)
        try container.encode(at, forKey: .at)
        try payload.encodeDetails(to: container.superEncoder(forKey: .details))
    }
}

private struct NoteDetails: Codable { let text: String }
private struct AssignedDetails: Codable { let to: String? }
private struct StatusDetails: Codable { let from: RequestStatus; let to: RequestStatus; let note: String? }
private struct DecisionDetails: Codable { let approvalID: ApprovalID; let reason: String? }
private struct SupersededDetails: Codable { let approvalID: ApprovalID; let supersededBy: ApprovalID }

extension JSONEncoder {
    /// The project's JSON: sorted keys, ISO 8601 dates with milliseconds, no escaped slashes.
    public static var helpdesk: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.iso8601(date))
        }
        return encoder
    }
}

extension JSONDecoder {
    /// Reads the project's JSON (ISO 8601 dates with or without fractional seconds).
    public static var helpdesk: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 time: \(text)")
            }
            return date
        }
        return decoder
    }
}
