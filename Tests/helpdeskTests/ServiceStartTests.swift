import Foundation
import HelpdeskTestSupport
import Testing

/// The real `helpdesk serve` refusing to start: what it refuses for is checked before the store
/// is touched, so an admin's first try (as the wrong user, with a token file others can read)
/// leaves no store behind.
@Suite struct ServiceStartTests {
    let folder = TemporaryDirectory("hd-service-start")
    var storeFolder: String { folder.file("var") }

    /// Runs `serve` once with the token file in `tokenMode` and `service` as its service settings.
    func serve(tokenMode: mode_t, service: String) async throws -> (status: Int32, out: String, err: String) {
        let token = folder.file("okta.token")
        try Data("00start-token".utf8).write(to: URL(fileURLWithPath: token))
        chmod(token, tokenMode)
        let config = folder.file("config.json")
        try #"""
        {"okta": {"orgUrl": "http://127.0.0.1:9", "tokenFile": "\#(token)"}, "store": {"path": "\#(storeFolder)/helpdesk.db"}, "service": \#(service),
         "operators": {"\#(ServiceSmokeTests.currentLogin)": {"email": "alex.kim@example.com", "roles": ["agent"]}}}
        """#.write(toFile: config, atomically: true, encoding: .utf8)
        let home = folder.path
        return try await offPool { try ChildProcess.run(BuiltProducts.executable("helpdesk"), ["serve", "--config", config], environment: ["HOME": home]) }
    }

    @Test func aServiceThatCannotStartLeavesNoStore() async throws {
        let result = try await serve(tokenMode: 0o644, service: #"{"socket": "\#(folder.file("helpdesk.sock"))"}"#)
        #expect(result.status == 1)
        #expect(result.err.contains("can be read or changed by others (mode 644)"), "\(result.err)")
        #expect(!FileManager.default.fileExists(atPath: storeFolder), "neither the store nor its folder was made")
    }

    @Test(.enabled(if: geteuid() != 0 && getegid() != 0, "root may give a file to any group; run as an ordinary user"))
    func aSocketGroupThisUserIsNotInIsRefusedBeforeTheStore() async throws {
        let result = try await serve(tokenMode: 0o600, service: #"{"socket": "\#(folder.file("helpdesk.sock"))", "socketGroup": "root"}"#)
        #expect(result.status == 1)
        #expect(result.err.contains("the socket group \"root\" (service.socketGroup) is not one of this user's groups"), "\(result.err)")
        #expect(!FileManager.default.fileExists(atPath: storeFolder), "neither the store nor its folder was made")
    }
}
