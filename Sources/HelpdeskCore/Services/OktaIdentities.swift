import Foundation

/// Operators as Okta knows them: the user whose profile email is the operator's configured email.
/// Four-eyes compares these ids, never email text, so an approver configured as
/// `m.chen+ops@example.com` or a request filed under someone's login cannot slip past it.
/// Answers are kept for a few minutes; a failure to ask Okta is thrown, never taken as "nobody".
public actor OktaIdentities {
    private let directory: any IdentityDirectory
    private let clock: any Clock
    private let lifetime: TimeInterval
    private var known: [EmailAddress: (id: String?, at: Date)] = [:]

    public init(directory: any IdentityDirectory, clock: any Clock, lifetime: TimeInterval = 300) {
        self.directory = directory
        self.clock = clock
        self.lifetime = lifetime
    }

    /// The operator's Okta user id; nil when they have no email, or Okta has no single user with it.
    public func id(of member: Operator) async throws -> String? {
        guard let email = member.email else { return nil }
        let now = clock.now()
        if let entry = known[email], now.timeIntervalSince(entry.at) < lifetime { return entry.id }
        let id: String?
        do {
            id = try await directory.user(.email(email)).id
        } catch let error as DirectoryError where error.kind == .notFound || error.kind == .notAllowed {
            id = nil
        } catch let error as DirectoryError {
            throw Refusal("could not look up \(member.login)'s Okta account (\(email)) to check who may approve: \(error.message)")
        }
        known[email] = (id, now)
        return id
    }
}
