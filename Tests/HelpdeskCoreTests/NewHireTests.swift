import Foundation
@testable import HelpdeskCore
import HelpdeskTestSupport
import OktaClient
import Testing

/// A new hire from a request: the playbook's first step creates the requester's account STAGED
/// from the fields the agent gives, the later steps act on it; over the simulated tenant and over
/// HTTP to the loopback stand-in, where an answer lost after Okta acted is reconciled, not resent.
@Suite struct NewHireTests {
    let alex = DemoTeamFixture.alex, morgan = DemoTeamFixture.morgan

    static let onboarding = Playbook(name: "onboarding", title: "Onboarding", steps: [
        PlaybookStep(.createUser),
        PlaybookStep(.action(.activate(sendEmail: true))),
        PlaybookStep(.addToGroup(name: "VPN Users")),
        PlaybookStep(.assignApp(label: "Slack")),
    ])
    static let fields = ["firstName": "Ana", "lastName": "Ruiz", "manager": "sam.lee@example.com", "department": "Sales"]

    func engine(_ engine: ActionEngine) -> PlaybookEngine {
        PlaybookEngine(reconciler: Reconciler(engine: engine), playbooks: [Self.onboarding, PlaybookTests.offboarding])
    }

    func ask(_ request: Request, fields: [String: String] = fields) -> PlanAsk {
        PlanAsk(requestID: request.id, source: .playbook("onboarding"), reason: "starts Monday, HR ticket 7", fields: fields)
    }

    func approve(_ plan: Plan, _ playbooks: PlaybookEngine, store: any RequestStore) async throws -> Plan {
        let approval = try #require(try store.read { try $0.approvals(of: plan.requestID) }.first { $0.subject.plan?.planID == plan.id })
        return try await playbooks.approve(approval.id, by: morgan, expecting: plan.terms, comment: nil)
    }

