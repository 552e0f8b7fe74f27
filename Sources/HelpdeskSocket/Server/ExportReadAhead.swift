import HelpdeskCore
import Synchronization

/// The next export page, read while the last one travels to the client: a client exporting
/// asks for the page after the one it has just received, so once a connection has asked for
/// one page after another, the service reads the following page in the meantime instead of
/// waiting for the question (like a database cursor's prefetch). One page is held per
/// connection; a question for anything else drops it, and questions that do not follow one
/// another start no read-ahead. The page is a snapshot of events with ids past the cursor,
/// which only grow, so reading it early changes nothing.
final class ExportReadAhead: Sendable {
    private struct State {
        /// The question that would continue the last page answered.
        var next: EventQuery?
        var held: (query: EventQuery, page: Task<ExportPage, any Error>)?
    }

    private let state = Mutex(State())

    /// The page for `query`, from the read-ahead when it was for this query; when the question
    /// continued the last page, starts reading the page after it.
    func page(for query: EventQuery, reading: @escaping @Sendable (EventQuery) async throws -> ExportPage) async throws -> ExportPage {
        let (ahead, follows) = state.withLock { state -> (Task<ExportPage, any Error>?, Bool) in
            defer { state.held = nil }
            // One question continues the last page; the same question sent again at once does not.
            let follows = state.next == query
            if follows { state.next = nil }
            guard let held = state.held else { return (nil, follows) }
            if held.query == query { return (held.page, true) }
            held.page.cancel()
            return (nil, follows)
        }
        let page = if let ahead { try await ahead.value } else { try await reading(query) }
        let next = page.more ? page.lastEventID.map { EventQuery(since: query.since, request: query.request, afterEventID: $0, limit: query.limit) } : nil
        state.withLock { state in
            state.next = next
            // At most one page read ahead, however many questions are in flight.
            if follows, let next, state.held == nil { state.held = (next, Task { try await reading(next) }) }
        }
        return page
    }

    /// Drops the held page (the connection closed).
    func drop() {
        state.withLock { state in
            state.held?.page.cancel()
            state.held = nil
            state.next = nil
        }
    }
}
