import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import Testing

@Suite struct ApprovalRuleTests {
    let fixture: EngineFixture
    let alex = DemoTeamFixture.alex, morgan = DemoTeamFixture.morgan, sam = DemoTeamFixture.sam
    let jane = DemoTeamFixture.jane, jordan = DemoTeamFixture.jordan

    init() throws { fixture = try EngineFixture() }

    @Test func theDefaultPolicyGatesGrantsAndWeakeningButNotContainment() {
        let required = ActionName.allCases.filter { ApprovalPolicy.default.needsApproval($0) }
        #expect(Set(required) == [.addToGroup, .assignApp, .resetMFA, .resetFactor, .resetPassword, .unsuspend, .activate, .resendActivation, .deactivate, .createUser])
        let overridden = ApprovalPolicy(overrides: [.suspend: .init(approvalRequired: true, approvers: ["chris"])])
        #expect(overridden.needsApproval(.suspend))
        #expect(overridden.rule(for: .suspend).approvers == ["chris"])
        #expect(overridden.needsApproval(.resetMFA))
    }

    @Test func askingForResetMFARecordsTheApprovalAndTheRequestWaits() async throws {
        let request = try fixture.request()
        let approval = try fixture.awaiting(try await fixture.engine.ask(.resetMFA, on: request.id, reason: "lost phone, ID checked on video", by: alex))
        #expect(approval.action == .resetMFA)
        #expect(approval.reason == "lost phone, ID checked on video")
        #expect(approval.approvers.map(\.login) == ["sam", "morgan"], "Jane is an approver but never for herself")
        #expect(approval.approvers.map(\.basis) == [.manager, .approverRole])
        #expect(approval.approvers.map(\.oktaUserID) == [try await fixture.userID("sam.lee"), try await fixture.userID("morgan.patel")], "each with their Okta id")
        #expect(approval.requestedByOktaID == (try await fixture.userID("alex.kim")))
        #expect(approval.targetUserID == (try await fixture.userID("jane.doe")))
        #expect(approval.expiresAt == fixture.clock.now().addingTimeInterval(24 * 3600))
        #expect(try fixture.store.existingRequest(request.id).status == .awaitingApproval)
        #expect(try fixture.kinds(request.id) == [.created, .approvalRequested, .statusChanged])
        #expect(fixture.directory.actionCalls.isEmpty, "nothing ran yet")
        let awaiting = try fixture.store.read { try $0.queue(QueueQuery(filter: QueueFilter(awaitingApprovalBy: "sam"))) }.requests.map(\.id)
        #expect(awaiting == [request.id])
    }

    @Test func theManagerApprovesAndTheActionRunsOnceWithEveryStepRecorded() async throws {
        let request = try fixture.request()
        let approval = try fixture.awaiting(try await fixture.engine.ask(.resetMFA, on: request.id, reason: "lost phone", by: alex))
        let outcome = try await fixture.engine.approve(approval.id, by: sam, expecting: .resetMFA, comment: "called her back")
        #expect(outcome.succeeded)
        #expect(outcome.message.contains("reset 3 factors"))
        #expect(outcome.run.startedBy == "sam")
        #expect(outcome.run.approvalID == approval.id)
        #expect(outcome.run.state == .succeeded)
        #expect(try await fixture.tenant.factors(ofUser: try await fixture.userID("jane.doe")).isEmpty)
        #expect(fixture.directory.actionCalls.count == 1)
        let timeline = try fixture.store.read { try $0.timeline(of: request.id) }
        #expect(timeline.map(\.kind) == [.created, .approvalRequested, .statusChanged, .approvalGranted, .statusChanged, .actionStarted, .actionSucceeded])
        #expect(timeline.last?.payload.oktaRequestID?.hasPrefix("sim-") == true)
        #expect(timeline[3].actor == "sam")
        #expect(try fixture.store.existingRequest(request.id).status == .open)
    }

    @Test func nobodyMayApproveTheirOwnAccountTheirOwnAskOrWithoutEligibility() async throws {
        let request = try fixture.request()
        let approval = try fixture.awaiting(try await fixture.engine.ask(.resetMFA, on: request.id, reason: "lost phone", by: morgan))
        #expect(approval.approvers.map(\.login) == ["sam"], "morgan asked, so only the manager remains")

        await #expect { _ = try await fixture.engine.approve(approval.id, by: morgan) } throws: { "\($0)".contains("cannot also approve") }
        await #expect { _ = try await fixture.engine.approve(approval.id, by: jane) } throws: { "\($0)".contains("requester") }
        await #expect { _ = try await fixture.engine.approve(approval.id, by: jordan) } throws: { "\($0)".contains("may not decide") }
        await #expect { try await fixture.engine.deny(approval.id, by: jordan, reason: "no") } throws: { "\($0)".contains("may not decide") }
        #expect(fixture.directory.actionCalls.isEmpty)
        #expect(try fixture.store.read { try $0.approval(approval.id) }?.state == .pending)
    }