    @Test func aNewHireIsCreatedAndActivatedWithTheFieldsGiven() async throws {
        let fixture = try EngineFixture()
        let request = try fixture.request("ana.ruiz@example.com", "New hire starting Monday")
        let playbooks = engine(fixture.engine)
        let preview = try await playbooks.preview(ask(request), by: alex)
        let sam = try await fixture.userID("sam.lee")
        let profile = NewUserProfile(firstName: "Ana", lastName: "Ruiz", email: Fixtures.email("ana.ruiz@example.com"), login: "ana.ruiz@example.com",
                                     managerID: sam, manager: "sam.lee@example.com", department: "Sales")
        #expect(preview.steps.map(\.action) == [.createUser(profile), .activate(sendEmail: true),
                                                .addToGroup(try await fixture.group("VPN Users"), expiry: nil), .assignApp(AppRef(id: "0oa0ffe6c3e1f43f953b", label: "Slack"), expiry: nil)])
        #expect(preview.needsApproval && preview.approvers.contains("morgan") && !preview.approvers.contains("sam"), "approvers, not the manager: the manager was typed by the agent: \(preview.approvers)")
        #expect(fixture.directory.actionCalls.isEmpty)

        let plan = try await playbooks.start(ask(request), expecting: preview.steps, by: alex)
        let done = try await approve(plan, playbooks, store: fixture.store)
        #expect(done.state == .finished, "\(done.note ?? "")")
        let ana = try await fixture.tenant.user(.login("ana.ruiz@example.com"))
        #expect(ana.status == .active && ana.firstName == "Ana" && ana.lastName == "Ruiz" && ana.managerID == sam && ana.department == "Sales")
        #expect(try await fixture.tenant.groups(ofUser: ana.id).map(\.name) == ["VPN Users"])
        #expect(try await fixture.tenant.assignmentScope(userID: ana.id, appID: "0oa0ffe6c3e1f43f953b") == "USER")
        #expect(fixture.directory.actionCalls == ["create-user ana.ruiz@example.com", "activate \(ana.id)", "add-to-group \(ana.id)", "assign-app \(ana.id)"])
    }

    @Test func aNewHireNeedsTheirNamesAndAnExistingAccountIsNotCreatedAgain() async throws {
        let fixture = try EngineFixture()
        let playbooks = engine(fixture.engine)
        let newcomer = try fixture.request("ana.ruiz@example.com", "New hire")
        await #expect { try await playbooks.preview(ask(newcomer, fields: ["firstName": "Ana"]), by: alex) } throws: { "\($0)".contains("needs lastName") }
        await #expect { try await playbooks.preview(ask(newcomer, fields: Self.fields.merging(["role": "x"]) { $1 }), by: alex) } throws: {
            "\($0)".contains("\"role\" is not a field")
        }
        await #expect { try await playbooks.preview(ask(newcomer, fields: Self.fields.merging(["manager": "nobody@example.com"]) { $1 }), by: alex) } throws: {
            "\($0)".contains("no user with the email nobody@example.com to be the manager")
        }
        await #expect { try await playbooks.preview(ask(newcomer, fields: Self.fields.merging(["firstName": "A\u{1b}[2J"]) { $1 }), by: alex) } throws: {
            "\($0)".contains("control character")
        }
        await #expect { try await playbooks.preview(ask(newcomer, fields: Self.fields.merging(["login": "morgan.patel@example.com"]) { $1 }), by: alex) } throws: {
            "\($0)".contains("the login morgan.patel@example.com is already the Okta account of")
        }
        let existing = try fixture.request("jane.doe@example.com", "Onboarding again")
        let preview = try await playbooks.preview(ask(existing), by: alex)
        #expect(!preview.steps.contains { $0.action.name == .createUser })
        #expect(preview.notes.contains { $0.hasPrefix("Create the user: left out, jane.doe@example.com already exists") })
        await #expect {
            try await playbooks.preview(PlanAsk(requestID: existing.id, source: .playbook("offboarding"), fields: ["firstName": "X"]), by: alex)
        } throws: { "\($0)".contains("fields apply to playbooks that create their user") }
    }

    /// A create whose answer was lost, and meanwhile another account holds the login: reconcile
    /// does not take that account for the new hire's, and the plan stops before acting on it.
    @Test func anotherAccountWithTheLoginIsNotTakenForTheNewHire() async throws {
        let fixture = try EngineFixture()
        let request = try fixture.request("ana.ruiz@example.com", "New hire")
        let playbooks = engine(fixture.engine)
        let plan = try await playbooks.start(ask(request), expecting: nil, by: alex)
        await fixture.tenant.failNext(.createUser, with: DirectoryError(kind: .outcomeUnknown, summary: "no answer"))
        await fixture.tenant.add(DirectoryUser(id: "00uother", login: "ana.ruiz@example.com", email: "a.ruiz@elsewhere.example", firstName: "Ana",
                                               lastName: "Other", status: .active))
        let waiting = try await approve(plan, playbooks, store: fixture.store)
        #expect(waiting.state == .running)
        fixture.clock.advance(by: 600)
        let ended = try await playbooks.runner.runDue(by: "helpdesk").plans
        #expect(ended.map(\.state) == [.stopped], "\(ended.map { $0.note ?? "" })")
        #expect(ended.first?.note?.contains("cannot be told") == true)
        #expect(fixture.directory.actionCalls == ["create-user ana.ruiz@example.com"], "nothing was done to the other account")
    }

    /// Over HTTP: the stand-in creates the user and then drops its answer; the plan waits, reconcile
    /// finds the login in Okta, and the plan goes on without a second create.
    @Test func aCreateWhoseAnswerWasLostIsReconciledAndNotSentAgain() async throws {
        let standIn = try OktaStandIn()
        defer { standIn.stop() }
        let folder = TemporaryDirectory("helpdesk-new-hire-http")
        let clock = SystemClock()
        let directory = OktaDirectory(client: OktaHTTPClient(settings: OktaSettings(org: try OrgURL(standIn.orgURL), token: try APIToken(standIn.token))))
        let store = try TestStore.open(in: folder)
        let engine = ActionEngine(store: store, directory: directory, clock: clock, policy: .default, team: DemoTeamFixture.team, runner: "host:1")
        let playbooks = PlaybookEngine(reconciler: Reconciler(engine: engine, runnerIsAlive: { $0 == "host:1" }), playbooks: [Self.onboarding])
        let request = try store.create(Fixtures.newRequest("New hire", requester: "ana.ruiz@example.com"), by: "intake", at: clock.now())
        standIn.inject(.init("POST", "/api/v1/users", .dropAfterDoing))

        let plan = try await playbooks.start(ask(request), expecting: nil, by: alex)
        let waiting = try await approve(plan, playbooks, store: store)
        #expect(waiting.state == .running, "the create's outcome is unknown: the plan waits for reconcile (\(waiting.note ?? ""))")
        let resumed = try await playbooks.runner.runDue(by: "helpdesk").plans
        #expect(resumed.map(\.state) == [.finished], "\(resumed.map { $0.note ?? "" })")
        #expect(standIn.count("POST", "/api/v1/users") == 1, "created once: \(standIn.requests)")
        let ana = try #require(await standIn.tenant.user(idOrLogin: "ana.ruiz@example.com"))
        #expect(ana.status == .active)
        #expect(standIn.count("POST", "/lifecycle/activate") == 1)
    }
}

