import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import Testing

/// One promise of `RequestStore`, checked the same way on every engine.
enum ContractCase: String, CaseIterable, Sendable, CustomStringConvertible {
    case queueOrderAndKeysetPages
    case countsFollowStatusChanges
    case searchFindsWordsPrefixesPhrasesAndScriptsWithoutSpaces
    case eventsCannotBeChangedOrDeleted
    case decidedApprovalsCannotChange
    case onePendingApprovalPerRequestAndAction
    case noResolvingWhilePending
    case staleVersionIsAConflict
    case concurrentDecisionsOfOneApprovalHaveOneWinner
    case concurrentUpdatesAllLandInTurn
    case timelineGrowsInCommitOrder
    case commitsOfAnotherConnectionChangeTheToken
    case aFailedWriteLeavesNothing
    case anImportBatchWritesEachExternalIDOnce
    case theNewestEventsAreReadWithinALimitAndABudget
    case pendingApprovalsAndTheNewestDecidedAreRead

    var description: String { rawValue }

    func run(on store: StoreUnderTest) async throws {
        switch self {
        case .queueOrderAndKeysetPages: try Self.queueOrder(store)
        case .countsFollowStatusChanges: try Self.counts(store)
        case .searchFindsWordsPrefixesPhrasesAndScriptsWithoutSpaces: try Self.search(store)
        case .eventsCannotBeChangedOrDeleted: try Self.appendOnly(store)
        case .decidedApprovalsCannotChange: try Self.decidedApprovals(store)
        case .onePendingApprovalPerRequestAndAction: try Self.onePending(store)
        case .noResolvingWhilePending: try Self.noResolving(store)
        case .staleVersionIsAConflict: try Self.staleVersion(store)
        case .concurrentDecisionsOfOneApprovalHaveOneWinner: try await Self.concurrentDecisions(store)
        case .concurrentUpdatesAllLandInTurn: try await Self.concurrentUpdates(store)
        case .timelineGrowsInCommitOrder: try await Self.commitOrder(store)
        case .commitsOfAnotherConnectionChangeTheToken: try await Self.changeToken(store)
        case .aFailedWriteLeavesNothing: try Self.failedWrite(store)
        case .anImportBatchWritesEachExternalIDOnce: try Self.createOnce(store)
        case .theNewestEventsAreReadWithinALimitAndABudget: try Self.newestEvents(store)
        case .pendingApprovalsAndTheNewestDecidedAreRead: try Self.recentApprovals(store)
        }
    }

    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    // MARK: Queue

    private static func queueOrder(_ under: StoreUnderTest) throws {
        let store = try under.open()
        let priorities: [Priority] = [.low, .urgent, .normal, .high]
        for index in 0..<37 {
            _ = try store.create(Fixtures.newRequest("request \(index)", priority: priorities[index % 4]), by: "intake",
                                 at: start.addingTimeInterval(Double((index * 7) % 37)))
        }
        let all = try store.read { try $0.queue(QueueQuery(filter: .all, limit: 100)) }.requests
        #expect(all.count == 37)
        let expected = all.sorted { ($0.priority.urgencyRank, $0.createdAt, $0.id.number) < ($1.priority.urgencyRank, $1.createdAt, $1.id.number) }
        #expect(all.map(\.id) == expected.map(\.id))
        // Pages of 5 forward, then back from the end, give the same order.
        var forward: [RequestID] = []
        var cursor: QueueCursor?
        repeat {
            let page = try store.read { try $0.queue(QueueQuery(filter: .all, after: cursor, limit: 5)) }
            forward += page.requests.map(\.id)
            cursor = page.next
        } while cursor != nil
        #expect(forward == expected.map(\.id))
        let last = try store.read { try $0.queue(QueueQuery(filter: .all, direction: .backward, limit: 5)) }
        #expect(last.requests.map(\.id) == Array(expected.suffix(5)).map(\.id))
    }

