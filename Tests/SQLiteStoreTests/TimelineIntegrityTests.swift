import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import SQLiteStore
import Testing

@Suite struct TimelineIntegrityTests {
    let folder = TemporaryDirectory()

    @Test func creatingWritesTheRequestAndItsCreatedEventTogether() throws {
        let store = try SQLiteRequestStore(path: folder.file("s.db"))
        let at = Date(timeIntervalSince1970: 1_790_000_000)
        let request = try store.create(Fixtures.newRequest("VPN", body: "cannot connect"), by: "alex", at: at)
        #expect(request.id == RequestID(1))
        #expect(request.status == .new)
        #expect(request.version == 1)
        let timeline = try store.read { try $0.timeline(of: request.id) }
        #expect(timeline.count == 1)
        #expect(timeline[0].actor == "alex")
        #expect(timeline[0].at == at)
        #expect(timeline[0].payload == .created(.init(requester: request.requester, subject: "VPN", priority: .normal, category: "mfa")))
    }

    @Test func aFailedWriteLeavesNothingBehind() throws {
        let store = try SQLiteRequestStore(path: folder.file("s.db"))
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            _ = try store.write { writer in
                _ = try writer.insertRequest(Fixtures.newRequest(), at: Date())
                throw Boom()
            }
        }
        #expect(try store.read { try $0.count(.all) } == 0)
        #expect(try store.read { try $0.statusCounts()[.new] } == 0)
    }

    @Test func sqliteItselfRefusesToChangeOrDeleteEvents() throws {
        let path = folder.file("s.db")
        let store = try SQLiteRequestStore(path: path)
        let request = try store.create(Fixtures.newRequest(), by: "alex", at: Date())
        _ = try store.write { try $0.append(EventDraft(actor: "alex", at: Date(), payload: .note(text: "called back")), to: request.id) }

        let raw = try SQLiteConnection(path: path)
        #expect {
            try raw.execute("UPDATE events SET actor = 'mallory' WHERE kind = 'note'")
        } throws: { "\($0)".contains("append-only") }
        #expect {
            try raw.execute("DELETE FROM events")
        } throws: { "\($0)".contains("append-only") }
        #expect {
            try raw.execute("DELETE FROM requests")
        } throws: { "\($0)".contains("cannot be deleted") }
        let timeline = try store.read { try $0.timeline(of: request.id) }
        #expect(timeline.map(\.actor) == ["alex", "alex"])
    }

    @Test func sqliteItselfKeepsDecidedApprovalsFinal() throws {
        let path = folder.file("s.db")
        let store = try SQLiteRequestStore(path: path)
        let request = try store.create(Fixtures.newRequest(), by: "alex", at: Date())
        let approval = try store.write { writer in
            try writer.insertApproval(NewApproval(
                requestID: request.id, action: .resetMFA, reason: "lost phone", requestedBy: "alex", requestedAt: Date(),
                expiresAt: Date().addingTimeInterval(3600), approvers: [EligibleApprover(login: "sam", basis: .manager)]))
        }
        #expect(try store.write { try $0.decideApproval(approval.id, state: .denied, by: "sam", at: Date(), reason: "call first") })
        #expect(try store.write { try $0.decideApproval(approval.id, state: .granted, by: "sam", at: Date(), reason: nil) } == false)

        let raw = try SQLiteConnection(path: path)
        #expect { try raw.execute("UPDATE approvals SET state = 'granted'") } throws: { "\($0)".contains("cannot change") }
        #expect { try raw.execute("UPDATE approval_approvers SET login = 'mallory'") } throws: { "\($0)".contains("cannot change") }
        #expect(try store.read { try $0.approval(approval.id) }?.state == .denied)
    }

    @Test func aStaleVersionIsRefusedAndChangesNothing() throws {
        let store = try SQLiteRequestStore(path: folder.file("s.db"))
        let request = try store.create(Fixtures.newRequest(), by: "alex", at: Date())
        let taken = try store.write { writer in
            let changed = try writer.update(request.id, expectedVersion: 1, change: RequestChange(assignee: "alex"), at: Date())
            try writer.append(EventDraft(actor: "alex", at: Date(), payload: .assigned(to: "alex")), to: request.id)
            return changed
        }
        #expect(taken.version == 2)
        #expect(taken.assignee == "alex")
        let before = try store.existingRequest(request.id)

        #expect(throws: StoreError.conflict(request.id, expected: 1, actual: 2)) {
            try store.write { writer in
                try writer.append(EventDraft(actor: "jordan", at: Date(), payload: .assigned(to: "jordan")), to: request.id)
                return try writer.update(request.id, expectedVersion: 1, change: RequestChange(assignee: "jordan"), at: Date())
            }
        }
        let after = try store.existingRequest(request.id)
        #expect(after == before)
        #expect(try store.read { try $0.timeline(of: request.id) }.count == 2)
        #expect(StoreError.conflict(request.id, expected: 1, actual: 2).description.contains("changed by someone else"))
    }

    @Test func everyPayloadKindSurvivesTheRoundTrip() throws {
        let store = try SQLiteRequestStore(path: folder.file("s.db"))
        let request = try store.create(Fixtures.newRequest(), by: "alex", at: Date())
        let group = GroupRef(id: "00g1", name: "VPN Users")
        let payloads: [EventPayload] = [
            .note(text: "hello \"quoted\" — ünïcode 🙂"),
            .assigned(to: nil),
            .statusChanged(from: .new, to: .open, note: nil),
            .approvalRequested(.init(approvalID: ApprovalID(3), action: .addToGroup(group, expiry: AccessDuration(1, .weeks)), reason: "on call", approvers: ["sam"], expiresAt: Date(timeIntervalSince1970: 1_790_000_000))),
            .approvalGranted(approvalID: ApprovalID(3), comment: nil),
            .approvalDenied(approvalID: ApprovalID(3), reason: "no"),
            .approvalExpired(approvalID: ApprovalID(3)),
            .approvalSuperseded(approvalID: ApprovalID(3), by: ApprovalID(4)),
            .actionStarted(.init(runID: ActionRunID(1), action: .resetMFA, approvalID: ApprovalID(3), grantID: nil, reason: "lost phone")),
            .actionSucceeded(.init(runID: ActionRunID(1), action: .resetMFA, summary: "reset 3 factors", oktaRequestID: "req-1")),
            .actionFailed(.init(runID: ActionRunID(1), action: .unsuspend, errorCode: "E0000001", message: "bad", oktaRequestID: nil, outcomeUnknown: false)),
            .actionReconciled(.init(runID: ActionRunID(1), action: .suspend, finding: .applied, summary: "user is SUSPENDED")),
            .accessScheduled(.init(grantID: GrantID(1), action: .assignApp(AppRef(id: "0oa1", label: "Salesforce"), expiry: AccessDuration(3, .months)), revokeAt: Date(timeIntervalSince1970: 1_800_000_000))),
            .accessRevoked(.init(grantID: GrantID(1), runID: ActionRunID(2), revoke: .removeFromGroup(group), summary: "already removed", oktaRequestID: "req-2")),
            .accessKept(.init(grantID: GrantID(1), keptBy: ActionRunID(7), until: nil)),
            .accessKept(.init(grantID: GrantID(2), keptBy: ActionRunID(8), until: Date(timeIntervalSince1970: 1_800_000_000))),
            .planAsked(.init(planID: PlanID(2), title: "Offboarding", steps: ["Suspend the account", "Remove from group VPN Users"], reason: "leaver",
                             runAt: Date(timeIntervalSince1970: 1_800_000_000), approvalID: ApprovalID(5), approvers: ["morgan"], undoes: nil)),
            .planStarted(.init(planID: PlanID(2), differences: ["Remove from group Sales: not in the approved plan, not done"])),
            .planEnded(.init(planID: PlanID(2), state: .stopped, stepsDone: 1, summary: "step 2 failed")),
            .actionStarted(.init(runID: ActionRunID(3), action: .suspend, approvalID: nil, grantID: nil, reason: "leaver", planID: PlanID(2), planStep: 0)),
            .alert(.init(message: "GRANT-1 could not be revoked after 8 tries", runID: ActionRunID(9), grantID: GrantID(1))),
        ]
        #expect(Set(payloads.map(\.kind)).count == EventKind.allCases.count - 1)
        let at = Date(timeIntervalSince1970: 1_790_000_000.123)
        for payload in payloads {
            _ = try store.write { try $0.append(EventDraft(actor: "alex", at: at, payload: payload), to: request.id) }
        }
        let stored = try store.read { try $0.timeline(of: request.id) }.dropFirst().map(\.payload)
        #expect(Array(stored) == payloads)
    }
}
