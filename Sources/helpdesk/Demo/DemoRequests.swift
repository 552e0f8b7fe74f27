import Foundation
import HelpdeskCore

/// The demo queue (`Resources/demo/requests.json`, compiled in): about forty realistic requests
/// with their timelines, placed relative to now.
enum DemoRequests {
    struct Entry: Decodable {
        let requester: String
        let subject: String
        let body: String
        let category: String
        let priority: Priority
        let status: RequestStatus
        let assignee: String?
        let ageMinutes: Int
        let timeline: [Step]?
    }

    struct Step: Decodable {
        let afterMinutes: Int
        let kind: String
        let to: String?
        let text: String?
        let note: String?
    }

    static func entries() throws -> [Entry] {
        try JSONDecoder().decode([Entry].self, from: Data(PackageResources.requests_json))
    }

    /// Writes every demo request with its timeline; the requester opens each one.
    @discardableResult
    static func seed(into store: any RequestStore, now: Date) throws -> [Request] {
        try entries().map { entry in try seed(entry, into: store, now: now) }
    }

    private static func seed(_ entry: Entry, into store: any RequestStore, now: Date) throws -> Request {
        let created = now.addingTimeInterval(-Double(entry.ageMinutes) * 60)
        let new = try NewRequest(requester: try EmailAddress(entry.requester), subject: entry.subject, body: entry.body,
                                 category: entry.category, priority: entry.priority)
        var request = try store.create(new, by: "intake", at: created)
        for step in entry.timeline ?? [] {
            let at = created.addingTimeInterval(Double(step.afterMinutes) * 60)
            let actor = request.assignee ?? step.to ?? "alex"
            request = try store.write { writer in
                switch step.kind {
                case "assigned":
                    let changed = try writer.update(request.id, expectedVersion: request.version, change: RequestChange(assignee: .some(step.to)), at: at)
                    try writer.append(EventDraft(actor: actor, at: at, payload: .assigned(to: step.to)), to: request.id)
                    return changed
                case "status":
                    let target = try RequestStatus.parse(step.to ?? "")
                    let changed = try writer.update(request.id, expectedVersion: request.version, change: RequestChange(status: target), at: at)
                    try writer.append(EventDraft(actor: actor, at: at, payload: .statusChanged(from: request.status, to: target, note: step.note)), to: request.id)
                    return changed
                case "note":
                    try writer.append(EventDraft(actor: actor, at: at, payload: .note(text: step.text ?? "")), to: request.id)
                    return try writer.existingRequest(request.id)
                default:
                    throw ValidationError("demo request \"\(entry.subject)\" has an unknown step \(step.kind)")
                }
            }
        }
        return request
    }
}