    private static func counts(_ under: StoreUnderTest) throws {
        let store = try under.open()
        var requests: [Request] = []
        for index in 0..<6 { requests.append(try store.create(Fixtures.newRequest("r\(index)"), by: "intake", at: start)) }
        for request in requests.prefix(2) {
            _ = try store.write { try $0.update(request.id, expectedVersion: request.version, change: RequestChange(status: .resolved), at: start) }
        }
        let counts = try store.read { try $0.statusCounts() }
        #expect(counts[.new] == 4)
        #expect(counts[.resolved] == 2)
        #expect(try store.read { try $0.count(QueueFilter(statuses: RequestStatus.active)) } == 4)
        #expect(try store.read { try $0.count(QueueFilter(statuses: RequestStatus.done)) } == 2)
        #expect(try store.read { try $0.count(.all) } == 6)
    }

    // MARK: Search

    /// The corpus and what each typed filter finds (by subject), the same on every engine.
    static let corpus: [(subject: String, body: String, requester: String)] = [
        ("Lost my phone", "Please reset my MFA, the phone fell in the lake", "jane.doe@example.com"),
        ("Need Salesforce", "Sales team onboarding for user4242", "sam.sales@example.com"),
        ("Locked out", "Account locked after password change", "li.wei@example.com"),
        ("Café Wi-Fi", "Le réseau du café ne marche pas", "rene@example.fr"),
        ("VPNに接続できません", "会社のVPNに接続できません。至急お願いします", "tanaka@example.jp"),
        ("Leaver on Friday", "Offboard bob-smith, remove Salesforce and GitHub", "hr@example.com"),
        ("Printer jam", "user-4242 reports the printer on floor 2 jams", "ops@example.com"),
        ("Straße gesperrt", "Zugang zum Büro verweigert", "max@example.de"),
        ("Мой пароль не работает", "ΣΟΦΟΣ Καλημέρα", "ivan@example.ru"),
        // Past what a tsvector keeps of a word's places, and of places at all.
        ("Repeated log lines", String(repeating: "user-42 ", count: 300) + "user-43", "logs@example.com"),
        ("長い本文", String(repeating: "漢字仮名交じり文", count: 2_450) + "猫狗鸟", "long@example.cn"),
    ]

    static let searches: [(typed: String, subjects: Set<String>)] = [
        ("phone", ["Lost my phone"]),
        ("pho", ["Lost my phone"]),
        ("SALESFORCE", ["Need Salesforce", "Leaver on Friday"]),
        ("user4242", ["Need Salesforce"]),
        ("user-4242", ["Printer jam"]),
        ("4242", ["Printer jam"]),
        ("cafe", ["Café Wi-Fi"]),
        ("reseau", ["Café Wi-Fi"]),
        ("jane.doe", ["Lost my phone"]),
        ("example.jp", ["VPNに接続できません"]),
        ("接続", ["VPNに接続できません"]),
        ("できません", ["VPNに接続できません"]),
        ("至急", ["VPNに接続できません"]),
        ("接続 vpn", ["VPNに接続できません"]),
        ("locked password", ["Locked out"]),
        ("locked phone", []),
        ("bob-smith", ["Leaver on Friday"]),
        ("smith-bob", []),
        ("--- ***", []),
        ("zebra", []),
        ("straße", ["Straße gesperrt"]),
        ("STRASSE", []),
        ("buro", ["Straße gesperrt"]),
        ("мой", ["Мой пароль не работает"]),
        ("мои", []),
        ("σοφος", ["Мой пароль не работает"]),
        ("καλημέρα", ["Мой пароль не работает"]),
        ("καλημερα", []),
        ("user-43", ["Repeated log lines"]),
        ("user-42", ["Repeated log lines", "Printer jam"]),
        ("猫狗鸟", ["長い本文"]),
        ("狗鸟", ["長い本文"]),
        ("鸟猫", []),
    ]

