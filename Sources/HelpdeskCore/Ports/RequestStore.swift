import Foundation

/// Where requests, their timelines and approvals live. Reads and writes run inside transactions:
/// everything a `write` body does is committed together or not at all, and it runs as if no
/// other writer did (serializable). A store shared by several services may run a body again
/// when another's write spoiled it, so a body reads and writes the store and nothing else.
public protocol RequestStore: Sendable {
    /// Runs `body` on a consistent snapshot.
    func read<T>(_ body: (any StoreReader) throws -> T) throws -> T
    /// Like `read`, for a read nobody wants once its task is cancelled (a queue window a newer
    /// one replaced, the timeline of a request the selection left): it ends with
    /// `CancellationError` then, as soon as the store can stop.
    func readUnlessCancelled<T>(_ body: (any StoreReader) throws -> T) throws -> T
    /// Runs `body` in one serializable write transaction (perhaps more than once); a throw rolls everything back.
    func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T
    /// A number that changes when another process commits; cheap enough to poll every `changePollInterval`.
    func changeToken() throws -> Int64
    /// How often the change token is worth reading.
    var changePollInterval: TimeInterval { get }
    /// The file or place, for messages.
    var location: String { get }
}

/// What can be read from the store.
public protocol StoreReader {
    func request(_ id: RequestID) throws -> Request?
    func request(externalID: String) throws -> Request?
    func timeline(of id: RequestID) throws -> [TimelineEvent]
    /// A request's newest events, oldest first: at most `limit`, and no more once their details
    /// reach `maxBytes` (the newest always); with how many earlier ones were left out.
    func newestEvents(of id: RequestID, limit: Int, maxBytes: Int) throws -> (events: [TimelineEvent], earlier: Int)
    func queue(_ query: QueueQuery) throws -> QueuePage
    func count(_ filter: QueueFilter) throws -> Int
    func statusCounts() throws -> [RequestStatus: Int]
    func approval(_ id: ApprovalID) throws -> Approval?
    func approvals(of request: RequestID) throws -> [Approval]
    /// A request's approvals, oldest first: every pending one and the newest `decidedLimit` decided
    /// ones; with how many earlier decided ones were left out.
    func approvals(of request: RequestID, decidedLimit: Int) throws -> (approvals: [Approval], earlier: Int)
    func pendingApprovals(eligibleFor login: String?) throws -> [Approval]
    /// Whether an approval on any request of `requester` lists `login` among who may decide it and
    /// is still waiting at `now` (not past its time), or was approved or denied by `login` since
    /// `decidedSince` (not one that expired, was replaced, or was withdrawn by its asker).
    func isListedApprover(_ login: String, forRequester requester: EmailAddress, at now: Date, decidedSince: Date) throws -> Bool
    /// Pending approvals whose time ran out by `date`.
    func expiredApprovals(at date: Date) throws -> [Approval]
    func run(_ id: ActionRunID) throws -> ActionRun?
    func runs(of request: RequestID) throws -> [ActionRun]
    /// Runs with no final outcome (started or unknown), optionally of one request.
    func unfinishedRuns(of request: RequestID?) throws -> [ActionRun]
    /// Runs on one Okta user that took effect (succeeded, or found applied by reconcile), after
    /// the run `after`, oldest first.
    func appliedRuns(on targetUserID: String, after: ActionRunID) throws -> [ActionRun]
    func grant(_ id: GrantID) throws -> AccessGrant?
    func grants(of request: RequestID) throws -> [AccessGrant]
    /// Scheduled grants whose revoke is due by `date` (and whose next try, after failures, is due), oldest first.
    func dueGrants(at date: Date, limit: Int) throws -> [AccessGrant]
    /// Events in store order, optionally since a time or for one request, after an event id.
    func events(since: Date?, request: RequestID?, afterEventID: Int64?, limit: Int) throws -> [TimelineEvent]
    /// The same events as the store holds them, for export: at most `limit`, and no more once
    /// their details reach `maxBytes` (at least one).
    func storedEvents(since: Date?, request: RequestID?, afterEventID: Int64?, limit: Int, maxBytes: Int) throws -> [StoredEvent]
    /// The id of the newest event (0 when there is none): how far the timeline has grown.
    func lastEventID() throws -> Int64
    func plan(_ id: PlanID) throws -> Plan?
    func plans(of request: RequestID) throws -> [Plan]
    /// Plans to look at by `date`: scheduled and due first (earliest first), then running ones
    /// (their runner's claim may have run out, or its process be gone).
    func duePlans(at date: Date, limit: Int) throws -> [Plan]
    /// The plans not yet ended on these requests, with how far each has got.
    func activePlans(of requests: [RequestID]) throws -> [PlanProgress]
}

