import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import SQLiteStore
import Testing

/// Without a configuration any OS login can be given requests, but only a login.
@Suite struct AssigneeTests {
    @Test func withoutAConfigurationAnyLoginAndNothingElse() throws {
        let store = try SQLiteRequestStore(path: ":memory:")
        let work = RequestWork(store: store, clock: ManualClock(), team: Team([]))
        let agent = Operator(login: "alex", email: nil, roles: [.agent])
        let request = try store.create(Fixtures.newRequest("VPN"), by: "alex", at: Date())
        #expect(try work.assign(request.id, to: "chris.o-neil_2", by: agent).assignee == "chris.o-neil_2")
        #expect(try work.assign(request.id, to: "jane@corp.example.com", by: agent).assignee == "jane@corp.example.com", "a directory login")
        // Taking it oneself needs no check: the login is the system's.
        let unusual = Operator(login: "CORP\\jane", email: nil, roles: [.agent])
        #expect(try work.assign(request.id, to: unusual.login, by: unusual).assignee == "CORP\\jane")
        for mistake in ["", " ", "a b", "NONE!", "名前", String(repeating: "y", count: 65)] {
            #expect(throws: Refusal.self, "\(mistake)") { try work.assign(request.id, to: mistake, by: agent) }
        }
        #expect(try work.assign(request.id, to: nil, by: agent).assignee == nil)
    }
}