    @Test func approvingTwiceRunsOnceAndSaysWhoApproved() async throws {
        let request = try fixture.request()
        let approval = try fixture.awaiting(try await fixture.engine.ask(.resetMFA, on: request.id, reason: "lost phone", by: alex))
        let engines = [fixture.engine, try fixture.secondEngine()]
        let approvers = [sam, morgan]
        let results = await withTaskGroup(of: Result<ActionOutcome, any Error>.self) { group in
            for index in 0..<2 {
                group.addTask { await captured { try await engines[index].approve(approval.id, by: approvers[index]) } }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { (try? $0.get()) != nil }.count == 1)
        #expect(results.contains { if case .failure(let error) = $0 { "\(error)".contains("already approved") || "\(error)".contains("decided by someone else") } else { false } })
        #expect(fixture.directory.actionCalls.count == 1)
        await #expect { _ = try await fixture.engine.approve(approval.id, by: sam) } throws: { "\($0)".contains("already approved") }
        #expect(fixture.directory.actionCalls.count == 1)
    }

    @Test func anExpiredApprovalIsRefusedAndSaysSoOnTheTimeline() async throws {
        let request = try fixture.request()
        let approval = try fixture.awaiting(try await fixture.engine.ask(.resetMFA, on: request.id, reason: "lost phone", by: alex))
        fixture.clock.advance(by: 24 * 3600 + 1)
        await #expect { _ = try await fixture.engine.approve(approval.id, by: sam) } throws: { "\($0)".contains("expired") }
        #expect(try fixture.store.read { try $0.approval(approval.id) }?.state == .expired)
        #expect(try fixture.kinds(request.id).suffix(2) == [.approvalExpired, .statusChanged])
        #expect(try fixture.store.existingRequest(request.id).status == .open)
        #expect(fixture.directory.actionCalls.isEmpty)
    }

    @Test func changedParametersNeedANewApproval() async throws {
        let request = try fixture.request()
        let vpn = try await fixture.group("Engineering")
        let week = try fixture.awaiting(try await fixture.engine.ask(.addToGroup(vpn, expiry: AccessDuration(1, .weeks)), on: request.id, reason: "on call", by: alex))
        await #expect {
            _ = try await fixture.engine.approve(week.id, by: sam, expecting: .addToGroup(vpn, expiry: AccessDuration(3, .months)))
        } throws: { "\($0)".contains("no longer asks for what you saw") }

        let month = try fixture.awaiting(try await fixture.engine.ask(.addToGroup(vpn, expiry: AccessDuration(1, .months)), on: request.id, reason: "longer rota", by: alex))
        #expect(try fixture.store.read { try $0.approval(week.id) }?.state == .superseded)
        await #expect { _ = try await fixture.engine.approve(week.id, by: sam) } throws: { "\($0)".contains("replaced") }
        await #expect { _ = try await fixture.engine.ask(.addToGroup(vpn, expiry: AccessDuration(1, .months)), on: request.id, reason: "again", by: alex) } throws: {
            "\($0)".contains("already asks for exactly this")
        }
        #expect(try await fixture.engine.approve(month.id, by: sam).succeeded)
        #expect(fixture.directory.actionCalls.count == 1)
    }

    @Test func denyingNeedsAReasonAndRunsNothing() async throws {
        let request = try fixture.request()
        let approval = try fixture.awaiting(try await fixture.engine.ask(.resetMFA, on: request.id, reason: "lost phone", by: alex))
        await #expect { try await fixture.engine.deny(approval.id, by: sam, reason: "  ") } throws: { "\($0)".contains("reason is required") }
        let denied = try await fixture.engine.deny(approval.id, by: sam, reason: "she is on holiday; call her mobile first")
        #expect(denied.state == .denied)
        #expect(denied.decidedBy == "sam")
        await #expect { _ = try await fixture.engine.approve(approval.id, by: morgan) } throws: { "\($0)".contains("was denied by sam") }
        #expect(try fixture.kinds(request.id).suffix(2) == [.approvalDenied, .statusChanged])
        #expect(fixture.directory.actionCalls.isEmpty)
    }

    /// The agent who asked takes back an ask nobody has decided; nobody else can, except by denying it.
    @Test func theAskerWithdrawsTheirOwnAskAndTheRequestIsWorkedAgain() async throws {
        let request = try fixture.request()
        let approval = try fixture.awaiting(try await fixture.engine.ask(.resetMFA, on: request.id, reason: "lost phone", by: alex))
        await #expect { try await fixture.engine.deny(approval.id, by: jordan, reason: "not mine") } throws: { "\($0)".contains("may not decide") }
        #expect { try fixture.engine.approvals.withdraw(approval.id, by: jordan, reason: "not mine") } throws: {
            "\($0)".contains("was asked for by alex; only they may withdraw it")
        }
        await #expect { try await fixture.engine.deny(approval.id, by: alex, reason: " ") } throws: { "\($0)".contains("reason is required") }
        let withdrawn = try await fixture.engine.deny(approval.id, by: alex, reason: "wrong person: it is her colleague's phone")
        #expect(withdrawn.state == .denied)
        #expect(withdrawn.decidedBy == "alex")
        #expect(withdrawn.decisionReason == "withdrawn by alex: wrong person: it is her colleague's phone")
        await #expect { _ = try await fixture.engine.approve(approval.id, by: sam) } throws: { "\($0)".contains("was denied by alex") }
        await #expect { try await fixture.engine.deny(approval.id, by: alex, reason: "again") } throws: { "\($0)".contains("denied by alex") }
        #expect(try fixture.kinds(request.id).suffix(2) == [.approvalDenied, .statusChanged])
        #expect(try fixture.store.read { try $0.request(request.id) }?.status == .open, "no longer awaiting approval")
        _ = try fixture.work.setStatus(request.id, to: .resolved, by: alex)
        #expect(fixture.directory.actionCalls.isEmpty)
        // Past its time there is nothing left to withdraw.
        let second = try fixture.request()
        let late = try fixture.awaiting(try await fixture.engine.ask(.resetMFA, on: second.id, reason: "lost phone", by: alex))
        fixture.clock.advance(by: 25 * 3600)
        #expect { try fixture.engine.approvals.withdraw(late.id, by: alex, reason: "too late") } throws: { "\($0)".contains("no longer waiting") }
    }

    @Test func askingNeedsAReasonTheAgentRoleAndAnAvailableAction() async throws {
        let request = try fixture.request()
        await #expect { _ = try await fixture.engine.ask(.resetMFA, on: request.id, reason: "", by: alex) } throws: { "\($0)".contains("reason is required") }
        await #expect { _ = try await fixture.engine.ask(.suspend, on: request.id, reason: "x", by: sam) } throws: { "\($0)".contains("no agent role") }
        await #expect { _ = try await fixture.engine.ask(.unsuspend, on: request.id, reason: "x", by: alex) } throws: { "\($0)".contains("not suspended") }
        let stranger = try fixture.request("unknown.person@example.com", "who")
        await #expect { _ = try await fixture.engine.ask(.suspend, on: stranger.id, reason: "x", by: alex) } throws: { "\($0)".contains("Okta has no user") }
        #expect(try fixture.kinds(request.id) == [.created])
    }

    @Test func containmentRunsAtOnceWrittenAhead() async throws {
        let request = try fixture.request("tom.becker@example.com", "Sign-in from Lagos")
        _ = try await fixture.tenant.unsuspend(userID: try await fixture.userID("tom.becker"))
        let outcome = try fixture.ran(try await fixture.engine.ask(.suspend, on: request.id, reason: "suspicious sign-in", by: alex))
        #expect(outcome.succeeded)
        #expect(try await fixture.tenant.user(.login("tom.becker@example.com")).status == .suspended)
        #expect(try fixture.kinds(request.id) == [.created, .actionStarted, .actionSucceeded])
        #expect(try fixture.store.read { try $0.runs(of: request.id) }.map(\.state) == [.succeeded])
    }

    @Test func oktasRefusalIsRecordedAsAFailure() async throws {
        let request = try fixture.request("omar.haddad@example.com", "Locked out")
        await fixture.tenant.failNext(.unlock, with: DirectoryError(kind: .forbidden, httpStatus: 403, errorCode: "E0000006", summary: "You do not have permission", requestID: "req-403"))
        let outcome = try fixture.ran(try await fixture.engine.ask(.unlock, on: request.id, reason: "locked out", by: alex))
        #expect(!outcome.succeeded)
        #expect(outcome.run.state == .failed)
        let failed = try #require(try fixture.store.read { try $0.timeline(of: request.id) }.last)
        guard case .actionFailed(let failure) = failed.payload else { Issue.record("expected action-failed"); return }
        #expect(failure.errorCode == "E0000006")
        #expect(failure.oktaRequestID == "req-403")
        #expect(failure.message.contains("lacks the permission"))
        #expect(!failure.outcomeUnknown)
    }

    @Test func resolvedRequestsAreReopenedBeforeActingOnThem() async throws {
        let request = try fixture.request()
        try fixture.work.resolve(request.id, note: "done", by: alex)
        await #expect { _ = try await fixture.engine.ask(.resetMFA, on: request.id, reason: "x", by: alex) } throws: { "\($0)".contains("reopen") }
    }
}

/// Runs `body` and keeps its value or its error.
func captured<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do { return .success(try await body()) } catch { return .failure(error) }
}

@Suite struct TargetCheckTests {
    @Test func groupsManagedElsewhereAreRefusedBeforeAnyApprovalIsAsked() async throws {
        let fixture = try EngineFixture()
        let request = try fixture.request()
        let adGroup = try await fixture.group("AD: Domain Users")
        await #expect {
            _ = try await fixture.engine.ask(.addToGroup(adGroup, expiry: nil), on: request.id, reason: "x", by: DemoTeamFixture.alex)
        } throws: { "\($0)".contains("APP_GROUP group and cannot be changed here") }
        #expect(try fixture.kinds(request.id) == [.created])
    }
}
