import Foundation
import HelpdeskCore
import Synchronization

/// Wraps the selected request's timeline as reading it whole will (Enter), on a thread of its own
/// while the console waits, so that key's frame only draws: a long timeline of long entries takes
/// tens of milliseconds to wrap. Only the newest selection's is wrapped, starting a moment after it
/// settles, and work for an older one stops between entries.
final class TimelinePrewrap {
    /// How long a selection must stay before its timeline is wrapped (a key held down moves on first).
    static let settle: DispatchTimeInterval = .milliseconds(30)
    private let queue = DispatchQueue(label: "helpdesk.timeline-prewrap", qos: .utility)
    private let latest = LatestJob()
    private var asked: Job?

    /// What one wrapping covers; asked again only when it changes.
    private struct Job: Equatable {
        let request: RequestID
        let memo: ObjectIdentifier
        let events: Int
        let newest: Int64
        let bodyBytes: Int
        let width: Int
    }

    /// Starts wrapping `state`'s timeline for reading whole, unless it is read whole already or
    /// was asked for as it is.
    func prepare(for state: AppState) {
        guard state.focus == .queue, let request = state.selectedRequest, state.detail.requestID == request.id,
              let newest = state.detail.timeline.last else {
            // Nothing to wrap yet (the selection's timeline is on its way): the one before is not wanted.
            if asked != nil, state.detail.requestID != asked?.request {
                asked = nil
                latest.supersede()
            }
            return
        }
        let width = DetailLayout.wholeTextWidth(columns: state.columns)
        let memo = state.detail.wrapped
        let job = Job(request: request.id, memo: ObjectIdentifier(memo), events: state.detail.timeline.count, newest: newest.id,
                      bodyBytes: request.body.utf8.count, width: width)
        guard job != asked else { return }
        asked = job
        let ticket = latest.next()
        let events = state.detail.timeline
        let body = request.body
        let latest = self.latest
        queue.asyncAfter(deadline: .now() + Self.settle) {
            TimelineLayout.wrapWhole(events, body: body, width: width, into: memo) { latest.isCurrent(ticket) }
            latest.finished()
        }
    }

    /// Waits until every wrapping asked for has run or stopped (tests), up to `seconds`.
    func waitUntilDone(seconds: Double = 30) {
        let deadline = Date().addingTimeInterval(seconds)
        while !latest.allFinished, Date() < deadline { usleep(1_000) }
    }
}

/// The number of the newest wrapping asked for, read by the wrapping thread, and how many ended.
private final class LatestJob: Sendable {
    private let number = Atomic<Int>(0)
    private let ended = Atomic<Int>(0)

    func next() -> Int { number.add(1, ordering: .relaxed).newValue }

    func isCurrent(_ ticket: Int) -> Bool { number.load(ordering: .relaxed) == ticket }

    func finished() { ended.add(1, ordering: .relaxed) }

    /// No wrapping is wanted: the one running stops (counted as a wrapping that asked for nothing).
    func supersede() {
        ended.add(1, ordering: .relaxed)
        number.add(1, ordering: .relaxed)
    }

    var allFinished: Bool { ended.load(ordering: .relaxed) == number.load(ordering: .relaxed) }
}
