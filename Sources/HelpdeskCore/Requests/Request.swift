import Foundation

/// A help request from one person, worked by an agent, with an append-only timeline.
public struct Request: Sendable, Equatable, Identifiable, Codable {
    public let id: RequestID
    public var requester: EmailAddress
    public var subject: String
    public var body: String
    public var category: String
    public var priority: Priority
    public var status: RequestStatus
    /// The operator login working the request, if any.
    public var assignee: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// Bumped by every change of the fields above; a write names the version it read.
    public var version: Int
    /// The id of the request in the system it was imported from, if any.
    public var externalID: String?

    public init(
        id: RequestID, requester: EmailAddress, subject: String, body: String, category: String,
        priority: Priority, status: RequestStatus, assignee: String?, createdAt: Date, updatedAt: Date,
        version: Int, externalID: String? = nil
    ) {
        self.id = id
        self.requester = requester
        self.subject = subject
        self.body = body
        self.category = category
        self.priority = priority
        self.status = status
        self.assignee = assignee
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
        self.externalID = externalID
    }
}
