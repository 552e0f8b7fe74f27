import Foundation
import HelpdeskCore

/// Okta's rate limits as the headers report them, per bucket (users, groups, apps, logs…).
/// A request goes out only while the bucket has room for it beyond the ones in flight; when it
/// runs dry, the next request waits for the window to reset, plus a little jitter.
actor RateLimiter {
    struct Bucket: Equatable {
        var limit: Int?
        var remaining: Int?
        /// When the window resets, on this machine's clock.
        var resetAt: Date?
        var inFlight = 0
        /// Responses of this bucket carry no rate-limit headers: nothing to pace.
        var unreported = false
        /// When a request last waited for the window to reset: as it began, and as it ended.
        var lastHeldBack: Date?
    }

    private var buckets: [String: Bucket] = [:]
    /// Requests waiting for the first answer of a bucket, which tells its limits.
    private var waitingForReading: [String: [(number: Int, continuation: CheckedContinuation<Void, Never>)]] = [:]
    private var nextWaiter = 0
    private let clock: any Clock
    private let sleeper: any Sleeper
    private let jitter: @Sendable () -> TimeInterval

    init(clock: any Clock, sleeper: any Sleeper, jitter: @escaping @Sendable () -> TimeInterval = { Double.random(in: 0.02...0.15) }) {
        self.clock = clock
        self.sleeper = sleeper
        self.jitter = jitter
    }

    /// Waits until the bucket has room, then counts the request as in flight. While a bucket's
    /// limits are unknown, one request goes first and the rest wait for its answer. A cancelled
    /// wait throws `CancellationError` and counts nothing.
    func acquire(_ name: String) async throws {
        while true {
            switch room(in: name) {
            case .now:
                buckets[name, default: Bucket()].inFlight += 1
                return
            case .afterTheFirstAnswer:
                try Task.checkCancellation()
                let number = nextWaiter
                nextWaiter += 1
                await withTaskCancellationHandler {
                    await withCheckedContinuation { waitingForReading[name, default: []].append((number, $0)) }
                } onCancel: {
                    Task { await self.stopWaiting(number, for: name) }
                }
                try Task.checkCancellation()
            case .at(let wake):
                try await waitForReset(of: name, at: wake)
            }
        }
    }

    /// Waits until a request could go now, without taking its place: work gathered into one
    /// request is gathered while the request would have waited anyway.
    func waitForRoom(_ name: String) async throws {
        while case .at(let wake) = room(in: name) {
            try await waitForReset(of: name, at: wake)
        }
    }

    /// Sleeps until `wake`; the bucket was holding a request back until now.
    private func waitForReset(of name: String, at wake: Date) async throws {
        try await sleeper.sleep(seconds: max(0, wake.timeIntervalSince(clock.now())))
        buckets[name]?.lastHeldBack = clock.now()
    }

    private enum Room {
        case now
        /// The bucket's limits are unknown and a request that will tell them is on its way.
        case afterTheFirstAnswer
        /// The bucket is dry until its window resets (plus jitter).
        case at(Date)
    }

    /// Whether a request may go now; starts a new window when the last one has reset.
    private func room(in name: String) -> Room {
        var bucket = buckets[name] ?? Bucket()
        let now = clock.now()
        // A wall clock set back would put the reset further off than any window lasts.
        if let reset = bucket.resetAt, reset > now.addingTimeInterval(Self.longestWindow) {
            bucket.resetAt = now.addingTimeInterval(Self.longestWindow)
        }
        if let reset = bucket.resetAt, now >= reset {
            // A new window: the full limit until a response says otherwise.
            bucket.remaining = bucket.limit
            bucket.resetAt = nil
        }
        buckets[name] = bucket
        if bucket.unreported { return .now }
        guard let remaining = bucket.remaining else { return bucket.inFlight == 0 ? .now : .afterTheFirstAnswer }
        if remaining - bucket.inFlight > 0 { return .now }
        buckets[name]?.lastHeldBack = now
        return .at((bucket.resetAt ?? now.addingTimeInterval(1)).addingTimeInterval(jitter()))
    }

    /// Ends a request's flight and reads its `X-Rate-Limit-*` headers.
    func finish(_ name: String, response: HTTPResponse?) {
        var bucket = buckets[name] ?? Bucket()
        bucket.inFlight = max(0, bucket.inFlight - 1)
        if let response, let reading = Self.reading(response, now: clock.now()) {
            bucket.unreported = false
            bucket.limit = reading.limit ?? bucket.limit
            let shift = bucket.resetAt.map { reading.resetAt.timeIntervalSince($0) } ?? .infinity
            if shift > 0.5 || bucket.remaining == nil {
                // The first reading, or one from a newer window.
                bucket.remaining = reading.remaining
                bucket.resetAt = reading.resetAt
            } else if shift >= -0.5 {
                bucket.remaining = min(bucket.remaining ?? reading.remaining, reading.remaining)
            }
            if response.status == 429 { bucket.remaining = 0 }
        } else if response?.status == 429 {
            bucket.remaining = 0
            bucket.resetAt = bucket.resetAt ?? clock.now().addingTimeInterval(1)
        } else if response != nil, bucket.remaining == nil {
            bucket.unreported = true
        }
        buckets[name] = bucket
        for waiter in waitingForReading.removeValue(forKey: name) ?? [] { waiter.continuation.resume() }
    }

    /// A cancelled request stops waiting for the bucket's first answer.
    private func stopWaiting(_ number: Int, for name: String) {
        guard var waiters = waitingForReading[name], let index = waiters.firstIndex(where: { $0.number == number }) else { return }
        waiters.remove(at: index).continuation.resume()
        waitingForReading[name] = waiters.isEmpty ? nil : waiters
    }

    /// How long ago a request to the bucket last waited for its window to reset (the end of the
    /// wait, once it has ended), if ever; never less than zero. A hold the wall clock, set back,
    /// now puts in the future is taken to have ended now.
    func sinceHeldBack(_ name: String) -> TimeInterval? {
        guard let held = buckets[name]?.lastHeldBack else { return nil }
        let now = clock.now()
        guard held <= now else {
            buckets[name]?.lastHeldBack = now
            return 0
        }
        return now.timeIntervalSince(held)
    }

    /// When the bucket's window resets, if known.
    func resetTime(_ name: String) -> Date? { buckets[name]?.resetAt }

    func snapshot(_ name: String) -> Bucket? { buckets[name] }

    struct Reading {
        let limit: Int?
        let remaining: Int
        let resetAt: Date
    }

    /// Okta's windows are a minute long; a reset said to be further away is not believed.
    static let longestWindow: TimeInterval = 60

    /// `X-Rate-Limit-Reset` is epoch seconds on Okta's clock; a skew of more than two seconds
    /// against the `Date` header is corrected. Whatever the headers say, the reset is taken to be
    /// within the next minute, so a lying or broken answer cannot hold calls back for longer.
    static func reading(_ response: HTTPResponse, now: Date) -> Reading? {
        guard let remainingText = response.header("X-Rate-Limit-Remaining"), let remaining = Int(remainingText.trimmingCharacters(in: .whitespaces)),
              let resetText = response.header("X-Rate-Limit-Reset"), let reset = Double(resetText.trimmingCharacters(in: .whitespaces)), reset.isFinite else {
            return nil
        }
        var resetAt = Date(timeIntervalSince1970: reset)
        if let dateText = response.header("Date"), let serverNow = HTTPDate.parse(dateText) {
            let skew = serverNow.timeIntervalSince(now)
            if skew.isFinite, abs(skew) > 2 { resetAt = resetAt.addingTimeInterval(-skew) }
        }
        resetAt = min(max(resetAt, now), now.addingTimeInterval(longestWindow))
        // A limit of nothing at all is not believed either: a window that never lets one request go would hold calls back for good.
        let limit = response.header("X-Rate-Limit-Limit").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.map { max(1, $0) }
        return Reading(limit: limit, remaining: max(0, remaining), resetAt: resetAt)
    }
}