/// What can be written; only inside `RequestStore.write`.
public protocol StoreWriter: StoreReader {
    /// Writes a new request with the next number (no event; callers add "created").
    func insertRequest(_ new: NewRequest, at: Date) throws -> Request
    /// Writes, in order, each request whose external id is neither in the store nor earlier in
    /// the list, with its "created" event; for the others it finds the request holding the id.
    /// One result per request, in the list's order (an import batch).
    func createOnce(_ requests: [NewRequest], by actor: String, at: Date) throws -> [OnceWrite]
    /// Appends one event; events are never changed or removed afterwards.
    @discardableResult
    func append(_ draft: EventDraft, to request: RequestID) throws -> TimelineEvent
    /// Changes fields if the request is still at `expectedVersion`; otherwise throws `StoreError.conflict`.
    func update(_ id: RequestID, expectedVersion: Int, change: RequestChange, at: Date) throws -> Request
    func insertApproval(_ new: NewApproval) throws -> Approval
    /// Moves a pending approval to a final state; false if it was no longer pending. `oktaUserID` is the decider's Okta id, when known.
    func decideApproval(_ id: ApprovalID, state: Approval.State, by: String, at: Date, reason: String?, oktaUserID: String?) throws -> Bool
    /// Writes a run ahead of its call. An approval or a grant's revoke can have only one run:
    /// a second one throws `StoreError.refused`.
    func insertRun(_ new: NewActionRun) throws -> ActionRun
    /// Records a run's outcome; false if it already had a final one.
    func finishRun(_ id: ActionRunID, state: ActionRun.State, at: Date) throws -> Bool
    /// Notes a try of reconcile that could not settle the run, and when to try next.
    func noteReconcileAttempt(_ id: ActionRunID, attempts: Int, next: Date) throws
    func insertGrant(requestID: RequestID, grantRunID: ActionRunID, action: OktaAction, targetUserID: String, revokeAt: Date) throws -> AccessGrant
    /// Claims a scheduled grant for its end (`revoking`) only while it is due at `at`: a sweep that
    /// read the due grants before another sweep postponed or retried one claims nothing.
    func claimDueGrant(_ id: GrantID, by: String, at: Date) throws -> Bool
    /// Puts a claimed grant back, its revoke due at `until` instead (a later run gave the same access until then).
    func postponeGrant(_ id: GrantID, until: Date, at: Date) throws -> Bool
    /// Moves a grant from one state to another; false if it was not in `from` (someone else got there first).
    func moveGrant(_ id: GrantID, from: AccessGrant.State, to: AccessGrant.State, by: String, at: Date) throws -> Bool
    /// Puts a grant whose revoke failed back to `scheduled`, due again at `next`, with the failures so far.
    func retryGrant(_ id: GrantID, attempts: Int, next: Date, at: Date) throws -> Bool
    /// Writes a plan; its steps, user and time never change afterwards.
    func insertPlan(_ new: NewPlan) throws -> Plan
    /// Moves a plan from one state to another (a final one ends its runner's claim); false if it was not in `from`.
    func movePlan(_ id: PlanID, from: Plan.State, to: Plan.State, note: String?, at: Date) throws -> Bool
    /// Claims a plan for `runner` until `until`: one scheduled and due, one running whose claim ran
    /// out or is held by `replacing` (a runner whose process is gone), or one this runner holds
    /// already (renewing, or with `until` = now, letting it go).
    func claimPlan(_ id: PlanID, runner: String, until: Date, at: Date, replacing: String?) throws -> Bool
}

extension RequestStore {
    public var changePollInterval: TimeInterval { 0.25 }

    /// A store that cannot stop a read midway looks only before it asks for its connection.
    public func readUnlessCancelled<T>(_ body: (any StoreReader) throws -> T) throws -> T {
        try Task.checkCancellation()
        return try read(body)
    }

    /// Creates a request and its "created" event in one transaction.
    public func create(_ new: NewRequest, by actor: String, at: Date) throws -> Request {
        try write { try $0.create(new, by: actor, at: at) }
    }

    /// The request, or `StoreError.notFound`.
    public func existingRequest(_ id: RequestID) throws -> Request {
        try read { reader in
            guard let request = try reader.request(id) else { throw StoreError.notFound(id) }
            return request
        }
    }
}

extension StoreWriter {
    /// Decides without an Okta identity (denials, expiry, superseding).
    public func decideApproval(_ id: ApprovalID, state: Approval.State, by login: String, at: Date, reason: String?) throws -> Bool {
        try decideApproval(id, state: state, by: login, at: at, reason: reason, oktaUserID: nil)
    }

    /// One request at a time: the same rows as a store that writes a list at once.
    public func createOnce(_ requests: [NewRequest], by actor: String, at: Date) throws -> [OnceWrite] {
        try requests.map { new in
            if let externalID = new.externalID, let existing = try request(externalID: externalID) { return .found(existing.id) }
            return .created(try create(new, by: actor, at: at).id)
        }
    }

    /// Writes a request and its "created" event inside the caller's transaction.
    public func create(_ new: NewRequest, by actor: String, at: Date) throws -> Request {
        let request = try insertRequest(new, at: at)
        let created = EventPayload.Created(requester: new.requester, subject: new.subject, priority: new.priority, category: new.category)
        try append(EventDraft(actor: actor, at: at, payload: .created(created)), to: request.id)
        return request
    }
}

extension StoreReader {
    /// The request, or `StoreError.notFound`.
    public func existingRequest(_ id: RequestID) throws -> Request {
        guard let request = try request(id) else { throw StoreError.notFound(id) }
        return request
    }
}