    private static func search(_ under: StoreUnderTest) throws {
        let store = try under.open()
        for (index, entry) in corpus.enumerated() {
            _ = try store.create(Fixtures.newRequest(entry.subject, requester: entry.requester, body: entry.body), by: "intake", at: start.addingTimeInterval(Double(index)))
        }
        for (typed, subjects) in searches {
            let filter = QueueFilter(text: typed)
            let found = try store.read { try $0.queue(QueueQuery(filter: filter, limit: 50)) }.requests
            #expect(Set(found.map(\.subject)) == subjects, "typed \(typed)")
            #expect(try store.read { try $0.count(filter) } == subjects.count, "count of \(typed)")
            // Page by page, one row at a time: the same rows, in queue order.
            var paged: [Request] = []
            var cursor: QueueCursor?
            repeat {
                let page = try store.read { try $0.queue(QueueQuery(filter: filter, after: cursor, limit: 1)) }
                paged += page.requests
                cursor = page.next
            } while cursor != nil && paged.count <= corpus.count
            #expect(paged.map(\.id) == found.map(\.id), "pages of \(typed)")
        }
    }

    // MARK: The record

    private static func appendOnly(_ under: StoreUnderTest) throws {
        let store = try under.open()
        let request = try store.create(Fixtures.newRequest(), by: "alex", at: start)
        #expect(throws: StoreError.self) { try under.raw("UPDATE events SET actor = 'mallory'") }
        #expect(throws: StoreError.self) { try under.raw("DELETE FROM events") }
        #expect(throws: StoreError.self) { try under.raw("DELETE FROM requests") }
        let timeline = try store.read { try $0.timeline(of: request.id) }
        #expect(timeline.count == 1)
        #expect(timeline.first?.actor == "alex")
    }

    private static func newestEvents(_ under: StoreUnderTest) throws {
        let store = try under.open()
        let request = try store.create(Fixtures.newRequest(), by: "alex", at: start)
        let other = try store.create(Fixtures.newRequest(), by: "alex", at: start)
        for index in 0..<9 {
            try store.write { writer in
                try writer.append(EventDraft(actor: "alex", at: start, payload: .note(text: String(repeating: "n", count: 100 * (index + 1)))), to: request.id)
                try writer.append(EventDraft(actor: "alex", at: start, payload: .note(text: "elsewhere")), to: other.id)
            }
        }
        let whole = try store.read { try $0.timeline(of: request.id) }
        #expect(whole.count == 10)
        let all = try store.read { try $0.newestEvents(of: request.id, limit: 50, maxBytes: 1 << 20) }
        #expect(all.events == whole && all.earlier == 0)
        let five = try store.read { try $0.newestEvents(of: request.id, limit: 5, maxBytes: 1 << 20) }
        #expect(five.events == Array(whole.suffix(5)) && five.earlier == 5, "the newest five, oldest first")
        // The newest notes' details are about 900 and 800 bytes: a budget of 1,500 stops after the second.
        let budget = try store.read { try $0.newestEvents(of: request.id, limit: 50, maxBytes: 1_500) }
        #expect(budget.events == Array(whole.suffix(2)) && budget.earlier == 8, "\(budget.events.count)")
        let one = try store.read { try $0.newestEvents(of: request.id, limit: 50, maxBytes: 1) }
        #expect(one.events == Array(whole.suffix(1)) && one.earlier == 9, "the newest is always read")
        let none = try store.read { try $0.newestEvents(of: RequestID(999), limit: 50, maxBytes: 1 << 20) }
        #expect(none.events.isEmpty && none.earlier == 0)
    }

    private static func recentApprovals(_ under: StoreUnderTest) throws {
        let store = try under.open()
        let (request, first) = try pendingApproval(store)
        _ = try pendingApproval(store)
        var ids = [first.id]
        try store.write { writer in
            _ = try writer.decideApproval(first.id, state: .denied, by: "morgan", at: start, reason: "no")
            for index in 0..<4 {
                let approval = try writer.insertApproval(NewApproval(requestID: request.id, action: .resetMFA, reason: "again \(index)", requestedBy: "alex", requestedAt: start,
                                                                     expiresAt: start.addingTimeInterval(3600), approvers: [EligibleApprover(login: "morgan", basis: .policy)]))
                ids.append(approval.id)
                if index < 3 { _ = try writer.decideApproval(approval.id, state: .superseded, by: "alex", at: start, reason: "replaced") }
            }
        }
        let all = try store.read { try $0.approvals(of: request.id) }
        #expect(all.map(\.id) == ids && all.last?.state == .pending)
        let two = try store.read { try $0.approvals(of: request.id, decidedLimit: 2) }
        #expect(two.approvals.map(\.id) == Array(ids.suffix(3)) && two.earlier == 2, "the pending one and the newest two decided, oldest first")
        #expect(two.approvals.first?.approvers.map(\.login) == ["morgan"])
        let none = try store.read { try $0.approvals(of: request.id, decidedLimit: 0) }
        #expect(none.approvals.map(\.id) == [ids.last!] && none.earlier == 4)
        let every = try store.read { try $0.approvals(of: request.id, decidedLimit: 50) }
        #expect(every.approvals == all && every.earlier == 0)
    }

