/// A change of a request's fields, written with the version it was based on.
public struct RequestChange: Sendable, Equatable {
    public var status: RequestStatus?
    /// `.some(nil)` unassigns; `nil` leaves the assignee as it is.
    public var assignee: String??
    public var priority: Priority?
    public var category: String?

    public init(status: RequestStatus? = nil, assignee: String?? = nil, priority: Priority? = nil, category: String? = nil) {
        self.status = status
        self.assignee = assignee
        self.priority = priority
        self.category = category
    }

    public var isEmpty: Bool { status == nil && assignee == nil && priority == nil && category == nil }

    /// The request as it would be after this change.
    public func applied(to request: Request) -> Request {
        var changed = request
        if let status { changed.status = status }
        if let assignee { changed.assignee = assignee }
        if let priority { changed.priority = priority }
        if let category { changed.category = category }
        return changed
    }
}
