import HelpdeskCore
import Synchronization

/// The next export page, read while the last one travels to the client: a client exporting
/// asks for the page after the one it has just received, so the service reads it in the
/// meantime instead of waiting for the question (like a database cursor's prefetch). One page
/// is held per connection; a question for anything else drops it. The page is a snapshot of
/// events with ids past the cursor, which only grow, so reading it early changes nothing.
final class ExportReadAhead: Sendable {
    private let slot = Mutex<(query: EventQuery, page: Task<ExportPage, any Error>)?>(nil)

    /// The page for `query`, from the read-ahead when it was for this query; then starts
    /// reading the page after it.
    func page(for query: EventQuery, reading: @escaping @Sendable (EventQuery) async throws -> ExportPage) async throws -> ExportPage {
        let ahead = slot.withLock { slot -> Task<ExportPage, any Error>? in
            defer { slot = nil }
            guard let held = slot else { return nil }
            if held.query == query { return held.page }
            held.page.cancel()
            return nil
        }
        let page = if let ahead { try await ahead.value } else { try await reading(query) }
        if page.more, let last = page.lastEventID {
            let next = EventQuery(since: query.since, request: query.request, afterEventID: last, limit: query.limit)
            let read = Task { try await reading(next) }
            slot.withLock { $0 = (next, read) }
        }
        return page
    }

    /// Drops the held page (the connection closed).
    func drop() {
        slot.withLock { slot in
            slot?.page.cancel()
            slot = nil
        }
    }
}
