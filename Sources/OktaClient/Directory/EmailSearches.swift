import HelpdeskCore

/// Searches of Okta's users by email, coalesced: while one search is on its way, the emails asked
/// for meanwhile, or while the rate limit holds the next search back, wait and go together
/// (`profile.email eq "a" or profile.email eq "b"`, at most `batchLimit` at a time). A lone
/// look-up goes at once; a busy desk sends one search for many asks instead of one each. Each caller gets
/// the users whose email is its own, in any case, exactly as its own search would have found them.
actor EmailSearches {
    /// Emails in one search: well inside the length Okta accepts for a search expression.
    static let batchLimit = 10

    private struct Waiter {
        let email: EmailAddress
        let continuation: CheckedContinuation<[OktaModels.User], any Error>
    }

    private let client: OktaHTTPClient
    private var waiting: [Waiter] = []
    private var sending = false

    init(client: OktaHTTPClient) {
        self.client = client
    }

    /// Every user Okta's search finds with `email` as their profile email (any case).
    func users(withEmail email: EmailAddress) async throws -> [OktaModels.User] {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append(Waiter(email: email, continuation: continuation))
            guard !sending else { return }
            sending = true
            Task { await sendWaiting() }
        }
    }

    /// Sends what is waiting, a batch at a time, until nothing is. A batch is made up once the
    /// rate limit would let its search go: on a busy desk, everyone who asked meanwhile goes in it.
    private func sendWaiting() async {
        while !waiting.isEmpty {
            await client.waitForRoom(.listUsers)
            let batch = Array(waiting.prefix(Self.batchLimit))
            waiting.removeFirst(batch.count)
            await answer(batch)
        }
        sending = false
    }

    private func answer(_ batch: [Waiter]) async {
        let emails = Array(Set(batch.map(\.email))).sorted()
        do throws(DirectoryError) {
            let found = try await search(emails)
            for waiter in batch {
                waiter.continuation.resume(returning: found.filter { $0.profile.email.map(waiter.email.matches) == true })
            }
        } catch where error.kind == .invalid && emails.count > 1 {
            // Okta refused the combined search: each email on its own, so that one cannot fail another.
            for waiter in batch { await answer([waiter]) }
        } catch {
            for waiter in batch { waiter.continuation.resume(throwing: error.about("user \(waiter.email)")) }
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
