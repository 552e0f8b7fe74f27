import HelpdeskCore

/// Searches of Okta's users by email, shared: while a search is on its way, or while the rate
/// limit holds the next one back, the emails asked for meanwhile wait and go together
/// (`profile.email eq "a" or profile.email eq "b"`, at most `batchLimit` emails in one). A lone
/// look-up goes at once; a busy desk sends one search for many asks instead of one each. A search
/// that is slow to answer holds the others back for `patience` at most: then the next goes beside
/// it (at most `maxInFlight` at a time; before a bucket's first answer the rate limiter itself
/// sends one request and holds the rest for it). When the rate limit holds a `users` request back,
/// the desk asks faster than Okta allows: for `spacedFor` after, searches go `patience` apart
/// however quickly each is answered, so that each carries everyone who asked meanwhile. Each
/// caller gets exactly the users whose email is its own, in any case, as its own search would
/// have found them.
actor EmailSearches {
    /// Distinct emails in one search: well inside the length Okta accepts for a search expression.
    static let batchLimit = 10
    /// How long look-ups wait, by default, behind a search on its way before another goes beside it.
    static let patience: Duration = .milliseconds(50)
    static let maxInFlight = 4
    /// How long searches stay `patience` apart after the rate limit last held a `users` request
    /// back: Okta's longest window, so a desk held back once a window stays spaced.
    static let spacedFor: Duration = .seconds(RateLimiter.longestWindow)

    private struct Waiter {
        let number: Int
        let email: EmailAddress
        let continuation: CheckedContinuation<[OktaModels.User], any Error>
    }

    private let client: OktaHTTPClient
    private let patience: Duration
    private var waiting: [Waiter] = []
    /// Look-ups taken into a search on its way, by number, until answered or cancelled.
    private var searching: [Int: Waiter] = [:]
    private var nextNumber = 0
    /// Searches sent and not yet answered, each with when it was sent.
    private var inFlight: [Int: ContinuousClock.Instant] = [:]
    /// A search is waiting for the rate limit to let it go: whoever asks now goes in it.
    private var searchWaitingForRoom = false
    /// Until then the next search goes `patience` after the last went (`spacedFor`).
    private var spacedUntil: ContinuousClock.Instant?
    /// When the last search went.
    private var lastSent: ContinuousClock.Instant?
    private var nextSearch = 0
    private var patienceTimer: Task<Void, Never>?

    init(client: OktaHTTPClient, patience: Duration = EmailSearches.patience) {
        self.client = client
        self.patience = patience
    }

    /// Every user Okta's search finds with `email` as their profile email (any case). A cancelled
    /// look-up ends at once with `CancellationError`; a search it went in goes on for the others.
    func users(withEmail email: EmailAddress) async throws -> [OktaModels.User] {
        try Task.checkCancellation()
        let number = nextNumber
        nextNumber += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiting.append(Waiter(number: number, email: email, continuation: continuation))
                startSearches()
            }
        } onCancel: {
            Task { await self.withdraw(number) }
        }
    }

    /// A cancelled look-up leaves the queue, or the search it is in (which still answers the rest).
    private func withdraw(_ number: Int) {
        if let index = waiting.firstIndex(where: { $0.number == number }) {
            waiting.remove(at: index).continuation.resume(throwing: CancellationError())
        } else {
            searching.removeValue(forKey: number)?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Starts a search for what is waiting when none is on its way, or when every one on its way
    /// has taken longer than `patience`; otherwise looks again once the youngest has. While
    /// searches are spaced, the last one sent counts as on its way.
    private func startSearches() {
        guard !waiting.isEmpty, !searchWaitingForRoom, inFlight.count < Self.maxInFlight else { return }
        let spaced = spacedUntil.map { ContinuousClock.now < $0 } ?? false
        guard let youngest = spaced ? lastSent : inFlight.values.max() else { return startSearch() }
        let due = youngest + patience
        if ContinuousClock.now >= due { return startSearch() }
        guard patienceTimer == nil else { return }
        patienceTimer = Task {
            try? await Task.sleep(until: due, clock: .continuous)
            patienceTimer = nil
            startSearches()
        }
    }

    private func startSearch() {
        searchWaitingForRoom = true
        Task {
            // Made up once the rate limit would let it go: on a busy desk, everyone who asked
            // meanwhile goes in it.
            await client.waitForRoom(.listUsers)
            if let since = await client.sinceHeldBack(.listUsers), since < Self.spacedFor {
                spacedUntil = ContinuousClock.now + Self.spacedFor - since
            }
            searchWaitingForRoom = false
            let batch = takeBatch()
            guard !batch.isEmpty else { return startSearches() }
            let number = nextSearch
            nextSearch += 1
            lastSent = .now
            inFlight[number] = lastSent
            startSearches()
            await answer(batch)
            inFlight[number] = nil
            startSearches()
        }
    }

    /// The waiters of the first `batchLimit` distinct emails waiting (others asking for one of
    /// them come along).
    private func takeBatch() -> [Waiter] {
        var emails: Set<EmailAddress> = []
        var batch: [Waiter] = []
        var rest: [Waiter] = []
        for waiter in waiting {
            if emails.contains(waiter.email) || emails.count < Self.batchLimit {
                emails.insert(waiter.email)
                batch.append(waiter)
            } else {
                rest.append(waiter)
            }
        }
        waiting = rest
        for waiter in batch { searching[waiter.number] = waiter }
        return batch
    }

    private func answer(_ batch: [Waiter]) async {
        // Nobody is asked for when every look-up for it was cancelled meanwhile.
        let batch = batch.filter { searching[$0.number] != nil }
        guard !batch.isEmpty else { return }
        let emails = Array(Set(batch.map(\.email))).sorted()
        do throws(DirectoryError) {
            let found = try await search(emails)
            for waiter in batch where searching.removeValue(forKey: waiter.number) != nil {
                // Each user once (pages that overlap do not make one user two), counted under every
                // email it was seen with (an email changed while the pages were read).
                var ids: Set<String> = []
                waiter.continuation.resume(returning: found.filter { $0.profile.email.map(waiter.email.matches) == true && ids.insert($0.id).inserted })
            }
        } catch where error.kind == .invalid && emails.count > 1 {
            // Okta refused the combined search, or its answer could not be read whole: each email
            // on its own, so that one cannot fail (or crowd out) another.
            for email in emails { await answer(batch.filter { $0.email == email }) }
        } catch {
            for waiter in batch where searching.removeValue(forKey: waiter.number) != nil {
                waiter.continuation.resume(throwing: error.about("user \(waiter.email)"))
            }
        }
    }

    /// One search for every email (addresses hold no quotes or backslashes), all pages of it.
    private func search(_ emails: [EmailAddress]) async throws(DirectoryError) -> [OktaModels.User] {
        let expression = emails.map { "profile.email eq \"\($0.value)\"" }.joined(separator: " or ")
        let subject = emails.count == 1 ? "user \(emails[0])" : "users by email"
        let call = OktaCall(.listUsers, query: [("search", expression), ("limit", "200")], subject: subject)
        var users: [OktaModels.User] = []
        for answer in try await client.sendAll(call) {
            users += try client.decode([OktaModels.User].self, from: answer, subject: subject)
        }
        return users
    }
}