    private static func pendingApproval(_ store: any RequestStore, action: OktaAction = .resetMFA) throws -> (Request, Approval) {
        let request = try store.create(Fixtures.newRequest(), by: "alex", at: start)
        let approval = try store.write { writer in
            try writer.insertApproval(NewApproval(requestID: request.id, action: action, reason: "lost phone", requestedBy: "alex", requestedAt: start,
                                                  expiresAt: start.addingTimeInterval(3600), approvers: [EligibleApprover(login: "morgan", basis: .policy)]))
        }
        return (request, approval)
    }

    private static func decidedApprovals(_ under: StoreUnderTest) throws {
        let store = try under.open()
        let (_, approval) = try pendingApproval(store)
        #expect(try store.write { try $0.decideApproval(approval.id, state: .granted, by: "morgan", at: start, reason: nil) })
        #expect(try store.write { try $0.decideApproval(approval.id, state: .denied, by: "morgan", at: start, reason: nil) } == false)
        #expect(throws: StoreError.self) { try under.raw("UPDATE approvals SET state = 'denied'") }
        #expect(throws: StoreError.self) { try under.raw("UPDATE approvals SET decided_by = 'mallory'") }
        #expect(throws: StoreError.self) { try under.raw("DELETE FROM approvals") }
        #expect(try store.read { try $0.approval(approval.id) }?.decidedBy == "morgan")
    }

    private static func onePending(_ under: StoreUnderTest) throws {
        let store = try under.open()
        let (request, approval) = try pendingApproval(store)
        let again = NewApproval(requestID: request.id, action: .resetMFA, reason: "again", requestedBy: "sam", requestedAt: start,
                                expiresAt: start.addingTimeInterval(3600), approvers: [])
        #expect(throws: StoreError.self) { _ = try store.write { try $0.insertApproval(again) } }
        // Another action, or the same once the first is decided, may wait beside it.
        let other = NewApproval(requestID: request.id, action: .unlock, reason: "locked", requestedBy: "sam", requestedAt: start,
                                expiresAt: start.addingTimeInterval(3600), approvers: [])
        _ = try store.write { try $0.insertApproval(other) }
        _ = try store.write { try $0.decideApproval(approval.id, state: .denied, by: "morgan", at: start, reason: nil) }
        _ = try store.write { try $0.insertApproval(again) }
        #expect(try store.read { try $0.approvals(of: request.id) }.filter { $0.state == .pending }.count == 2)
    }

