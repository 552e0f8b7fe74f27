import Foundation

/// `HelpdeskService` in this process, for one operator: the demo, personal use, and the part of
/// `helpdesk serve` behind each client. Every call checks what the operator may do here, never
/// in the client; every commit pokes the change feed so other consoles see it at once.
public struct LocalHelpdeskService: HelpdeskService {
    public let backend: HelpdeskBackend
    public let user: Operator

    public init(backend: HelpdeskBackend, user: Operator) {
        self.backend = backend
        self.user = user
    }

    private var engine: ActionEngine { backend.engine }
    private var store: any RequestStore { engine.store }
    private var work: RequestWork { RequestWork(store: store, clock: engine.clock, team: engine.team) }

    /// Rows a page may ask for.
    public static let pageLimit = 1...1_000
    /// Lines an import batch may hold: one transaction, about 40 ms of the store's writer. Fewer
    /// and larger transactions cost SQLite less (half as many commits and word-index segments to
    /// merge: a tenth of its work per 100,000 lines against batches of 1,000).
    public static let importBatchLimit = 2000

    public func session() async throws -> ServiceSession {
        ServiceSession(operator: user, orgName: engine.directory.orgName, policy: engine.policy, personas: backend.personas,
                       agents: engine.team.operators.values.filter(\.canAct).map(\.login).sorted(), importBatchLines: Self.importBatchLimit)
    }

    // MARK: Reading

    public func queue(_ query: QueueQuery) async throws -> QueuePage {
        try Self.check(query.filter)
        var query = query
        query.limit = Self.clamped(query.limit)
        return try store.readUnlessCancelled { try $0.queue(query) }
    }

    public func queueSlice(_ request: QueueSliceRequest) async throws -> QueueSlice {
        try Self.check(request.filter)
        let limit = Self.clamped(request.limit)
        let windowSize = Self.clamped(request.windowSize)
        let login = user.login
        return try store.readUnlessCancelled { reader in
            var rows: [Request]
            var moreBelow: Bool
            switch request.direction {
            case .forward:
                let page = try reader.queue(QueueQuery(filter: request.filter, after: request.after, limit: limit))
                rows = page.requests
                moreBelow = page.next != nil
            case .backward:
                let before = try reader.queue(QueueQuery(filter: request.filter, after: request.after, direction: .backward, limit: limit))
                // Nothing above the row any more (they were resolved since the window said there
                // were): the window is the top of the queue.
                let rest = before.requests.isEmpty ? windowSize : max(0, windowSize - before.requests.count)
                let following = before.requests.last.map(QueueCursor.init)
                let after = request.after == nil && following == nil ? nil : try reader.queue(QueueQuery(filter: request.filter, after: following, limit: rest))
                rows = before.requests + (after?.requests ?? [])
                moreBelow = after?.next != nil
            }
            var moreAbove = false
            // A window read forward from the top has nothing above it: no query (a typed filter
            // would otherwise run its text match again).
            if let first = rows.first, request.after != nil || request.direction == .backward {
                moreAbove = !(try reader.queue(QueueQuery(filter: request.filter, after: QueueCursor(first), direction: .backward, limit: 1)).requests.isEmpty)
            }
            let statuses = try reader.statusCounts()
            let counts = QueueCounts(
                queue: RequestStatus.active.reduce(0) { $0 + (statuses[$1] ?? 0) },
                mine: try reader.count(QueueCounts.mineFilter(login)),
                approvals: try reader.count(QueueCounts.approvalsFilter(login)),
                resolved: RequestStatus.done.reduce(0) { $0 + (statuses[$1] ?? 0) })
            return QueueSlice(rows: rows, moreAbove: moreAbove, moreBelow: moreBelow, counts: counts, plans: try reader.activePlans(of: rows.map(\.id)))
        }
    }

