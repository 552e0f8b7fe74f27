import Foundation
import HelpdeskCore
import Synchronization

/// Performs effects through HelpdeskCore and answers with messages. It counts work in flight,
/// so tests and scripted sessions can wait until the console is idle instead of sleeping.
public actor EffectRunner {
    private let services: ConsoleServices
    private let deliver: @Sendable (Message) -> Void
    private let pending = PendingWork()
    private var cards: [EmailAddress: (card: RequesterCard, at: Date)] = [:]
    private var cardTask: Task<Void, Never>?
    private var storeToken: Int64?

    public init(services: ConsoleServices, deliver: @escaping @Sendable (Message) -> Void) {
        self.services = services
        self.deliver = deliver
    }

    /// Starts the effects without waiting for them; `.quit` is the run loop's, not the runner's.
    public nonisolated func submit(_ effects: [Effect]) {
        for effect in effects where effect != .quit {
            pending.begin()
            Task {
                await self.perform(effect)
                self.pending.end()
            }
        }
    }

    /// True when no effect is running.
    public nonisolated var isIdle: Bool { pending.count == 0 }

    /// Waits until every submitted effect has delivered its answer.
    public nonisolated func waitUntilIdle() async {
        while !isIdle { try? await Task.sleep(nanoseconds: 1_000_000) }
    }

    func perform(_ effect: Effect) async {
        switch effect {
        case .loadQueue(let load): deliver(loadQueue(load))
        case .loadDetail(let id): loadDetail(id)
        case .loadCard(let email, let refresh): await loadCard(email, refresh: refresh)
        case .searchTargets(let kind, let query): await search(kind, query)
        case .ask(let key, let action, let reason, let user): await ask(key, action, reason, user)
        case .approve(let key, let approval, let comment, let user): await approve(key, approval, comment, user)
        case .deny(let approval, let reason, let user):
            report(reload: true) { "Denied \(try services.engine.deny(approval.id, by: user, reason: reason).id)." }
        case .assign(let id, let login, let user):
            report(reload: true) { "\(try services.work.assign(id, to: login, by: user).id) is assigned to \(login)." }
        case .note(let id, let text, let user):
            report(reload: true) { _ = try services.work.note(id, text, by: user); return "Noted on \(id)." }
        case .resolve(let id, let note, let version, let user):
            report(reload: true) { "\(try services.work.resolve(id, note: note, by: user, expectedVersion: version).id) is resolved." }
        case .checkRequester(let email): await checkRequester(email)
        case .createRequest(let requester, let subject, let priority, let user): create(requester, subject, priority, user)
        case .watchStore: watchStore()
        case .sweep: await sweep()
        case .quit: break
        }
    }

    // MARK: Store reads

    func loadQueue(_ load: QueueLoad) -> Message {
        do {
            let (window, counts) = try services.store.read { reader -> (QueueWindow, TabCounts) in
                var window = QueueWindow()
                switch load.direction {
                case .forward:
                    let page = try reader.queue(QueueQuery(filter: load.filter, after: load.after, limit: load.limit))
                    window.rows = page.requests
                    window.moreBelow = page.next != nil
                case .backward:
                    let before = try reader.queue(QueueQuery(filter: load.filter, after: load.after, direction: .backward, limit: load.limit))
                    let rest = max(0, Console.windowSize - before.requests.count)
                    let after = try before.requests.last.map { try reader.queue(QueueQuery(filter: load.filter, after: QueueCursor($0), limit: rest)) }
                    window.rows = before.requests + (after?.requests ?? [])
                    window.moreBelow = after?.next != nil
                }
                if let first = window.rows.first {
                    window.moreAbove = !(try reader.queue(QueueQuery(filter: load.filter, after: QueueCursor(first), direction: .backward, limit: 1)).requests.isEmpty)
                }
                let statuses = try reader.statusCounts()
                let counts = TabCounts(
                    queue: RequestStatus.active.reduce(0) { $0 + (statuses[$1] ?? 0) },
                    mine: try reader.count(Tab.mine.filter(for: load.login, text: "")),
                    approvals: try reader.count(Tab.approvals.filter(for: load.login, text: "")),
                    resolved: RequestStatus.done.reduce(0) { $0 + (statuses[$1] ?? 0) })
                return (window, counts)
            }
            return .queueLoaded(QueueSnapshot(generation: load.generation, window: window, counts: counts, keep: load.keep,
                                              fallbackIndex: load.fallbackIndex, moveBy: load.moveBy))
        } catch {
            return .workFinished(StatusLine("Could not read the queue: \(error)", .error), reload: false)
        }
    }

    private func loadDetail(_ id: RequestID) {
        do {
            let snapshot = try services.store.read { reader in
                DetailSnapshot(timeline: try reader.timeline(of: id), approvals: try reader.approvals(of: id), runs: try reader.runs(of: id))
            }
            deliver(.detailLoaded(id, snapshot))
        } catch {
            deliver(.workFinished(StatusLine("Could not read \(id): \(error)", .error), reload: false))
        }
    }

    private func watchStore() {
        guard let token = try? services.store.changeToken() else { return }
        defer { storeToken = token }
        if let previous = storeToken, previous != token { deliver(.storeChanged) }
    }

    // MARK: Okta look-ups

    private func loadCard(_ email: EmailAddress, refresh: Bool) async {
        cardTask?.cancel()
        if !refresh, let cached = cards[email], services.clock.now().timeIntervalSince(cached.at) < services.cardLifetime {
            deliver(.cardLoaded(email, .success(cached.card)))
            return
        }
        let delay = refresh ? 0 : services.cardDelay
        let task = Task {
            if delay > 0 { try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000)) }
            guard !Task.isCancelled else { return }
            let result = await fetchCard(email)
            guard !Task.isCancelled else { return }
            if case .success(let card) = result { remember(email, card) }
            deliver(.cardLoaded(email, result))
        }
        cardTask = task
        await task.value
    }

    private func remember(_ email: EmailAddress, _ card: RequesterCard) {
        cards[email] = (card, services.clock.now())
    }

    private func fetchCard(_ email: EmailAddress) async -> Result<RequesterCard, ConsoleFailure> {
        let directory = services.directory
        do {
            let user = try await directory.user(.email(email))
            async let groups = directory.groups(ofUser: user.id)
            async let apps = directory.apps(ofUser: user.id)
            async let factors = directory.factors(ofUser: user.id)
            async let signIns = directory.signIns(ofUser: user.id, limit: 3)
            var manager: DirectoryUser?
            if let managerID = user.managerID { manager = try? await directory.user(.id(managerID)) }
            let card = RequesterCard(user: user, manager: manager, groups: try await groups, apps: try await apps,
                                     factors: user.status == .deprovisioned ? [] : try await factors, signIns: try await signIns)
            deliver(.oktaHealth(true))
            return .success(card)
        } catch let error as DirectoryError {
            deliver(.oktaHealth(error.kind == .notFound || error.kind == .notAllowed || error.kind == .invalid))
            return .failure(ConsoleFailure(error.kind == .notFound ? "Okta has no user with the email \(email)" : error.message))
        } catch {
            return .failure(ConsoleFailure("\(error)"))
        }
    }

    private func search(_ kind: PickerState.Kind, _ query: String) async {
        do {
            let items: [PickerItem]
            switch kind {
            case .group:
                items = try await services.directory.findGroups(query, limit: 20).map {
                    PickerItem(id: $0.id, label: $0.name, detail: $0.type.rawValue, disabledReason: $0.type.whyNotChangeable)
                }
            case .app:
                items = try await services.directory.findApps(query, limit: 20).map { PickerItem(id: $0.id, label: $0.label, detail: $0.name) }
            }
            deliver(.pickerResults(query: query, items: items))
        } catch {
            deliver(.pickerResults(query: query, items: []))
            deliver(.workFinished(StatusLine("Okta search failed: \(Self.sentence(error))", .error), reload: false))
        }
    }

    private func checkRequester(_ email: String) async {
        do {
            let user = try await services.directory.user(.email(try EmailAddress(email)))
            deliver(.requesterChecked(email: email, .found("\(user.displayName) (\(user.status.rawValue))")))
        } catch let error as DirectoryError where error.kind == .notFound {
            deliver(.requesterChecked(email: email, .notFound))
        } catch {
            deliver(.requesterChecked(email: email, .failed(Self.sentence(error))))
        }
    }

    // MARK: Changes

    private func ask(_ key: InFlight, _ action: OktaAction, _ reason: String, _ user: Operator) async {
        do {
            switch try await services.engine.ask(action, on: key.requestID, reason: reason, by: user) {
            case .awaitingApproval(let approval):
                let who = approval.approvers.map(\.login).joined(separator: ", ")
                deliver(.actionFinished(key, ActionReport(line: StatusLine("\(key.requestID): \(action.name.title) waits for approval \(approval.id) by \(who).", .success))))
            case .ran(let outcome):
                deliver(.actionFinished(key, Self.report(outcome)))
            }
        } catch {
            deliver(.actionFinished(key, ActionReport(line: StatusLine(Self.sentence(error), .error))))
        }
    }

    private func approve(_ key: InFlight, _ approval: Approval, _ comment: String?, _ user: Operator) async {
        do {
            let outcome = try await services.engine.approve(approval.id, by: user, expecting: approval.action, comment: comment)
            deliver(.actionFinished(key, Self.report(outcome)))
        } catch {
            deliver(.actionFinished(key, ActionReport(line: StatusLine(Self.sentence(error), .error))))
        }
    }

    private func create(_ requester: String, _ subject: String, _ priority: Priority, _ user: Operator) {
        do {
            let new = try NewRequest(requester: try EmailAddress(requester), subject: subject, priority: priority)
            deliver(.requestCreated(try services.store.create(new, by: user.login, at: services.clock.now()).id))
        } catch {
            deliver(.workFinished(StatusLine(Self.sentence(error), .error), reload: false))
        }
    }

    private func sweep() async {
        guard let report = try? await AccessSweeper(engine: services.engine).sweep() else { return }
        if !report.revoked.isEmpty {
            deliver(.workFinished(StatusLine("Temporary access ended: \(report.revoked.map(\.description).joined(separator: ", ")).", .info), reload: true))
        }
    }

    private func report(reload: Bool, _ body: () throws -> String) {
        do {
            deliver(.workFinished(StatusLine(try body(), .success), reload: reload))
        } catch {
            deliver(.workFinished(StatusLine(Self.sentence(error), .error), reload: false))
        }
    }

    static func report(_ outcome: ActionOutcome) -> ActionReport {
        let link: String? = if case .succeeded(let receipt) = outcome.result { receipt.oneTimeLink } else { nil }
        return ActionReport(line: StatusLine(outcome.message, outcome.succeeded ? .success : .error), oneTimeLink: link)
    }

    /// The sentence for any error the services throw.
    static func sentence(_ error: any Error) -> String {
        switch error {
        case let error as DirectoryError: error.message
        case let error as Refusal: error.message
        case let error as StoreError: error.description
        case let error as ValidationError: error.message
        default: "\(error)"
        }
    }
}

/// Effects started and not yet answered.
final class PendingWork: Sendable {
    private let state = Mutex(0)
    func begin() { state.withLock { $0 += 1 } }
    func end() { state.withLock { $0 -= 1 } }
    var count: Int { state.withLock { $0 } }
}
