import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import SQLiteStore
import Testing

@Suite struct QueueTests {
    let folder = TemporaryDirectory()
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    private func store(with count: Int) throws -> SQLiteRequestStore {
        let store = try SQLiteRequestStore(path: folder.file("q.db"))
        let priorities = Priority.allCases
        try store.write { writer in
            for index in 0..<count {
                let new = Fixtures.newRequest("Request \(index)", requester: "user\(index % 7)@example.com",
                                              priority: priorities[index % priorities.count])
                _ = try writer.insertRequest(new, at: start.addingTimeInterval(Double(index)))
            }
        }
        return store
    }

    private func inQueueOrder(_ requests: [Request]) -> Bool {
        zip(requests, requests.dropFirst()).allSatisfy { a, b in
            (a.priority.urgencyRank, a.createdAt, a.id.number) < (b.priority.urgencyRank, b.createdAt, b.id.number)
        }
    }

    @Test func sortsByPriorityThenAgeThenNumber() throws {
        let store = try store(with: 40)
        let page = try store.read { try $0.queue(QueueQuery(limit: 100)) }
        #expect(page.requests.count == 40)
        #expect(page.next == nil)
        #expect(inQueueOrder(page.requests))
        #expect(page.requests.first?.priority == .urgent)
        #expect(page.requests.last?.priority == .low)
    }

    @Test func keysetPagesHaveNoGapsOrRepeatsWhileRequestsArrive() throws {
        let store = try store(with: 300)
        let original = Set(try store.read { try $0.queue(QueueQuery(limit: 1000)) }.requests.map(\.id))
        var seen: [RequestID] = []
        var cursor: QueueCursor?
        var arrivals = 0
        var pages = 0
        repeat {
            pages += 1
            let page = try store.read { try $0.queue(QueueQuery(after: cursor, limit: 17)) }
            #expect(inQueueOrder(page.requests))
            seen += page.requests.map(\.id)
            cursor = page.next
            // New requests of every priority arrive between pages.
            arrivals += 1
            _ = try store.create(Fixtures.newRequest("Arrival \(arrivals)", priority: Priority.allCases[arrivals % 4]), by: "intake",
                                 at: start.addingTimeInterval(10_000 + Double(arrivals)))
        } while cursor != nil && pages < 100
        #expect(Set(seen).count == seen.count, "a request appeared twice")
        #expect(original.isSubset(of: Set(seen)), "a request was skipped")
    }

    @Test func pagesBackwardFromTheEndInQueueOrder() throws {
        let store = try store(with: 45)
        let all = try store.read { try $0.queue(QueueQuery(limit: 100)) }.requests
        let last = try store.read { try $0.queue(QueueQuery(direction: .backward, limit: 10)) }
        #expect(last.requests == Array(all.suffix(10)))
        let before = try store.read { try $0.queue(QueueQuery(after: last.next, direction: .backward, limit: 10)) }
        #expect(before.requests == Array(all.dropLast(10).suffix(10)))
        let fromFirst = try store.read { try $0.queue(QueueQuery(after: QueueCursor(all[5]), direction: .backward, limit: 10)) }
        #expect(fromFirst.requests == Array(all.prefix(5)))
        #expect(fromFirst.next == nil)
    }

    @Test func filtersByStatusAssigneeAndApprover() throws {
        let store = try store(with: 20)
        let all = try store.read { try $0.queue(QueueQuery(limit: 100)) }.requests
        let (resolved, mine, awaiting) = (all[0], all[1], all[2])
        try store.write { writer in
            _ = try writer.update(resolved.id, expectedVersion: 1, change: RequestChange(status: .resolved), at: start)
            _ = try writer.update(mine.id, expectedVersion: 1, change: RequestChange(status: .open, assignee: "alex"), at: start)
            _ = try writer.update(awaiting.id, expectedVersion: 1, change: RequestChange(status: .awaitingApproval), at: start)
            _ = try writer.insertApproval(NewApproval(requestID: awaiting.id, action: .resetMFA, reason: "lost phone", requestedBy: "alex",
                                                      requestedAt: start, expiresAt: start.addingTimeInterval(3600),
                                                      approvers: [.init(login: "sam", basis: .manager), .init(login: "morgan", basis: .approverRole)]))
        }
        func ids(_ filter: QueueFilter) throws -> [RequestID] {
            try store.read { try $0.queue(QueueQuery(filter: filter, limit: 100)) }.requests.map(\.id)
        }
        #expect(try ids(QueueFilter(statuses: RequestStatus.done)) == [resolved.id])
        #expect(try ids(QueueFilter(statuses: RequestStatus.active)).count == 19)
        #expect(try ids(QueueFilter(statuses: [.open, .resolved])).sorted() == [resolved.id, mine.id].sorted())
        #expect(try ids(QueueFilter(statuses: RequestStatus.active, assignee: "alex")) == [mine.id])
        #expect(try ids(QueueFilter(awaitingApprovalBy: "sam")) == [awaiting.id])
        #expect(try ids(QueueFilter(awaitingApprovalBy: "alex")) == [])
        #expect(try ids(QueueFilter(statuses: [])) == [])

        let counts = try store.read { try $0.statusCounts() }
        #expect(counts == [.new: 17, .open: 1, .awaitingApproval: 1, .resolved: 1, .closed: 0])
        #expect(try store.read { try $0.count(QueueFilter(statuses: RequestStatus.active)) } == 19)
        #expect(try store.read { try $0.count(QueueFilter(awaitingApprovalBy: "morgan")) } == 1)
    }

