import Foundation
import HelpdeskCore
import HelpdeskSocket
import HelpdeskTestSupport
import Testing

/// The real `helpdesk serve` stopping while an operator's request waits for Okta: a second
/// SIGTERM meanwhile is ignored, so what is under way is finished and the service exits 0.
@Suite struct ServiceStopTests {
    let folder = TemporaryDirectory("hd-service-stop")

    @Test func aSecondSignalWhileTheServiceStopsIsIgnored() async throws {
        let standIn = try OktaStandIn()
        defer { standIn.stop() }
        // Every read of Okta takes 3 s: the card read below is under way when the signals come.
        standIn.inject(OktaStandIn.Fault("GET", "", .stall(3), times: 100))
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
        let service = try ChildProcess.spawn(BuiltProducts.executable("helpdesk"), ["serve", "--config", config], environment: ["HOME": folder.path], log: log)
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
}