/// Offboarding over HTTP to the loopback stand-in: the calls Okta receives are exactly the previewed
/// steps; built-in groups, app groups and apps assigned through a group stay.
@Suite struct OffboardingOverHTTPTests {
    @Test func theChangesOktaReceivesAreExactlyThePreviewedSteps() async throws {
        let standIn = try OktaStandIn()
        defer { standIn.stop() }
        let folder = TemporaryDirectory("helpdesk-offboarding-http")
        let directory = OktaDirectory(client: OktaHTTPClient(settings: OktaSettings(org: try OrgURL(standIn.orgURL), token: try APIToken(standIn.token))))
        let store = try TestStore.open(in: folder)
        let engine = ActionEngine(store: store, directory: directory, clock: SystemClock(), policy: .default, team: DemoTeamFixture.team, runner: "host:1")
        let playbooks = PlaybookEngine(reconciler: Reconciler(engine: engine), playbooks: [PlaybookTests.offboarding])
        let ben = try #require(await standIn.tenant.users(withEmail: Fixtures.email("ben.carter@example.com")).first)
        await standIn.tenant.assignThroughGroup(userID: ben.id, appID: "0oa92298812107bb17ef")
        let groupsBefore = try await standIn.tenant.groups(ofUser: ben.id)
        let request = try store.create(Fixtures.newRequest("Leaver on Friday", requester: "ben.carter@example.com"), by: "intake", at: Date())
        let ask = PlanAsk(requestID: request.id, source: .playbook("offboarding"), reason: "leaver, HR-2231")
        let preview = try await playbooks.preview(ask, by: DemoTeamFixture.alex)
        let plan = try await playbooks.start(ask.confirming(preview, reason: ask.reason), expecting: preview.steps, by: DemoTeamFixture.alex)
        let approval = try #require(try store.read { try $0.approvals(of: request.id) }.first { $0.subject.plan?.planID == plan.id })
        let done = try await playbooks.approve(approval.id, by: DemoTeamFixture.morgan, expecting: plan.terms, comment: nil)
        #expect(done.state == .finished, "\(done.note ?? "")")

        let changes = standIn.requests.filter { !$0.hasPrefix("GET") }
        let expected = preview.steps.map { step -> String in
            switch step.action {
            case .revokeSessions: "DELETE /api/v1/users/\(ben.id)/sessions"
            case .suspend: "POST /api/v1/users/\(ben.id)/lifecycle/suspend"
            case .removeFromGroup(let group): "DELETE /api/v1/groups/\(group.id)/users/\(ben.id)"
            case .removeApp(let app): "DELETE /api/v1/apps/\(app.id)/users/\(ben.id)"
            default: "unexpected \(step.action.summary)"
            }
        }
        #expect(changes == expected, "Okta received \(changes)")
        let left = try await standIn.tenant.groups(ofUser: ben.id)
        #expect(left.map(\.id) == groupsBefore.filter { $0.type != .okta }.map(\.id), "built-in and app groups stay: \(left.map(\.name))")
        #expect(try await standIn.tenant.assignmentScope(userID: ben.id, appID: "0oa92298812107bb17ef") == "GROUP", "an app from a group stays")
        #expect(await standIn.tenant.user(idOrLogin: ben.id)?.status == .suspended)
    }
}

/// What a person types for a plan's time.
@Suite struct PlanTimeTests {
    let now = Timestamp.parse("2026-12-01T10:00:00Z")!
    let paris = TimeZone(identifier: "Europe/Paris")!

    @Test func timesAndSpansAreRead() throws {
        #expect(try PlanTime.parse("", now: now, zone: .fixed(paris)) == nil)
        #expect(try PlanTime.parse("2026-12-04 17:00", now: now, zone: .fixed(paris)) == Timestamp.parse("2026-12-04T16:00:00Z"))
        #expect(try PlanTime.parse("2026-12-04T17:00:00Z", now: now, zone: .fixed(paris)) == Timestamp.parse("2026-12-04T17:00:00Z"))
        #expect(try PlanTime.parse("3d", now: now, zone: .fixed(paris)) == now.addingTimeInterval(3 * 86_400))
        #expect(try PlanTime.parse("2h", now: now, zone: .fixed(paris)) == now.addingTimeInterval(7_200))
    }

    @Test(arguments: ["friday", "2026-11-30 09:00", "2026-02-30 10:00", "2026-12-04 25:00", "2025-01-01T00:00:00Z", "0d",
                      "2026--12-04 17:00", "2026-12-+4 17:00", "2027-03-28 02:30", "99999-12-04 17:00", "2026-12-04 17:0"])
    func otherTextIsRefused(text: String) {
        #expect(throws: Refusal.self) { try PlanTime.parse(text, now: now, zone: .fixed(paris)) }
    }
}
