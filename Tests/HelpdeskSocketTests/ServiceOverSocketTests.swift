import Foundation
import HelpdeskCore
@testable import HelpdeskSocket
import HelpdeskTestSupport
import OktaClient
import Synchronization
import Testing

/// The service and its clients through a real Unix socket in this process.
@Suite struct ServiceOverSocketTests {
    @Test func theKernelSaysWhoTheClientIsAndNoFieldChangesIt() async throws {
        let fixture = try ServiceFixture()
        let seen = Mutex<[PeerCredentials]>([])
        let backend = fixture.backend
        let server = SocketServer(path: fixture.path("kernel"), identify: { credentials in
            seen.withLock { $0.append(credentials) }
            // The test's own uid stands for alex; any other uid would be refused.
            guard credentials.uid == getuid() else { return .failure(ServiceError(.notAnOperator, "uid \(credentials.uid) is not an operator")) }
            return Result { () throws(ServiceError) in
                do { return try backend.service(for: "alex") } catch { throw ServiceError(error) }
            }
        })
        try server.start(mode: 0o600)
        defer { Task { await server.stop(grace: 1) } }

        let raw = try RawClient(fixture.path("kernel"))
        // A client that claims to be morgan, in hello and in a request, is still alex.
        raw.send(json: #"{"id": 1, "method": "hello", "params": {"protocol": \#(WireProtocol.version), "client": "raw", "login": "morgan", "operator": {"login": "morgan"}}, "login": "morgan"}"#)
        let hello = try await raw.next()
        let session = try #require((hello["result"] as? [String: Any])?["session"] as? [String: Any])
        #expect((session["operator"] as? [String: Any])?["login"] as? String == "alex")
        raw.send(json: #"{"id": 2, "method": "session", "params": {"as": "morgan", "login": "morgan"}, "user": "morgan"}"#)
        let again = try await raw.next()
        #expect(((again["result"] as? [String: Any])?["operator"] as? [String: Any])?["login"] as? String == "alex")
        raw.send(json: #"{"id": 3, "method": "create", "params": {"requester": "jane.doe@example.com", "subject": "Lost my phone", "actor": "morgan"}}"#)
        _ = try await raw.next()
        let timeline = try fixture.store.read { try $0.timeline(of: RequestID(1)) }
        #expect(timeline.map(\.actor) == ["alex"], "the timeline records the kernel's identity")

        let credentials = try #require(seen.withLock { $0.first })
        #expect(credentials.uid == getuid())
        #expect(credentials.pid == getpid())
        #expect(PeerCredentials.login(of: getuid()) != nil)
    }

    @Test func callsThatArriveTogetherShareOneConnection() async throws {
        let fixture = try ServiceFixture()
        let connections = Mutex(0)
        let backend = fixture.backend
        let server = SocketServer(path: fixture.path("one"), identify: { _ in
            connections.withLock { $0 += 1 }
            return Result { () throws(ServiceError) in
                do { return try backend.service(for: "alex") } catch { throw ServiceError(error) }
            }
        })
        try server.start(mode: 0o600)
        defer { Task { await server.stop(grace: 1) } }
        let client = RemoteHelpdeskService(path: fixture.path("one"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<12 { group.addTask { _ = try await client.queue(QueryFixtures.all) } }
            try await group.waitForAll()
        }
        #expect(connections.withLock { $0 } == 1)
    }

    @Test func aLoginThatIsNotAnOperatorIsRefusedEverything() async throws {
        let fixture = try ServiceFixture()
        let server = try fixture.listen(as: "mallory")
        defer { Task { await server.stop(grace: 1) } }
        let client = fixture.client("mallory")
        let hello = try await client.hello()
        #expect(hello.session == nil)
        #expect(hello.refusal == "mallory is not an operator of this helpdesk")
        let id = RequestID(1)
        let calls: [(String, () async throws -> Void)] = [
            ("session", { _ = try await client.session() }),
            ("queue", { _ = try await client.queue(QueryFixtures.all) }),
            ("detail", { _ = try await client.detail(of: id) }),
            ("create", { _ = try await client.create(Fixtures.newRequest()) }),
            ("note", { _ = try await client.note(id, "x") }),
            ("act", { _ = try await client.act(ActionAsk(requestID: id, spec: ActionSpec(.unlock), reason: "x")) }),
            ("approve", { _ = try await client.approve(ApprovalID(1), expecting: nil, comment: nil) }),
            ("exportEvents", { _ = try await client.exportEvents(EventQuery()) }),
            ("importLines", { _ = try await client.importLines([]) }),
            ("sweep", { _ = try await client.sweep() }),
            ("reconcile", { _ = try await client.reconcile(nil) }),
        ]
        for (name, call) in calls {
            do {
                try await call()
                Issue.record("\(name) was served to a non-operator")
            } catch let error as ServiceError {
                #expect(error.code == .notAnOperator, "\(name)")
                #expect(error.message == "mallory is not an operator of this helpdesk", "\(name)")
            }
        }
        let checks = await client.setupChecks()
        #expect(checks.map(\.status) == [.failed], "doctor's service checks are refused too")
        #expect(try fixture.store.read { try $0.count(.all) } == 0)
    }

    @Test func anApprovalGivenInAnotherOperatorsConsoleRunsOnceAndBothSeeIt() async throws {
        let fixture = try ServiceFixture()
        let agentServer = try fixture.listen(as: "alex")
        let managerServer = try fixture.listen(as: "sam")
        defer { Task { await agentServer.stop(grace: 1); await managerServer.stop(grace: 1) } }
        let agent = fixture.client("alex")
        let manager = fixture.client("sam")
        let heard = Heard()
        let subscription = await agent.subscribe(after: nil) { heard.add($0) }
        defer { subscription.cancel() }

        let request = try await agent.create(Fixtures.newRequest("Lost my phone", requester: "jane.doe@example.com"))
        let asked = try await agent.act(ActionAsk(requestID: request.id, spec: ActionSpec(.resetMFA), reason: "lost phone; ID checked"))
        guard case .awaitingApproval(let approval) = asked else { throw RawFailure("reset MFA did not wait for approval") }
        #expect(approval.approvers.map(\.login).contains("sam"))
        #expect(await fixture.tenant.actionCount(.resetMFA) == 0, "nothing runs before the approval")

        // The agent cannot approve their own ask.
        await #expect(throws: ServiceError.self) { try await agent.approve(approval.id, expecting: approval.action, comment: nil) }

        let outcome = try await manager.approve(approval.id, expecting: approval.action, comment: "spoke to her")
        #expect(outcome.succeeded)
        #expect(outcome.run.startedBy == "sam")
        #expect(await fixture.tenant.actionCount(.resetMFA) == 1)
        await #expect(throws: ServiceError.self) { try await manager.approve(approval.id, expecting: approval.action, comment: nil) }
        #expect(await fixture.tenant.actionCount(.resetMFA) == 1, "a second approve runs nothing")

        #expect(await eventually { heard.contains { if case .changed(let notice) = $0 { notice.requests.contains(request.id) } else { false } } })
        let detail = try await agent.detail(of: request.id)
        #expect(detail.timeline.map(\.kind).suffix(2) == [.actionStarted, .actionSucceeded])
    }

    /// Okta is asked for what someone's role needs, since every call spends the organisation's rate
    /// limits: a manager with no role reads only the accounts of people whose approval was asked of
    /// them, and looks up, reconciles and sweeps nothing; agents and approvers read any card.
    @Test func aManagerWithNoRoleReadsOnlyTheAccountsOfTheirApprovals() async throws {
        let fixture = try ServiceFixture()
        let servers = try ["alex", "sam", "jane"].map { try fixture.listen(as: $0) }
        defer { Task { for server in servers { await server.stop(grace: 1) } } }
        let (agent, manager, approver) = (fixture.client("alex"), fixture.client("sam"), fixture.client("jane"))
        let jane = try EmailAddress("jane.doe@example.com"), omar = try EmailAddress("omar.haddad@example.com")
        let refusedRole = { (error: any Error) in "\(error)".contains("sam has no agent or approver role") }
        await #expect { _ = try await manager.requesterCard(jane) } throws: { refusedRole($0) }
        let request = try await agent.create(Fixtures.newRequest("Lost my phone", requester: jane.value))
        _ = try await agent.act(ActionAsk(requestID: request.id, spec: ActionSpec(.resetMFA), reason: "lost phone; ID checked"))
        #expect(try await manager.requesterCard(jane).user.email == jane.value, "asked of him")
        await #expect { _ = try await manager.requesterCard(omar) } throws: { refusedRole($0) }
        let calls: [(String, () async throws -> Void)] = [
            ("look up", { _ = try await manager.lookUpRequester(omar) }), ("groups", { _ = try await manager.findGroups("Sales") }),
            ("apps", { _ = try await manager.findApps("Zoom") }), ("reconcile", { _ = try await manager.reconcile(nil) }), ("sweep", { _ = try await manager.sweep() }),
        ]
        for (name, call) in calls {
            var refusal = ""
            do { try await call() } catch { refusal = "\(error)" }
            #expect(refusal.contains("sam has no agent role"), "\(name): \(refusal)")
        }
        #expect(try await agent.requesterCard(omar).user.email == omar.value)
        #expect(try await approver.requesterCard(omar).user.email == omar.value)
        #expect(try await agent.findGroups("Sales").isEmpty == false)
    }

    /// A manager's reason to read an account ends with the approval asked of them: a week after
    /// deciding it, or once it is past its time undecided.
    @Test func aManagerWithNoRoleStopsReadingAnAccountAWeekAfterDecidingItsApproval() async throws {
        let clock = ManualClock(Date())
        let fixture = try ServiceFixture(clock: clock)
        let servers = try ["alex", "sam"].map { try fixture.listen(as: $0) }
        defer { Task { for server in servers { await server.stop(grace: 1) } } }
        let (agent, manager) = (fixture.client("alex"), fixture.client("sam"))
        let jane = try EmailAddress("jane.doe@example.com")
        let refusedRole = { (error: any Error) in "\(error)".contains("sam has no agent or approver role") }
        let request = try await agent.create(Fixtures.newRequest("Lost my phone", requester: jane.value))
        let asked = try await agent.act(ActionAsk(requestID: request.id, spec: ActionSpec(.resetMFA), reason: "lost phone; ID checked"))
        guard case .awaitingApproval(let approval) = asked else { throw RawFailure("reset MFA did not wait for approval") }
        // Waiting past its time, undecided: no longer his to read.
        clock.set(approval.expiresAt.addingTimeInterval(1))
        await #expect { _ = try await manager.requesterCard(jane) } throws: { refusedRole($0) }
        clock.set(approval.requestedAt)
        _ = try await manager.approve(approval.id, expecting: approval.action, comment: "called her back")
        clock.advance(by: 6 * 24 * 3600)
        #expect(try await manager.requesterCard(jane).user.email == jane.value, "six days after deciding")
        clock.advance(by: 24 * 3600 + 1)
        await #expect { _ = try await manager.requesterCard(jane) } throws: { refusedRole($0) }
        #expect(try await agent.requesterCard(jane).user.email == jane.value)

        // An ask he never decided gives him nothing once it ends: recorded as expired by a sweep,
        // or withdrawn by the agent who asked.
        let omar = try EmailAddress("omar.haddad@example.com")
        let second = try await agent.create(Fixtures.newRequest("Lost my phone", requester: omar.value))
        guard case .awaitingApproval(let lapsed) = try await agent.act(ActionAsk(requestID: second.id, spec: ActionSpec(.resetMFA), reason: "lost phone")) else {
            throw RawFailure("reset MFA did not wait for approval")
        }
        #expect(try await manager.requesterCard(omar).user.email == omar.value, "while it waits")
        clock.set(lapsed.expiresAt.addingTimeInterval(1))
        _ = try await agent.sweep()
        await #expect { _ = try await manager.requesterCard(omar) } throws: { refusedRole($0) }
        guard case .awaitingApproval(let withdrawn) = try await agent.act(ActionAsk(requestID: second.id, spec: ActionSpec(.resetMFA), reason: "lost phone, again")) else {
            throw RawFailure("reset MFA did not wait for approval")
        }
        _ = try await agent.deny(withdrawn.id, reason: "asked on the wrong request")
        await #expect { _ = try await manager.requesterCard(omar) } throws: { refusedRole($0) }
    }

    /// A request noted more than one answer carries (any agent can) still opens, in the console and
    /// for `show`, `approve` and `deny`: its detail holds the newest entries and says how many more.
    @Test func aRequestNotedPastWhatOneAnswerCarriesStillOpens() async throws {
        let fixture = try ServiceFixture()
        let server = try fixture.listen(as: "alex")
        defer { Task { await server.stop(grace: 1) } }
        let agent = fixture.client("alex")
        let request = try await agent.create(Fixtures.newRequest("Lost my phone", requester: "jane.doe@example.com"))
        let note = String(repeating: "\u{1D54F}", count: RequestWork.maxNoteLength)
        let notes = 1_700
        try fixture.store.write { writer in
            for _ in 0..<notes { try writer.append(EventDraft(actor: "alex", at: Date(), payload: .note(text: note)), to: request.id) }
        }
        let last = try await agent.note(request.id, "the newest")
        let detail = try await agent.detail(of: request.id)
        #expect(detail.timeline.last == last)
        #expect(detail.earlierEvents > 0 && detail.earlierEvents + detail.timeline.count == notes + 2, "the created event, the notes and the newest")
        let bytes = try detail.timeline.reduce(0) { $0 + (try $1.payload.detailsJSON()).count }
        #expect(bytes < RequestDetail.timelineBytes + 25_000, "\(bytes)")
    }

    @Test func anActionWhoseClientIsKilledIsFinishedAndRecordedOnce() async throws {
        let fixture = try ServiceFixture()
        let server = try fixture.listen(as: "alex")
        defer { Task { await server.stop(grace: 1) } }
        _ = try fixture.store.create(Fixtures.newRequest("Locked out", requester: "zoe.martin@example.com"), by: "alex", at: Date())
        await fixture.tenant.setLatency(0.3)

        let raw = try RawClient(fixture.path("alex"))
        _ = try await raw.hello()
        raw.send(json: #"{"id": 2, "method": "act", "params": {"requestID": "REQ-1", "reason": "locked out", "spec": {"name": "unlock"}}}"#)
        try await Task.sleep(nanoseconds: 50_000_000)
        shutdown(raw.fd, Int32(SHUT_RDWR))

        #expect(try await eventually { try fixture.store.read { try $0.runs(of: RequestID(1)) }.first?.state == .succeeded })
        #expect(await fixture.tenant.actionCount(.unlock) == 1)
        let kinds = try fixture.store.read { try $0.timeline(of: RequestID(1)) }.map(\.kind)
        #expect(kinds.filter { $0 == .actionSucceeded }.count == 1)
    }

    @Test func aChangeInOneConsoleIsPushedToAnother() async throws {
        let fixture = try ServiceFixture()
        let one = try fixture.listen(as: "alex")
        let two = try fixture.listen(as: "morgan")
        defer { Task { await one.stop(grace: 1); await two.stop(grace: 1) } }
        let watcher = fixture.client("morgan")
        let heard = Heard()
        let subscription = await watcher.subscribe(after: nil) { heard.add($0) }
        defer { subscription.cancel() }
        let writer = fixture.client("alex")
        let created = try await writer.create(Fixtures.newRequest("VPN down"))
        #expect(await eventually { heard.contains { $0 == .changed(ChangeNotice(lastEventID: 1, requests: [created.id])) } }, "\(heard.all)")
    }

    @Test func anExportOverTheSocketIsTheExportInProcessByteForByte() async throws {
        let fixture = try ServiceFixture()
        let server = try fixture.listen(as: "alex")
        defer { Task { await server.stop(grace: 1) } }
        let client = fixture.client("alex")
        let created = try await client.create(Fixtures.newRequest("Quote \" backslash \\ é 接続 👩‍💻"))
        _ = try await client.note(created.id, "line one\nline two \"quoted\" and a tab\t")
        let remote = try await client.exportEvents(EventQuery(limit: 10))
        let local = try await fixture.backend.service(for: "alex").exportEvents(EventQuery(limit: 10))
        #expect(remote == local)
        #expect(!remote.more)
        #expect(String(decoding: remote.text, as: UTF8.self).split(separator: "\n").count == 2, "one line an event, escapes kept inside")
    }

    @Test func aRestartedServiceIsFoundAgainByItself() async throws {
        let fixture = try ServiceFixture()
        let server = try fixture.listen(as: "alex")
        let client = fixture.client("alex")
        let heard = Heard()
        let subscription = await client.subscribe(after: nil) { heard.add($0) }
        defer { subscription.cancel() }
        _ = try await client.create(Fixtures.newRequest("Before the restart"))

        await server.stop(grace: 1)
        #expect(await eventually { heard.contains { if case .unavailable = $0 { true } else { false } } })
        await #expect(throws: ServiceError.self) { try await client.queue(QueryFixtures.all) }

        let restarted = try fixture.listen(as: "alex")
        defer { Task { await restarted.stop(grace: 1) } }
        #expect(await eventually { heard.contains { $0 == .available } })
        let page = try await client.queue(QueryFixtures.all)
        #expect(page.requests.map(\.subject) == ["Before the restart"])
        let other = fixture.client("alex")
        _ = try await other.create(Fixtures.newRequest("After the restart"))
        #expect(await eventually { heard.contains { if case .changed(let notice) = $0 { notice.requests.contains(RequestID(2)) } else { false } } },
                "the subscription resumed after the restart")
    }
}

enum QueryFixtures {
    static let all = QueueQuery(filter: .all, limit: 50)
}
