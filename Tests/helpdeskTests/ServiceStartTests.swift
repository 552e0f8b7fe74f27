import Foundation
import HelpdeskTestSupport
import Testing

/// The real `helpdesk serve` refusing to start: what it refuses for is checked before the store
/// is touched, so an admin's first try (as the wrong user, with a token file others can read)
/// leaves no store behind.
@Suite struct ServiceStartTests {
    let folder = TemporaryDirectory("hd-service-start")

    @Test func aServiceThatCannotStartLeavesNoStore() async throws {
        let token = folder.file("okta.token")
        try Data("00start-token".utf8).write(to: URL(fileURLWithPath: token))
        chmod(token, 0o644)
        let store = folder.file("var/helpdesk.db")
        let config = folder.file("config.json")
        try #"""
        {"okta": {"orgUrl": "http://127.0.0.1:9", "tokenFile": "\#(token)"}, "store": {"path": "\#(store)"}, "service": {"socket": "\#(folder.file("helpdesk.sock"))"},
         "operators": {"\#(ServiceSmokeTests.currentLogin)": {"email": "alex.kim@example.com", "roles": ["agent"]}}}
        """#.write(toFile: config, atomically: true, encoding: .utf8)
        let home = folder.path
        let result = try await offPool { try ChildProcess.run(BuiltProducts.executable("helpdesk"), ["serve", "--config", config], environment: ["HOME": home]) }
        #expect(result.status == 1)
        #expect(result.err.contains("can be read or changed by others (mode 644)"), "\(result.err)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("var")), "neither the store nor its folder was made")
    }

    @Test(.enabled(if: geteuid() != 0 && getegid() != 0, "root may give a file to any group; run as an ordinary user"))
    func aSocketGroupThisUserIsNotInIsRefusedBeforeTheStore() async throws {
        let token = folder.file("okta.token")
        try Data("00start-token".utf8).write(to: URL(fileURLWithPath: token))
        chmod(token, 0o600)
        let store = folder.file("var/helpdesk.db")
        let config = folder.file("config.json")
        try #"""
        {"okta": {"orgUrl": "http://127.0.0.1:9", "tokenFile": "\#(token)"}, "store": {"path": "\#(store)"},
         "service": {"socket": "\#(folder.file("helpdesk.sock"))", "socketGroup": "root"},
         "operators": {"\#(ServiceSmokeTests.currentLogin)": {"email": "alex.kim@example.com", "roles": ["agent"]}}}
        """#.write(toFile: config, atomically: true, encoding: .utf8)
        let home = folder.path
        let result = try await offPool { try ChildProcess.run(BuiltProducts.executable("helpdesk"), ["serve", "--config", config], environment: ["HOME": home]) }
        #expect(result.status == 1)
        #expect(result.err.contains("the socket group \"root\" (service.socketGroup) is not one of this user's groups"), "\(result.err)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("var")), "neither the store nor its folder was made")
    }
}
