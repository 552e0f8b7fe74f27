import Foundation

/// Timeline events are stored and exported as a kind plus a JSON object of details.
extension EventPayload {
    /// The details of this event as a JSON object with sorted keys.
    public func detailsJSON() throws -> Data {
        let encoder = JSONEncoder.helpdesk
        switch self {
        case .created(let value): return try encoder.encode(value)
        case .note(let text): return try encoder.encode(NoteDetails(text: text))
        case .assigned(let to): return try encoder.encode(AssignedDetails(to: to))
        case .statusChanged(let from, let to, let note): return try encoder.encode(StatusDetails(from: from, to: to, note: note))
        case .approvalRequested(let value): return try encoder.encode(value)
        case .approvalGranted(let id, let comment): return try encoder.encode(DecisionDetails(approvalID: id, reason: comment))
        case .approvalDenied(let id, let reason): return try encoder.encode(DecisionDetails(approvalID: id, reason: reason))
        case .approvalExpired(let id): return try encoder.encode(DecisionDetails(approvalID: id, reason: nil))
        case .approvalSuperseded(let id, let by): return try encoder.encode(SupersededDetails(approvalID: id, supersededBy: by))
        case .actionStarted(let value): return try encoder.encode(value)
        case .actionSucceeded(let value): return try encoder.encode(value)
        case .actionFailed(let value): return try encoder.encode(value)
        case .actionReconciled(let value): return try encoder.encode(value)
        case .accessScheduled(let value): return try encoder.encode(value)
        case .accessRevoked(let value): return try encoder.encode(value)
        }
    }

    /// Rebuilds a payload from its stored kind and details.
    public init(kind: EventKind, details: Data) throws {
        let decoder = JSONDecoder.helpdesk
        switch kind {
        case .created: self = .created(try decoder.decode(Created.self, from: details))
        case .note: self = .note(text: try decoder.decode(NoteDetails.self, from: details).text)
        case .assigned: self = .assigned(to: try decoder.decode(AssignedDetails.self, from: details).to)
        case .statusChanged:
            let value = try decoder.decode(StatusDetails.self, from: details)
            self = .statusChanged(from: value.from, to: value.to, note: value.note)
        case .approvalRequested: self = .approvalRequested(try decoder.decode(ApprovalRequested.self, from: details))
        case .approvalGranted:
            let value = try decoder.decode(DecisionDetails.self, from: details)
            self = .approvalGranted(approvalID: value.approvalID, comment: value.reason)
        case .approvalDenied:
            let value = try decoder.decode(DecisionDetails.self, from: details)
            self = .approvalDenied(approvalID: value.approvalID, reason: value.reason ?? "")
        case .approvalExpired:
            self = .approvalExpired(approvalID: try decoder.decode(DecisionDetails.self, from: details).approvalID)
        case .approvalSuperseded:
            let value = try decoder.decode(SupersededDetails.self, from: details)
            self = .approvalSuperseded(approvalID: value.approvalID, by: value.supersededBy)
        case .actionStarted: self = .actionStarted(try decoder.decode(ActionStarted.self, from: details))
        case .actionSucceeded: self = .actionSucceeded(try decoder.decode(ActionSucceeded.self, from: details))
        case .actionFailed: self = .actionFailed(try decoder.decode(ActionFailed.self, from: details))
        case .actionReconciled: self = .actionReconciled(try decoder.decode(ActionReconciled.self, from: details))
        case .accessScheduled: self = .accessScheduled(try decoder.decode(AccessScheduled.self, from: details))
        case .accessRevoked: self = .accessRevoked(try decoder.decode(AccessRevoked.self, from: details))
        }
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