    @Test func fullTextFindsBodyWordsRequestersAndPrefixes() throws {
        let store = try SQLiteRequestStore(path: folder.file("fts.db"))
        let phone = try store.create(Fixtures.newRequest("MFA reset", requester: "jane.doe@example.com", body: "Left my phone in a taxi"), by: "intake", at: start)
        let vpn = try store.create(Fixtures.newRequest("VPN broken", requester: "omar.haddad@example.com", body: "Tunnel drops every hour"), by: "intake", at: start)
        let café = try store.create(Fixtures.newRequest("Café wifi", requester: "misaki.sato@example.com", body: "東京 office"), by: "intake", at: start)
        func search(_ text: String) throws -> [RequestID] {
            try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: text), limit: 10)) }.requests.map(\.id)
        }
        #expect(try search("taxi") == [phone.id])
        #expect(try search("jane.doe@example.com") == [phone.id])
        #expect(try search("omar") == [vpn.id])
        #expect(try search("tun") == [vpn.id])
        #expect(try search("cafe") == [café.id])
        #expect(try search("phone taxi") == [phone.id])
        #expect(try search("phone vpn") == [])
        #expect(try search("\"unbalanced AND OR NEAR(*") == [])
        #expect(try search("@@@ ***") == [])
        #expect(try store.read { try $0.count(QueueFilter(text: "example")) } == 3)
    }

    @Test func wordsInsideTextWithoutSpacesAreFound() throws {
        let store = try SQLiteRequestStore(path: folder.file("cjk.db"))
        let vpn = try store.create(Fixtures.newRequest("VPNに接続できません", requester: "misaki.sato@example.com"), by: "intake", at: start)
        let beijing = try store.create(Fixtures.newRequest("无法登录邮箱", requester: "li.wei@example.com", body: "密码已过期"), by: "intake", at: start)
        let thai = try store.create(Fixtures.newRequest("เข้าสู่ระบบไม่ได้"), by: "intake", at: start)
        _ = try store.create(Fixtures.newRequest("Cannot connect to VPN"), by: "intake", at: start)
        func search(_ text: String) throws -> [RequestID] {
            try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: text), limit: 10)) }.requests.map(\.id)
        }
        #expect(try search("できません") == [vpn.id])
        #expect(try search("接続") == [vpn.id])
        #expect(try search("接") == [vpn.id], "one character is a prefix")
        #expect(try search("せん") == [vpn.id], "the end of a run")
        #expect(try search("VPNに") == [vpn.id])
        #expect(try search("接続 misaki") == [vpn.id], "a mixed query needs both")
        #expect(try search("登录") == [beijing.id])
        #expect(try search("过期") == [beijing.id], "the body is indexed too")
        #expect(try search("ระบบ") == [thai.id])
        #expect(try search("接続できる") == [], "every character must match in order")
        #expect(try search("続接") == [])
        #expect(Set(try search("vpn")) == [vpn.id, RequestID(4)])
        #expect(try store.read { try $0.count(QueueFilter(text: "接続")) } == 1)
    }

    @Test func aCommonPhraseIsWalkedInQueueOrderAndCheckedOnEachRow() throws {
        let store = try SQLiteRequestStore(path: folder.file("cjk-many.db"))
        try store.write { writer in
            for index in 0..<2_010 {
                _ = try writer.insertRequest(Fixtures.newRequest("VPNに接続できません \(index)", requester: "misaki.sato@example.com"),
                                             at: start.addingTimeInterval(Double(index)))
            }
        }
        // Every token of できません, but not in that order: found by the cheap query, refused by the check.
        let scrambled = try store.create(Fixtures.newRequest("できま。ません", priority: .urgent), by: "intake", at: start)
        let page = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: "できません"), limit: 10)) }
        #expect(page.requests.count == 10)
        #expect(!page.requests.contains { $0.id == scrambled.id }, "the most urgent row holds the tokens but not the phrase")
        #expect(page.requests.first?.subject == "VPNに接続できません 0", "queue order: oldest of the normal ones first")
        let scrambledFound = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: "できま"), limit: 1)) }.requests.map(\.id)
        #expect(scrambledFound == [scrambled.id], "its own text is still found")
    }

    @Test func aSearchWhosePairsAreEverywhereAndPhraseNowhereStillAnswersExactly() async throws {
        let store = try SQLiteRequestStore(path: folder.file("cjk-crafted.db"))
        // Every row has ます and して but never ますして, with bodies long enough that checking
        // them all would read more than the search may: the index's exact phrase then decides.
        // Seconds of indexing: on a thread of its own, not one of the cooperative pool's few.
        let filler = String(repeating: "接続設定確認", count: 400)
        let start = self.start
        try await offPool {
            try store.write { writer in
                for index in 0..<2_010 {
                    _ = try writer.insertRequest(Fixtures.newRequest("件 \(index)", body: "ます して " + filler), at: start.addingTimeInterval(Double(index)))
                }
            }
        }
        let real = try store.create(Fixtures.newRequest("テストをますしてください"), by: "intake", at: start.addingTimeInterval(9_999))
        for limit in [1, 50] {
            let found = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: "ますして"), limit: limit)) }.requests.map(\.id)
            #expect(found == [real.id])
        }
        let walked = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: "して"), limit: 5)) }.requests.map(\.subject)
        #expect(walked == ["件 0", "件 1", "件 2", "件 3", "件 4"])
    }

    @Test func eventsSinceATimeAreFoundWhateverOrderTheyWereWrittenIn() throws {
        let store = try SQLiteRequestStore(path: folder.file("since.db"))
        // Written in this order, at these times (hours after the start): ids do not follow time.
        let hours: [Double] = [5, 1, 2, 8, 3, 9]
        let requests = try hours.map { try store.create(Fixtures.newRequest("at \($0)"), by: "intake", at: start.addingTimeInterval($0 * 3600)) }
        let since = try store.read { try $0.events(since: start.addingTimeInterval(4 * 3600), request: nil, afterEventID: nil, limit: 100) }
        #expect(since.map(\.requestID) == [requests[0].id, requests[3].id, requests[5].id], "every event that recent, in id order")
        #expect(try store.read { try $0.events(since: start.addingTimeInterval(10 * 3600), request: nil, afterEventID: nil, limit: 100) }.isEmpty)
        let page = try store.read { try $0.events(since: start.addingTimeInterval(4 * 3600), request: nil, afterEventID: since[0].id, limit: 100) }
        #expect(page.map(\.requestID) == [requests[3].id, requests[5].id])
    }

    @Test func theRowCheckAnswersAsTheIndexWould() throws {
        let store = try SQLiteRequestStore(path: folder.file("cjk-same.db"))
        for subject in ["caféの予約", "cafeの予約", "接続-できません", "接続 できません", "Wi-Fiに接続", "wi fiに接続", "myvpnに接続", "VPNに接続", "ＶＰＮ接続"] {
            _ = try store.create(Fixtures.newRequest(subject), by: "intake", at: start)
        }
        // `queue` checks phrases on the rows (the search is small); `count` asks the index's exact
        // phrase: every search must find the same rows either way.
        for query in ["caféの", "cafeの", "接続-でき", "Wi-Fiに", "vpnに", "接続", "できません", "に接", "ＶＰＮ"] {
            let listed = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: query), limit: 50)) }.requests.count
            let counted = try store.read { try $0.count(QueueFilter(text: query)) }
            #expect(listed == counted, "\(query): the check found \(listed), the index \(counted)")
        }
    }

    @Test func typedWordsCheckedOnRowsFindWhatTheIndexFinds() throws {
        let store = try SQLiteRequestStore(path: folder.file("words-same.db"))
        let subjects = ["User4242 can't log in", "e-mail: JOHN.doe@Example.COM", "Café crème", "Straße gesperrt", "Łódź office VPN",
                        "ﬁle share", "Ørsted account", "ｕser fullwidth", "naïve approach", "İstanbul laptop", "e\u{301}te\u{301} plan",
                        "VPNに接続できません", "under_score_words", "x86_64 build", "C++ / C# tools", "50% done", "tab|separated",
                        "emoji 😀 user", "Ǆemal", "ΑΒΓ greek Ünïcode", "quote \"said\" it", "a-b-c", "Mixed CASE Words"]
        for subject in subjects {
            _ = try store.create(Fixtures.newRequest(subject), by: "intake", at: start)
        }
        // `queue` walks these few rows and checks each (ASCII rows by itself, others on a copy of
        // the index); `count` asks the index: every search must find the same rows either way.
        let queries = ["u", "us", "user", "user4242", "can", "can't", "e-mail", "john.doe@example", "cafe", "strasse", "stra", "lodz", "l",
                       "o", "file", "fi", "orsted", "naive", "istanbul", "ete", "vpn", "under", "score", "x86", "c", "50", "tab", "emoji",
                       "dzemal", "greek", "unicode", "e", "a b", "doe example", "\"said", "a-b", "b-c", "mixed case", "words mixed", "zzz"]
        for query in queries {
            #expect(WordCheck(typed: query) != nil, "\(query) is checked on rows")
            let listed = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: query), limit: 100)) }.requests.count
            let counted = try store.read { try $0.count(QueueFilter(text: query)) }
            #expect(listed == counted, "\(query): the check found \(listed), the index \(counted)")
        }
    }

    @Test func aOneLetterFilterIsAnsweredByWalkingRowsNotByGatheringEveryMatch() throws {
        let path = folder.file("walk.db")
        let store = try SQLiteRequestStore(path: path)
        for index in 0..<30 {
            _ = try store.create(Fixtures.newRequest("Printer \(index)", requester: "user\(index)@example.com"), by: "intake", at: start)
        }
        // With the index emptied, only a walk over the rows can still find them.
        let raw = try SQLiteConnection(path: path)
        try raw.execute("INSERT INTO requests_fts (requests_fts) VALUES ('delete-all')")
        let found = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: "p"), limit: 10)) }
        #expect(found.requests.count == 10)
        #expect(found.next != nil)
        let rare = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: "printer 7"), limit: 10)) }
        #expect(rare.requests.map(\.subject) == ["Printer 7"])
    }

    @Test func aNewRequestIsReturnedExactlyAsItIsReadBack() throws {
        let store = try SQLiteRequestStore(path: folder.file("returned.db"))
        let at = Date(timeIntervalSince1970: 1_796_000_000.123_456)
        let new = try NewRequest(requester: Fixtures.email("jane.doe@example.com"), subject: "Printer", body: "On floor 3", category: "hardware",
                                 priority: .urgent, externalID: "ZD-7", status: .open)
        let created = try store.write { try $0.insertRequest(new, at: at) }
        #expect(try store.read { try $0.request(created.id) } == created)
    }

    @Test func requestsWrittenTogetherAreIndexedWhenTheirTransactionCommitsAndNotWhenItFails() throws {
        let path = folder.file("batch-index.db")
        let store = try SQLiteRequestStore(path: path)
        try store.write { writer in
            for subject in ["Printer jam on floor 3", "VPNに接続できません", "Badge reader broken"] {
                _ = try writer.create(Fixtures.newRequest(subject), by: "intake", at: start)
            }
        }
        struct Abandoned: Error {}
        #expect(throws: Abandoned.self) {
            try store.write { writer in
                _ = try writer.create(Fixtures.newRequest("Printer toner abandoned"), by: "intake", at: start)
                throw Abandoned()
            }
        }
        _ = try store.create(Fixtures.newRequest("Printer offline"), by: "intake", at: start)
        func count(_ text: String) throws -> Int { try store.read { try $0.count(QueueFilter(text: text)) } }
        #expect(try count("printer") == 2)
        #expect(try count("接続") == 1)
        #expect(try count("badge") == 1)
        #expect(try count("toner") == 0)
        let raw = try SQLiteConnection(path: path)
        try raw.execute("INSERT INTO requests_fts (requests_fts) VALUES ('integrity-check')")
        try raw.execute("UPDATE requests SET subject = 'Scanner jam on floor 3' WHERE subject = 'Printer jam on floor 3'")
        try raw.execute("INSERT INTO requests_fts (requests_fts) VALUES ('integrity-check')")
        #expect(try count("scanner") == 1)
        #expect(try count("printer") == 1)
    }

    @Test func requestsAWriterOfAnOlderBuildLeftOutAreIndexedWhenTheStoreIsOpened() throws {
        let path = folder.file("old-writer.db")
        _ = try SQLiteRequestStore(path: path).create(Fixtures.newRequest("Printer jam"), by: "intake", at: start)
        let raw = try SQLiteConnection(path: path)
        try raw.execute("""
        INSERT INTO requests (requester, subject, body, category, urgency, status, created_at, updated_at)
        VALUES ('jane.doe@example.com', 'Scanner offline', '', 'general', 2, 'new', 0, 0)
        """)
        let store = try SQLiteRequestStore(path: path)
        #expect(try store.read { try $0.count(QueueFilter(text: "scanner")) } == 1)
        try raw.execute("INSERT INTO requests_fts (requests_fts) VALUES ('integrity-check')")
    }

    @Test func aWalkOverLongTextsGivesWayToTheIndex() async throws {
        let path = folder.file("long-walk.db")
        let store = try SQLiteRequestStore(path: path)
        let body = String(repeating: "café naïve 中文 ", count: 1_300)
        let start = self.start
        try await offPool {
            for index in 0..<60 {
                _ = try store.create(try NewRequest(requester: Fixtures.email("jane.doe@example.com"), subject: "Printer \(index)", body: body), by: "intake", at: start)
            }
        }
        // With the index emptied, a walk would still find them; past its budget of text the index answers.
        let raw = try SQLiteConnection(path: path)
        try raw.execute("INSERT INTO requests_fts (requests_fts) VALUES ('delete-all')")
        #expect(60 * (body.utf8.count + 10) > Session.walkTextBytes)
        let found = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: "printer"), limit: 100)) }
        #expect(found.requests.isEmpty, "the walk stopped at its budget and asked the index")
        let few = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: "printer"), limit: 5)) }
        #expect(few.requests.count == 5, "a page found within the budget is the walk's")
    }

    @Test func anOlderStoreIsIndexedWhenItIsMigrated() throws {
        let path = folder.file("v3-cjk.db")
        _ = try SQLiteRequestStore(path: path, migratingTo: 3)
        let raw = try SQLiteConnection(path: path)
        try raw.execute("""
        INSERT INTO requests (requester, subject, body, category, urgency, status, created_at, updated_at)
        VALUES ('misaki.sato@example.com', 'VPNに接続できません', '', 'general', 2, 'new', 0, 0)
        """)
        let store = try SQLiteRequestStore(path: path)
        let found = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: "接続"), limit: 10)) }.requests.map(\.subject)
        #expect(found == ["VPNに接続できません"])
    }

    @Test func searchFollowsEditsOfTheIndexedFields() throws {
        let store = try SQLiteRequestStore(path: folder.file("fts.db"))
        let request = try store.create(Fixtures.newRequest("Printer jam"), by: "intake", at: start)
        let raw = try SQLiteConnection(path: folder.file("fts.db"))
        try raw.execute("UPDATE requests SET subject = 'Scanner jam' WHERE id = \(request.id.number)")
        let found = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: "scanner"), limit: 10)) }.requests.map(\.id)
        let gone = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(text: "printer"), limit: 10)) }.requests.map(\.id)
        #expect(found == [request.id])
        #expect(gone == [])
    }
}