    public func detail(of id: RequestID) async throws -> RequestDetail {
        let (request, timeline, approvals, runs, grants, plans) = try store.readUnlessCancelled { reader in
            (try reader.existingRequest(id), try reader.newestEvents(of: id, limit: RequestDetail.timelineLimit, maxBytes: RequestDetail.timelineBytes),
             try reader.approvals(of: id, decidedLimit: RequestDetail.decidedApprovalLimit), try reader.runs(of: id), try reader.grants(of: id), try reader.plans(of: id))
        }
        let reconciler = backend.reconciler
        let now = engine.clock.now()
        let unknown = runs.filter { reconciler.isOutcomeUnknown($0, now: now) }.map(\.id)
        let recentRuns = RequestDetail.recent(runs, isOpen: { $0.state == .started || $0.state == .unknown || unknown.contains($0.id) }, limit: RequestDetail.endedLimit)
        let recentPlans = RequestDetail.recent(plans, isOpen: { !$0.state.isFinal }, limit: RequestDetail.endedLimit)
        return RequestDetail(request: request, timeline: timeline.events, earlierEvents: timeline.earlier, approvals: approvals.approvals,
                             earlierApprovals: approvals.earlier, runs: recentRuns.items, earlierRuns: recentRuns.earlier, grants: grants, unknownRuns: unknown,
                             plans: recentPlans.items, earlierPlans: recentPlans.earlier)
    }

    public func requesterCard(_ email: EmailAddress) async throws -> RequesterCard {
        try requireOkta()
        try requireCardReader(of: email)
        let directory = engine.directory
        let user = try await directory.user(.email(email))
        async let groups = directory.groups(ofUser: user.id)
        async let apps = directory.apps(ofUser: user.id)
        async let factors = directory.factors(ofUser: user.id)
        async let signIns = directory.signIns(ofUser: user.id, limit: 3)
        var manager: DirectoryUser?
        var managerProblem: String?
        if let managerID = user.managerID {
            do {
                manager = try await directory.user(.id(managerID))
            } catch let error as DirectoryError where error.kind != .notFound {
                managerProblem = error.message
            } catch {}
        }
        return RequesterCard(user: user, manager: manager, groups: try await groups, apps: try await apps,
                             factors: user.status == .deprovisioned ? [] : try await factors, signIns: try await signIns, managerProblem: managerProblem)
    }

    public func lookUpRequester(_ email: EmailAddress) async throws -> DirectoryUser? {
        try requireOkta()
        try requireAgent("look up accounts in Okta")
        do {
            return try await engine.directory.user(.email(email))
        } catch let error as DirectoryError where error.kind == .notFound {
            return nil
        }
    }

    public func findGroups(_ prefix: String) async throws -> [DirectoryGroup] {
        try requireOkta()
        try requireAgent("look up groups in Okta")
        return try await engine.directory.findGroups(try Self.searchText(prefix), limit: 20)
    }

    public func findApps(_ prefix: String) async throws -> [DirectoryApp] {
        try requireOkta()
        try requireAgent("look up apps in Okta")
        return try await engine.directory.findApps(try Self.searchText(prefix), limit: 20)
    }

    public func exportEvents(_ query: EventQuery) async throws -> ExportPage {
        let limit = Self.clamped(query.limit)
        let events = try store.read { reader in
            if let request = query.request { _ = try reader.existingRequest(request) }
            return try reader.storedEvents(since: query.since, request: query.request, afterEventID: query.afterEventID, limit: limit, maxBytes: ExportPage.budget)
        }
        return ExportPage(events, limit: limit)
    }

    // MARK: Working on requests

    public func create(_ new: NewRequest) async throws -> Request {
        try requireAgent("record requests")
        return try await committing { try store.create(new, by: user.login, at: engine.clock.now()) }
    }

    public func note(_ id: RequestID, _ text: String) async throws -> TimelineEvent {
        try requireAgent("add notes")
        return try await committing { try work.note(id, text, by: user) }
    }

