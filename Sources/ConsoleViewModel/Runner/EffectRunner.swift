import Foundation
import HelpdeskCore
import Synchronization

/// Performs effects through `HelpdeskService` and answers with messages. It counts work in
/// flight, so tests and scripted sessions can wait until the console is idle instead of sleeping.
public actor EffectRunner {
    private let services: ConsoleServices
    private var service: any HelpdeskService
    private let deliver: @Sendable (Message) -> Void
    private let pending = PendingWork()
    private let recording = PendingWork()
    /// The requester cards asked for, numbered as submitted (a card read cancels the one before it itself).
    private nonisolated let cardLoads = NewestLoads()
    /// The queue's windows, by generation: an older one is not wanted any more.
    private nonisolated let queueLoads = NewestLoads()
    /// The selected request's timelines, numbered as submitted: only the last one is shown.
    private nonisolated let detailLoads = NewestLoads()
    /// A picker's Okta searches, one a key typed: only the last one's answer is shown.
    private nonisolated let targetSearches = NewestLoads()
    private var cards: [EmailAddress: (card: RequesterCard, at: Date)] = [:]
    /// Counts the times the cards were forgotten: a read begun before is not kept.
    private var cardsForgotten = 0
    private var cardTask: Task<Void, Never>?
    private var subscription: ServiceSubscription?

    public init(services: ConsoleServices, deliver: @escaping @Sendable (Message) -> Void) {
        self.services = services
        service = services.service
        self.deliver = deliver
    }

    /// Starts the effects without waiting for them; `.quit` is the run loop's, not the runner's.
    public nonisolated func submit(_ effects: [Effect]) {
        for effect in effects where effect != .quit {
            if case .dropQueueLoads(let generation) = effect {
                queueLoads.drop(before: generation)
                continue
            }
            pending.begin()
            let records = effect.records
            if records { recording.begin() }
            // Tasks may reach the actor in any order; a load or search numbered at submission
            // knows whether a newer one was asked for since, so an older one never replaces it. A
            // queue load knows by its generation.
            let newest: (loads: NewestLoads, number: Int)? = switch effect {
            case .loadQueue(let load): (queueLoads, queueLoads.asked(load.generation))
            case .loadDetail: (detailLoads, detailLoads.askedLast())
            case .searchTargets: (targetSearches, targetSearches.askedLast())
            default: nil
            }
            let number = if case .loadCard = effect { cardLoads.askedLast() } else { newest?.number ?? 0 }
            let task = Task {
                await self.perform(effect, number: number)
                if records { self.recording.end() }
                self.pending.end()
            }
            if let newest { newest.loads.started(task, number: newest.number) }
        }
    }

    /// True when no effect is running.
    public nonisolated var isIdle: Bool { pending.count == 0 }

    /// True while work that records something (`Effect.records`) is running.
    public nonisolated var isRecording: Bool { recording.count > 0 }

    /// Waits until every submitted effect has delivered its answer.
    public nonisolated func waitUntilIdle() async {
        while !isIdle { try? await Task.sleep(nanoseconds: 1_000_000) }
    }

    /// Stops listening to the service (the console is closing).
    public func stop() {
        subscription?.cancel()
        subscription = nil
        cardTask?.cancel()
    }

    /// `number` orders card and timeline loads and picker searches as they were submitted.
    func perform(_ effect: Effect, number: Int = 0) async {
        switch effect {
        case .loadQueue(let load):
            // A newer window was asked for since (the next letter of a filter): this one is not
            // read, or, when it was on its way, was cancelled and is not delivered.
            guard queueLoads.isLatest(load.generation) else { return }
            let loaded = await loadQueue(load)
            guard queueLoads.isLatest(load.generation) else { return }
            deliver(loaded)
        case .loadDetail(let id): await loadDetail(id, number: number)
        case .loadCard(let email, let refresh): await loadCard(email, refresh: refresh, number: number)
        case .searchTargets(let kind, let query): await search(kind, query, number: number)
        case .ask(let key, let action, let reason, let account):
            await ask(key, action, reason, account)
            forgetCards()
        case .approve(let key, let approval, let comment):
            await approve(key, approval, comment)
            forgetCards()
        case .loadPlaybooks(let id):
            do { deliver(.playbooksLoaded(id, .success(try await service.playbooks()))) } catch { deliver(.playbooksLoaded(id, .failure(ConsoleFailure(Self.sentence(error))))) }
        case .previewPlan(let ask):
            do {
                let service = self.service
                let preview = try await Deadline.run(seconds: services.oktaTimeout) { try await service.previewPlan(ask) }
                deliver(.planPreviewed(ask, .success(preview)))
            } catch {
                deliver(.planPreviewed(ask, .failure(ConsoleFailure(Self.sentence(error)))))
            }
        case .startPlan(let ask, let steps):
            await report(reload: true, about: ask.requestID) { service in try await service.startPlan(ask, expecting: steps).progressLine }
            forgetCards()
        case .cancelPlan(let id, let reason):
            await report(reload: true) { service in try await service.cancelPlan(id, reason: reason).progressLine }
        case .approvePlan(let approval, let comment):
            await report(reload: true, about: approval.requestID) { service in
                try await service.approvePlan(approval.id, expecting: approval.subject.plan, comment: comment).progressLine
            }
            forgetCards()
        case .deny(let approval, let reason):
            await report(reload: true, about: approval.requestID) { service in
                let denied = try await service.deny(approval.id, reason: reason)
                return "\(denied.decidedBy == approval.requestedBy ? "Withdrew" : "Denied") \(denied.id)."
            }
        case .assign(let id, let login, let version):
            await report(reload: true, about: id) { service in
                let request = try await service.assign(id, to: login, expectedVersion: version)
                return login.map { "\(request.id) is assigned to \($0)." } ?? "\(request.id) is unassigned."
            }
        case .reopen(let id):
            await report(reload: true, about: id) { "\(try await $0.reopen(id).id) is open again." }
        case .findApprovers(let id, let action): await findApprovers(id, action)
        case .note(let id, let text):
            await report(reload: true, about: id) { _ = try await $0.note(id, text); return "Noted on \(id)." }
        case .resolve(let id, let note, let version):
            await report(reload: true, about: id) { "\(try await $0.resolve(id, note: note, expectedVersion: version).id) is resolved." }
        case .checkRequester(let email): await checkRequester(email)
        case .createRequest(let requester, let subject, let priority): await create(requester, subject, priority)
        case .subscribe: await subscribe()
        case .actAs(let login):
            if let other = services.persona?(login) { service = other }
        // `submit` drops loads at once, and `.quit` is the run loop's.
        case .dropQueueLoads, .quit: break
        }
    }

    // MARK: Reads

    func loadQueue(_ load: QueueLoad) async -> Message {
        do {
            let slice = try await service.queueSlice(QueueSliceRequest(
                filter: load.filter, after: load.after, direction: load.direction, limit: load.limit, windowSize: Console.windowSize))
            var window = QueueWindow()
            window.rows = slice.rows
            window.moreAbove = slice.moreAbove
            window.moreBelow = slice.moreBelow
            window.plans = Dictionary(slice.plans.map { ($0.requestID, $0) }, uniquingKeysWith: { _, latest in latest })
            return .queueLoaded(QueueSnapshot(generation: load.generation, window: window, counts: slice.counts, keep: load.keep,
                                              fallbackIndex: load.fallbackIndex, moveBy: load.moveBy))
        } catch {
            return .queueFailed(generation: load.generation, StatusLine("Could not read the queue: \(Self.sentence(error))", .error))
        }
    }

    /// A timeline asked for since (the selection moved on, or the request changed again) replaces
    /// this one: it is not read, or, when it was on its way, was cancelled and is not delivered.
    private func loadDetail(_ id: RequestID, number: Int) async {
        guard detailLoads.isLatest(number) else { return }
        do {
            let detail = try await service.detail(of: id)
            guard detailLoads.isLatest(number) else { return }
            deliver(.detailLoaded(id, DetailSnapshot(timeline: detail.timeline, earlierEvents: detail.earlierEvents, approvals: detail.approvals, runs: detail.runs, unknownRuns: detail.unknownRuns, plans: detail.plans)))
        } catch {
            guard detailLoads.isLatest(number) else { return }
            deliver(.workFinished(StatusLine("Could not read \(id): \(Self.sentence(error))", .error), reload: false))
        }
    }

    /// Listens for commits by anyone; each reaches the console as a message.
    private func subscribe() async {
        guard subscription == nil else { return }
        let deliver = self.deliver
        subscription = await service.subscribe(after: nil) { event in
            switch event {
            case .changed(let notice): deliver(.storeChanged(notice.truncated ? nil : Set(notice.requests)))
            case .unavailable(let reason): deliver(.serviceProblem(reason))
            case .available: deliver(.serviceProblem(nil))
            case .alert(let text): deliver(.alert(text))
            }
        }
    }

    // MARK: Okta look-ups

    private func loadCard(_ email: EmailAddress, refresh: Bool, number: Int) async {
        // A newer load was submitted: this one is already out of date.
        guard cardLoads.isLatest(number) else { return }
        cardTask?.cancel()
        if !refresh, let cached = cards[email], services.clock.now().timeIntervalSince(cached.at) < services.cardLifetime {
            deliver(.cardLoaded(email, .success(cached.card), readAt: cached.at))
            return
        }
        let delay = refresh ? 0 : services.cardDelay
        let task = Task {
            if delay > 0 { try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000)) }
            guard !Task.isCancelled else { return }
            let (forgotten, began) = (cardsForgotten, services.clock.now())
            let result = await fetchCard(email)
            guard !Task.isCancelled else { return }
            if case .success(let card) = result { remember(email, card, readAt: began, readSince: forgotten) }
            deliver(.cardLoaded(email, result, readAt: began))
        }
        cardTask = task
        await task.value
    }

    /// Keeps a card for reuse, as old as its read, unless the cards were forgotten while it was read.
    private func remember(_ email: EmailAddress, _ card: RequesterCard, readAt: Date, readSince forgotten: Int) {
        guard forgotten == cardsForgotten else { return }
        cards[email] = (card, readAt)
    }

    /// An action or a plan changed accounts in Okta: no card read before it, or while it ran, may be reused.
    private func forgetCards() {
        cards = [:]
        cardsForgotten += 1
    }

    /// The card, or a sentence that ends in how to try again; a read that takes longer than
    /// `oktaTimeout` ends in an error instead of a spinner.
    private func fetchCard(_ email: EmailAddress) async -> Result<RequesterCard, ConsoleFailure> {
        let service = self.service
        do {
            let card = try await Deadline.run(seconds: services.oktaTimeout) { try await service.requesterCard(email) }
            deliver(.oktaHealth(true))
            return .success(card)
        } catch let error as Deadline.Expired {
            deliver(.oktaHealth(false))
            return .failure(ConsoleFailure("Okta did not answer within \(error.seconds) s; R retries"))
        } catch {
            if let error = Self.directoryError(error) {
                deliver(.oktaHealth(error.kind == .notFound || error.kind == .notAllowed || error.kind == .invalid))
                if error.kind == .notFound { return .failure(ConsoleFailure("Okta has no user with the email \(email)")) }
                return .failure(ConsoleFailure(error.message + "; R retries"))
            }
            return .failure(ConsoleFailure(Self.sentence(error) + "; R retries"))
        }
    }

    /// A search typed over since is not sent, or, when it was on its way, is cancelled and says nothing.
    private func search(_ kind: PickerState.Kind, _ query: String, number: Int) async {
        guard targetSearches.isLatest(number) else { return }
        let service = self.service
        do {
            let items: [PickerItem] = try await Deadline.run(seconds: services.oktaTimeout) {
                switch kind {
                case .group:
                    try await service.findGroups(query).map {
                        PickerItem(id: $0.id, label: $0.name, detail: $0.type.rawValue, disabledReason: $0.type.whyNotChangeable)
                    }
                case .app:
                    try await service.findApps(query).map { PickerItem(id: $0.id, label: $0.label, detail: $0.name) }
                case .factor, .agent, .playbook:
                    []
                }
            }
            guard targetSearches.isLatest(number) else { return }
            deliver(.pickerResults(kind, query: query, items: items))
        } catch {
            guard targetSearches.isLatest(number) else { return }
            deliver(.pickerResults(kind, query: query, items: []))
            deliver(.workFinished(StatusLine("Okta search failed: \(Self.sentence(error)); type to search again.", .error), reload: false))
        }
    }

    private func checkRequester(_ email: String) async {
        let service = self.service
        do {
            let address = try EmailAddress(email)
            if let user = try await Deadline.run(seconds: services.oktaTimeout, { try await service.lookUpRequester(address) }) {
                deliver(.requesterChecked(email: email, .found("\(user.displayName) (\(user.status.rawValue))")))
            } else {
                deliver(.requesterChecked(email: email, .notFound))
            }
        } catch {
            deliver(.requesterChecked(email: email, .failed("Okta could not be asked (\(Self.sentence(error))); Enter records the request anyway")))
        }
    }

    // MARK: Changes

    private func ask(_ key: InFlight, _ action: OktaAction, _ reason: String, _ account: String?) async {
        do {
            switch try await service.act(ActionAsk(requestID: key.requestID, spec: ActionSpec(action), reason: reason, confirmedUserID: account)) {
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

    private func approve(_ key: InFlight, _ approval: Approval, _ comment: String?) async {
        do {
            let outcome = try await service.approve(approval.id, expecting: approval.action, comment: comment)
            deliver(.actionFinished(key, Self.report(outcome)))
        } catch {
            deliver(.actionFinished(key, ActionReport(line: StatusLine(Self.sentence(error), .error))))
        }
    }

    private func create(_ requester: String, _ subject: String, _ priority: Priority) async {
        do {
            let new = try NewRequest(requester: try EmailAddress(requester), subject: subject, priority: priority)
            deliver(.requestCreated(try await service.create(new).id))
        } catch {
            deliver(.workFinished(StatusLine(Self.sentence(error), .error), reload: false))
        }
    }

    private func report(reload: Bool, about id: RequestID? = nil, _ body: (any HelpdeskService) async throws -> String) async {
        do {
            deliver(.workFinished(StatusLine(try await body(service), .success, about: id), reload: reload))
        } catch {
            deliver(.workFinished(StatusLine(Self.sentence(error), .error, about: id), reload: false))
        }
    }

    private func findApprovers(_ id: RequestID, _ action: ActionName) async {
        let service = self.service
        do {
            let logins = try await Deadline.run(seconds: services.oktaTimeout) { try await service.whoMayApprove(action, on: id) }
            deliver(.approversFound(id, action, .success(logins)))
        } catch {
            deliver(.approversFound(id, action, .failure(ConsoleFailure(Self.sentence(error)))))
        }
    }

    static func report(_ outcome: ActionOutcome) -> ActionReport {
        let link: String? = if case .succeeded(let receipt) = outcome.result { receipt.oneTimeLink } else { nil }
        return ActionReport(line: StatusLine(outcome.message, outcome.succeeded ? .success : .error), oneTimeLink: link)
    }

    /// The sentence for any error the service throws.
    static func sentence(_ error: any Error) -> String {
        switch error {
        case let error as Deadline.Expired: "Okta did not answer within \(error.seconds) s"
        case let error as DirectoryError: error.message
        case let error as Refusal: error.message
        case let error as StoreError: error.description
        case let error as ValidationError: error.message
        case let error as ServiceError: error.directory?.message ?? error.message
        default: "\(error)"
        }
    }

    /// Okta's error, whether thrown in-process or carried over the socket.
    static func directoryError(_ error: any Error) -> DirectoryError? {
        (error as? DirectoryError) ?? (error as? ServiceError)?.directory
    }
}

/// Effects started and not yet answered.
final class PendingWork: Sendable {
    private let state = Mutex(0)
    func begin() { state.withLock { $0 += 1 } }
    func end() { state.withLock { $0 -= 1 } }
    var count: Int { state.withLock { $0 } }
}