@Suite struct ManyMatchesTests {
    let folder = TemporaryDirectory()

    @Test func aCommonWordWalksTheQueueInOrderAndAgreesWithTheSortedPlan() throws {
        let store = try SQLiteRequestStore(path: folder.file("many.db"))
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let total = Session.textMatchesToSort * 2
        try store.write { writer in
            for index in 0..<total {
                let subject = index % 3 == 0 ? "Printer jam \(index)" : "Salesforce access \(index)"
                let new = Fixtures.newRequest(subject, priority: Priority.allCases[(index * 7) % 4])
                let request = try writer.insertRequest(new, at: start.addingTimeInterval(Double(index % 500)))
                if index % 5 == 0 {
                    _ = try writer.update(request.id, expectedVersion: 1, change: RequestChange(status: .resolved), at: start)
                }
            }
        }
        let everything = try store.read { try $0.queue(QueueQuery(filter: .all, limit: total)) }.requests
        for statuses in [nil, RequestStatus.active] as [Set<RequestStatus>?] {
            let expected = everything.filter { $0.subject.hasPrefix("Salesforce") && (statuses?.contains($0.status) ?? true) }
            #expect(expected.count > Session.textMatchesToSort * 4 / 5, "enough matches to take the walking plan")
            var seen: [Request] = []
            var cursor: QueueCursor?
            repeat {
                let page = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(statuses: statuses, text: "sales"), after: cursor, limit: 250)) }
                seen += page.requests
                cursor = page.next
            } while cursor != nil && seen.count <= total
            #expect(seen.map(\.id) == expected.map(\.id))
            let backward = try store.read { try $0.queue(QueueQuery(filter: QueueFilter(statuses: statuses, text: "sales"), direction: .backward, limit: 30)) }
            #expect(backward.requests.map(\.id) == expected.suffix(30).map(\.id))
        }
    }
}