    private static func noResolving(_ under: StoreUnderTest) throws {
        let store = try under.open()
        let (request, approval) = try pendingApproval(store)
        #expect(throws: StoreError.self) {
            _ = try store.write { try $0.update(request.id, expectedVersion: request.version, change: RequestChange(status: .resolved), at: start) }
        }
        _ = try store.write { try $0.decideApproval(approval.id, state: .denied, by: "morgan", at: start, reason: nil) }
        let resolved = try store.write { try $0.update(request.id, expectedVersion: request.version, change: RequestChange(status: .resolved), at: start) }
        #expect(resolved.status == .resolved)
    }

    private static func staleVersion(_ under: StoreUnderTest) throws {
        let store = try under.open()
        let request = try store.create(Fixtures.newRequest(), by: "alex", at: start)
        _ = try store.write { try $0.update(request.id, expectedVersion: 1, change: RequestChange(status: .open), at: start) }
        #expect(throws: StoreError.conflict(request.id, expected: 1, actual: 2)) {
            _ = try store.write { try $0.update(request.id, expectedVersion: 1, change: RequestChange(status: .resolved), at: start) }
        }
    }

    private static func failedWrite(_ under: StoreUnderTest) throws {
        let store = try under.open()
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            _ = try store.write { writer in
                _ = try writer.create(Fixtures.newRequest(), by: "alex", at: start)
                throw Boom()
            }
        }
        #expect(try store.read { try $0.count(.all) } == 0)
        #expect(try store.read { try $0.lastEventID() } == 0)
        #expect(try store.read { try $0.statusCounts()[.new] } == 0)
    }

    // MARK: Imports

    /// A batch as an import sends it: 237 requests (past any number of rows a store writes in one
    /// statement), ids already in the store and repeated in the batch, text in scripts written
    /// without spaces.
    static func importBatch() -> [NewRequest] {
        (0..<237).map { index in
            // Ids that are equal as Swift strings but not as bytes are different ids, as in the unique index.
            let spellings = ["X-café", "X-cafe\u{301}", "X-\u{212B}", "X-\u{C5}"]
            let id = index % 50 == 7 ? "X-old-\(index % 3)" : index % 40 == 11 ? "X-\(index - 1)"
                : index % 60 == 13 ? spellings[index / 60] : index == 200 ? "X-old-\u{C5}" : "X-\(index)"
            let subject = index % 9 == 4 ? "VPNに接続できません \(index)" : "Cannot sign in to app \(index)"
            let body = index % 9 == 5 ? "至急お願いします \(index)" : "body of \(index) walrus"
            return Fixtures.newRequest(subject, requester: "user\(index % 13)@example.com", body: body,
                                       category: ["mfa", "access", "general"][index % 3], priority: Priority.allCases[index % 4], externalID: id)
        }
    }

    private static func createOnce(_ under: StoreUnderTest) throws {
        let store = try under.open()
        // The same history in a second store, written one request at a time as the reference.
        let reference = try StoreUnderTest(under.engine)
        let oneByOne = try reference.open()
        let batch = importBatch()
        for target in [store, oneByOne] {
            for id in ["X-old-0", "X-old-1", "X-old-2", "X-old-\u{212B}"] { _ = try target.create(Fixtures.newRequest("older \(id)", externalID: id), by: "intake", at: start) }
        }
        let at = start.addingTimeInterval(60)
        let written = try store.write { try $0.createOnce(batch, by: "importer", at: at) }
        var expected: [OnceWrite] = []
        for new in batch {
            try oneByOne.write { writer in
                if let existing = try writer.request(externalID: new.externalID!) {
                    expected.append(.found(existing.id))
                } else {
                    expected.append(.created(try writer.create(new, by: "importer", at: at).id))
                }
            }
        }
        let firstDifference = zip(written, expected).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(written == expected, "first difference at \(String(describing: firstDifference))")
        #expect(written.filter { if case .created = $0 { true } else { false } }.count == 237 - 5 - 6)
        // Each spelling its own request.
        let spellings = try ["X-café", "X-cafe\u{301}", "X-\u{212B}", "X-\u{C5}", "X-old-\u{212B}", "X-old-\u{C5}"].map { id in
            try #require(try store.read { try $0.request(externalID: id) }, "\(id.unicodeScalars.map(\.value))").id
        }
        #expect(Set(spellings).count == 6)
        let all = try store.read { try $0.queue(QueueQuery(filter: .all, limit: 500)) }.requests
        let allOneByOne = try oneByOne.read { try $0.queue(QueueQuery(filter: .all, limit: 500)) }.requests
        #expect(all == allOneByOne)
        #expect(try store.read { try $0.statusCounts() } == oneByOne.read { try $0.statusCounts() })
        let events = try store.read { try $0.storedEvents(since: nil, request: nil, afterEventID: nil, limit: 1_000, maxBytes: 1 << 20) }
        let eventsOneByOne = try oneByOne.read { try $0.storedEvents(since: nil, request: nil, afterEventID: nil, limit: 1_000, maxBytes: 1 << 20) }
        #expect(events == eventsOneByOne)
        for typed in ["walrus", "接続", "お願い", "user7", "app 214"] {
            let found = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: typed), limit: 500)) }.requests.map(\.id)
            let foundOneByOne = try oneByOne.read { try $0.queue(QueueQuery(filter: QueueFilter(text: typed), limit: 500)) }.requests.map(\.id)
            #expect(!found.isEmpty && found == foundOneByOne, "typed \(typed)")
        }
        // Again: everything is found, nothing written.
        let again = try store.write { try $0.createOnce(batch, by: "importer", at: at) }
        #expect(again.count == batch.count && again.allSatisfy { if case .found = $0 { true } else { false } })
        #expect(try store.read { try $0.lastEventID() } == events.last?.id)
    }

    // MARK: Several writers

    private static func concurrentDecisions(_ under: StoreUnderTest) async throws {
        let setup = try under.open()
        for round in 0..<10 {
            let (_, approval) = try pendingApproval(setup, action: .addToGroup(GroupRef(id: "g\(round)", name: "G\(round)"), expiry: nil))
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for decider in 0..<2 {
                    group.addTask {
                        try await offPool {
                            // Each decider is its own service: its own connection to the store.
                            let store = try under.open()
                            return try store.write { writer in
                                guard try writer.approval(approval.id)?.state == .pending else { return false }
                                return try writer.decideApproval(approval.id, state: .granted, by: "m\(decider)", at: start, reason: nil)
                            }
                        }
                    }
                }
                var wins = 0
                for try await won in group where won { wins += 1 }
                return wins
            }
            #expect(wins == 1, "round \(round)")
        }
    }

    private static func concurrentUpdates(_ under: StoreUnderTest) async throws {
        let setup = try under.open()
        let request = try setup.create(Fixtures.newRequest(), by: "alex", at: start)
        let perWriter = 15
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    try await offPool {
                        let store = try under.open()
                        for index in 0..<perWriter {
                            // Read and change in one transaction: the store runs it again if another got in between.
                            _ = try store.write { writer in
                                let current = try writer.existingRequest(request.id)
                                return try writer.update(request.id, expectedVersion: current.version, change: RequestChange(assignee: .some("w\(writer)-\(index)")), at: start)
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try setup.existingRequest(request.id).version == 1 + 2 * perWriter)
    }

    private static func commitOrder(_ under: StoreUnderTest) async throws {
        let setup = try under.open()
        // Each writer on its own request, so nothing but the timeline orders their commits.
        let requests = try (0..<2).map { _ in try setup.create(Fixtures.newRequest(), by: "alex", at: start) }
        let perWriter = 150
        let total = 2 * perWriter + 2
        let seen = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for writer in 0..<2 {
                group.addTask {
                    try await offPool {
                        let store = try under.open()
                        for index in 0..<perWriter {
                            _ = try store.write { try $0.append(EventDraft(actor: "w\(writer)", at: start, payload: .note(text: "\(index)")), to: requests[writer].id) }
                        }
                        return []
                    }
                }
            }
            // A reader that follows the timeline by "after the last id seen", as the change feed does.
            group.addTask {
                try await offPool {
                    let store = try under.open()
                    var seen: [Int64] = []
                    var cursor: Int64 = 0
                    let deadline = Date().addingTimeInterval(60)
                    while seen.count < total, Date() < deadline {
                        let events = try store.read { try $0.events(since: nil, request: nil, afterEventID: cursor, limit: 1000) }
                        seen += events.map(\.id)
                        cursor = events.last?.id ?? cursor
                    }
                    return seen
                }
            }
            var all: [Int64] = []
            for try await ids in group { all += ids }
            return all
        }
        let stored = try setup.read { try $0.events(since: nil, request: nil, afterEventID: nil, limit: 10_000) }.map(\.id)
        #expect(stored.count == total)
        let missed = Set(stored).subtracting(seen).sorted()
        #expect(missed.isEmpty && seen.count == stored.count, "a reader following ids missed \(missed): committed after a later id was seen")
    }

    private static func changeToken(_ under: StoreUnderTest) async throws {
        let watcher = try under.open()
        let writer = try under.open()
        let before = try watcher.changeToken()
        _ = try writer.create(Fixtures.newRequest(), by: "alex", at: start)
        let changed = await eventually(60) { (try? watcher.changeToken()) != before }
        #expect(changed)
    }
}