    public func assign(_ id: RequestID, to login: String?, expectedVersion: Int?) async throws -> Request {
        try await committing { try work.assign(id, to: login, by: user, expectedVersion: expectedVersion) }
    }

    public func resolve(_ id: RequestID, note: String?, expectedVersion: Int?) async throws -> Request {
        try await committing { try work.resolve(id, note: note, by: user, expectedVersion: expectedVersion) }
    }

    public func reopen(_ id: RequestID) async throws -> Request {
        try await committing { try work.reopen(id, by: user) }
    }

    public func importLines(_ lines: [ImportInput]) async throws -> ImportReport {
        try requireAgent("import requests")
        guard lines.count <= Self.importBatchLimit else {
            throw Refusal("an import batch holds at most \(Self.importBatchLimit) lines; this one had \(lines.count)")
        }
        // The first chunk is read before the store is held; the rest are read while it writes.
        let reading = ImportReading(lines)
        let now = engine.clock.now()
        let login = user.login
        // The body may run again (a store that retries a transaction a concurrent one spoiled): it
        // only writes and returns what it wrote.
        let written = try await committing {
            try store.write { writer in
                var written: [(good: ImportReading.Good, outcome: OnceWrite)] = []
                for index in 0..<reading.chunkCount {
                    let good = reading.chunk(index)
                    written += zip(good, try writer.createOnce(good.map(\.request), by: login, at: now)).map { ($0, $1) }
                }
                return written
            }
        }
        var report = ImportReport()
        report.refused = reading.refusedLines()
        for (good, outcome) in written {
            let externalID = good.request.externalID ?? ""
            switch outcome {
            case .created(let id): report.imported.append(.init(line: good.line, id: id.description, externalId: externalID))
            case .found(let id): report.alreadyImported.append(.init(line: good.line, id: id.description, externalId: externalID))
            }
        }
        return report
    }

    // MARK: Okta actions and approvals

    public func act(_ ask: ActionAsk) async throws -> AskOutcome {
        try requireOkta()
        guard user.canAct else {
            throw Refusal("\(user.login) has no agent role, so cannot ask for Okta actions; an admin can add the role in the configuration")
        }
        let request = try store.existingRequest(ask.requestID)
        let account = if let confirmed = ask.confirmedUserID {
            try await engine.confirmedAccount(confirmed, of: request)
        } else {
            try await engine.requesterAccount(request)
        }
        let resolved = try await ActionResolver(directory: engine.directory).resolve(ask.spec, userID: account.id)
        return try await committing {
            try await engine.ask(resolved.action, on: ask.requestID, reason: ask.reason, by: user, account: account, group: resolved.group)
        }
    }

    public func whoMayApprove(_ action: ActionName, on id: RequestID) async throws -> [String] {
        try requireOkta()
        guard user.canAct else {
            throw Refusal("\(user.login) has no agent role, so cannot ask for Okta actions; an admin can add the role in the configuration")
        }
        return try await engine.whoMayApprove(action, on: id, asker: user)
    }

    public func approve(_ id: ApprovalID, expecting: OktaAction?, comment: String?) async throws -> ActionOutcome {
        try requireOkta()
        return try await committing { try await engine.approve(id, by: user, expecting: expecting, comment: comment) }
    }

    public func deny(_ id: ApprovalID, reason: String) async throws -> Approval {
        try await committing { try await engine.deny(id, by: user, reason: reason) }
    }

    // MARK: Playbooks

    public func playbooks() async throws -> [Playbook] {
        backend.playbooks.playbooks.filter { $0.mayBeStarted(by: user) }
    }

    public func previewPlan(_ ask: PlanAsk) async throws -> PlanPreview {
        try requireOkta()
        return try await backend.playbooks.preview(ask, by: user)
    }

    public func startPlan(_ ask: PlanAsk, expecting: [PlanStep]?) async throws -> Plan {
        try requireOkta()
        return try await committing { try await backend.playbooks.start(ask, expecting: expecting, by: user) }
    }

