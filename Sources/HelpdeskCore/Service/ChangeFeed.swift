import Foundation

/// Tells subscribers what was committed, as the timeline's event ids grow. Writers in this
/// process poke it after they commit, so a change reaches every console at once; a poll of the
/// store's change token catches commits by other processes on the same store. Handlers run on
/// the feed and must return quickly (post a message, queue a frame).
public actor ChangeFeed {
    public typealias Handler = @Sendable (ServiceEvent) -> Void

    private let store: any RequestStore
    private let pollInterval: TimeInterval
    private var subscribers: [Int: Handler] = [:]
    private var nextSubscriber = 0
    private var cursor: Int64?
    private var token: Int64?
    /// A commit was noticed but the store could not be read: a later poll reads it again, after a
    /// wait that doubles while reads keep failing (up to `longestRetryWait`).
    private var unread = false
    private var retryWait: Duration = .zero
    private var retryAt = ContinuousClock.now
    static let longestRetryWait: Duration = .seconds(2)
    private var poller: Task<Void, Never>?
    /// The last store failure told to subscribers, so it is said once, and its end too.
    private var failing: String?
    /// Requests listed in one notice at most; past it the notice says "reload everything".
    static let noticeLimit = 500

    public init(store: any RequestStore, pollInterval: TimeInterval = 0.25) {
        self.store = store
        self.pollInterval = pollInterval
    }

    /// Starts telling `handler`; with `after`, first tells it what changed since that event.
    public func subscribe(after eventID: Int64?, _ handler: @escaping Handler) -> Int {
        let id = nextSubscriber
        nextSubscriber += 1
        subscribers[id] = handler
        do {
            let latest = try cursor ?? store.read { try $0.lastEventID() }
            cursor = latest
            if let eventID, eventID < latest { handler(.changed(try notice(after: eventID, upTo: latest))) }
        } catch {
            // What changed meanwhile cannot be listed: the subscriber reloads everything it shows.
            handler(.changed(ChangeNotice(lastEventID: eventID ?? 0, requests: [], truncated: true)))
        }
        // Without a token the first poll reads the event ids (a commit may come before it).
        if token == nil { token = try? store.changeToken() }
        startPolling()
        return id
    }

    public func unsubscribe(_ id: Int) {
        subscribers[id] = nil
        if subscribers.isEmpty {
            poller?.cancel()
            poller = nil
        }
    }

    /// Tells everyone what was committed since the last notice (a writer calls this after a commit).
    public func poke() {
        guard !subscribers.isEmpty else { return }
        do {
            let latest = try store.read { try $0.lastEventID() }
            // Without a cursor (the store could not be read when listening began) what came
            // before is not known: everyone reloads.
            let told = try cursor.map { from in latest > from ? try notice(after: from, upTo: latest) : nil }
                ?? ChangeNotice(lastEventID: latest, requests: [], truncated: true)
            recovered()
            unread = false
            retryWait = .zero
            cursor = latest
            if let told { broadcast(.changed(told)) }
        } catch {
            readFailed("the store could not be read: \(error)")
        }
    }

    /// Tells every subscriber something they should see (a failed revoke, a background error).
    public func alert(_ text: String) {
        broadcast(.alert(text))
    }

    /// The newest event id seen.
    public var lastEventID: Int64 { cursor ?? 0 }

    private func notice(after: Int64, upTo latest: Int64) throws -> ChangeNotice {
        let events = try store.read { try $0.events(since: nil, request: nil, afterEventID: after, limit: Self.noticeLimit) }
        var seen = Set<RequestID>()
        let requests = events.map(\.requestID).filter { seen.insert($0).inserted }
        return ChangeNotice(lastEventID: latest, requests: requests, truncated: events.count == Self.noticeLimit)
    }

    private func broadcast(_ event: ServiceEvent) {
        for handler in subscribers.values { handler(event) }
    }

    /// A read that failed is tried again by a later poll (whose success says the store is back).
    private func readFailed(_ text: String) {
        unread = true
        retryWait = min(max(retryWait * 2, .milliseconds(Int64(pollInterval * 1000))), Self.longestRetryWait)
        retryAt = ContinuousClock.now + retryWait
        fail(text)
    }

    private func fail(_ text: String) {
        guard failing != text else { return }
        failing = text
        broadcast(.alert(text))
    }

    private func recovered() {
        guard failing != nil else { return }
        failing = nil
        broadcast(.alert("the store can be read again"))
    }

    /// While anyone listens: look for commits by other processes.
    private func startPolling() {
        guard poller == nil else { return }
        let interval = UInt64(pollInterval * 1_000_000_000)
        poller = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: interval)
                // A feed no one holds any more stops polling.
                guard let self else { return }
                await self.checkToken()
            }
        }
    }

    private func checkToken() {
        do {
            let current = try store.changeToken()
            // The event ids, not the token, say what is new: read them when the token moved, when
            // there was none to compare, or when the last reading failed.
            guard token != current || (unread && ContinuousClock.now >= retryAt) else { return }
            token = current
            poke()
        } catch {
            readFailed("the store could not be read: \(error)")
        }
    }
}
