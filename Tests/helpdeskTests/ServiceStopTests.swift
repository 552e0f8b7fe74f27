import Foundation
import HelpdeskCore
import HelpdeskSocket
import HelpdeskTestSupport
import SQLiteStore
import Testing

/// The real `helpdesk serve` stopping while an operator's request waits for Okta: a second
/// SIGTERM meanwhile is ignored, so what is under way is finished and the service exits 0.
@Suite struct ServiceStopTests {
    let folder = TemporaryDirectory("hd-service-stop")

    /// The real service on the stand-in, with the store in the folder: its pid, socket and log.
    func startService(on standIn: OktaStandIn) throws -> (pid: pid_t, socket: String, log: String) {
        let token = folder.file("okta.token")
        try Data(standIn.token.utf8).write(to: URL(fileURLWithPath: token))
        chmod(token, 0o600)
        let socket = folder.file("helpdesk.sock")
        let config = folder.file("config.json")
        try #"""
        {"okta": {"orgUrl": "\#(standIn.orgURL)", "tokenFile": "\#(token)"}, "store": {"path": "\#(folder.file("helpdesk.db"))"}, "service": {"socket": "\#(socket)"},
         "operators": {"\#(ServiceSmokeTests.currentLogin)": {"email": "alex.kim@example.com", "roles": ["agent"]}}}
        """#.write(toFile: config, atomically: true, encoding: .utf8)
        let log = folder.file("serve.log")
        let pid = try ChildProcess.spawn(BuiltProducts.executable("helpdesk"), ["serve", "--config", config], environment: ["HOME": folder.path], log: log)
        return (pid, socket, log)
    }

    @Test func aSecondSignalWhileTheServiceStopsIsIgnored() async throws {
        let standIn = try OktaStandIn()
        defer { standIn.stop() }
        // Every read of Okta takes 3 s: the card read below is under way when the signals come.
        standIn.inject(OktaStandIn.Fault("GET", "", .stall(3), times: 100))
        let (service, socket, log) = try startService(on: standIn)
        #expect(await eventually(30) { FileManager.default.fileExists(atPath: socket) })
        let client = RemoteHelpdeskService(path: socket)
        let card = Task { try await client.requesterCard(try EmailAddress("jane.doe@example.com")) }
        try await Task.sleep(for: .milliseconds(500))
        kill(service, SIGTERM)
        let said = { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        #expect(await eventually(30) { said().contains("stopping: no new requests") }, "\(said())")
        kill(service, SIGTERM)
        let status = try await offPool { ChildProcess.wait(service) }
        #expect(status == 0, "\(said())")
        #expect(said().contains("helpdesk serve: stopped"), "\(said())")
        _ = try? await card.value
    }

    /// Okta stalls the revokes of three ended grants. SIGTERM during the first: the service begins
    /// no other, waits its 30 s for the first, then exits 0 and leaves it to reconcile. Before, it
    /// waited for that call's minute and then began the next two, one minute each.
    @Test func aStopDuringAStalledRevokeBeginsNoOtherAndEndsWithinItsGrace() async throws {
        let standIn = try OktaStandIn()
        defer { standIn.stop() }
        standIn.inject(OktaStandIn.Fault("DELETE", "", .stall(45), times: 100))
        let engineering = try #require(try await standIn.tenant.findGroups("Engineering", limit: 5).first { $0.name == "Engineering" })
        let start = Date().addingTimeInterval(-7_200)
        let store = try SQLiteRequestStore(path: folder.file("helpdesk.db"))
        for index in 0..<3 {
            await standIn.tenant.add(DirectoryUser(id: "00ustop\(index)", login: "stop\(index)@example.com", email: "stop\(index)@example.com",
                                                   firstName: "Stop", lastName: "\(index)", status: .active), groups: [engineering.id])
            try store.write { writer in
                let request = try writer.insertRequest(Fixtures.newRequest("grant \(index)", requester: "stop\(index)@example.com"), at: start)
                let run = try writer.insertRun(NewActionRun(requestID: request.id, action: .addToGroup(engineering.ref, expiry: AccessDuration(1, .hours)),
                                                            targetUserID: "00ustop\(index)", approvalID: nil, revokesGrant: nil, startedBy: "alex", startedAt: start))
                _ = try writer.finishRun(run.id, state: .succeeded, at: start)
                _ = try writer.insertGrant(requestID: request.id, grantRunID: run.id, action: run.action, targetUserID: run.targetUserID, revokeAt: start.addingTimeInterval(3_600))
            }
        }
        let (service, socket, log) = try startService(on: standIn)
        let said = { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        #expect(await eventually(30) { standIn.count("DELETE", "") == 1 }, "\(said())")
        kill(service, SIGTERM)
        let stopped = Date()
        let status = try await offPool { ChildProcess.wait(service, deadline: Date().addingTimeInterval(60)) }
        let took = Date().timeIntervalSince(stopped)
        #expect(status == 0, "\(said())")
        #expect(took < 33, "stopped after \(took) s")
        #expect(said().contains("the service's own work still waited for Okta after 30 s and is cut short; if it was an action, reconcile settles it from Okta's state"), "\(said())")
        #expect(standIn.count("DELETE", "") <= 2, "no other grant's revoke begun (one call may be retried): \(standIn.requests)")
        let states = try store.read { reader in try (1...3).map { try reader.grant(GrantID(Int64($0)))?.state } }
        #expect(states == [.revoking, .scheduled, .scheduled], "\(states)")
    }
}