    public func approvePlan(_ id: ApprovalID, expecting: PlanTerms?, comment: String?) async throws -> Plan {
        try requireOkta()
        return try await committing { try await backend.playbooks.approve(id, by: user, expecting: expecting, comment: comment) }
    }

    public func cancelPlan(_ id: PlanID, reason: String) async throws -> Plan {
        try await committing { try await backend.playbooks.cancel(id, by: user, reason: reason) }
    }

    public func reconcile(_ id: RequestID?) async throws -> [Reconciler.Result] {
        try requireOkta()
        try requireAgent("reconcile actions with Okta")
        if let id { _ = try store.existingRequest(id) }
        return try await committing { try await backend.reconciler.reconcile(id, by: user.login) }
    }

    public func sweep() async throws -> AccessSweeper.Report {
        try requireOkta()
        try requireAgent("sweep ended access and approvals")
        return try await committing { try await AccessSweeper(engine: engine, actor: user.login).sweep() }
    }

    public func setupChecks() async -> [ServiceCheck] {
        await backend.setupChecks()
    }

    public func subscribe(after eventID: Int64?, _ handler: @escaping @Sendable (ServiceEvent) -> Void) async -> ServiceSubscription {
        let feed = backend.feed
        let id = await feed.subscribe(after: eventID, handler)
        return ServiceSubscription { Task { await feed.unsubscribe(id) } }
    }

    // MARK: Helpers

    /// Runs a change and tells the feed, whether it succeeded or not (a failure may have committed part).
    private func committing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            await backend.feed.poke()
            return result
        } catch {
            await backend.feed.poke()
            throw error
        }
    }

    private func requireOkta() throws {
        if let problem = backend.oktaProblem { throw Refusal(problem) }
    }

    private static func clamped(_ limit: Int) -> Int {
        min(max(limit, pageLimit.lowerBound), pageLimit.upperBound)
    }

    /// Filter text is at most 200 characters (and 800 bytes).
    private static func check(_ filter: QueueFilter) throws {
        if let text = filter.text {
            try PlainText.check(text, "the search text", atMostBytes: 800)
            if text.count > 200 { throw Refusal("the search text is \(text.count) characters; keep it under 200") }
        }
        for login in [filter.assignee, filter.awaitingApprovalBy].compactMap({ $0 }) {
            try PlainText.check(login, "a login", atMostBytes: 256)
        }
    }

    private static func searchText(_ text: String) throws -> String {
        try PlainText.check(text, "the search text", atMostBytes: 400)
        guard text.count <= 100 else { throw Refusal("the search text is \(text.count) characters; keep it under 100") }
        return text
    }

    /// A requester's Okta account is read for agents and approvers, and for a manager with no role
    /// only while an approval on one of that person's requests that lists them waits, and for a
    /// week after they approved or denied it (to see what it did): every card is several calls
    /// against the organisation's Okta rate limits, and a manager's reason to see an account ends
    /// with the ask.
    private func requireCardReader(of email: EmailAddress) throws {
        guard !user.canAct, !user.isApprover else { return }
        let now = engine.clock.now()
        let decidedSince = now.addingTimeInterval(-Self.cardReadAfterDecision)
        guard try store.read({ try $0.isListedApprover(user.login, forRequester: email, at: now, decidedSince: decidedSince) }) else {
            throw Refusal("\(user.login) has no agent or approver role, so reads the Okta account only of someone whose approval is asked of \(user.login) "
                + "(or was approved or denied by \(user.login) in the last 7 days); an admin can add a role in the configuration")
        }
    }

    /// How long a manager with no role still reads an account after approving or denying its approval.
    static let cardReadAfterDecision: TimeInterval = 7 * 24 * 3600

    /// Recording and changing requests is an agent's work; managers and approvers decide approvals.
    private func requireAgent(_ what: String) throws {
        guard user.canAct else { throw Refusal("\(user.login) has no agent role, so cannot \(what); an admin can add the role in the configuration") }
    }
}
