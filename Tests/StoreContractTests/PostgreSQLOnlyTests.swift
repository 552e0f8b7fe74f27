import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import PostgreSQLStore
import Testing

/// What only the PostgreSQL store has: its schema's name, its role's rights.
@Suite(.enabled(if: TestPostgres.url != nil, "no PostgreSQL server: set HELPDESK_TEST_POSTGRES"))
struct PostgreSQLOnlyTests {
    @Test func aSchemaWithALongNameStillCarriesChanges() async throws {
        let base = try #require(TestPostgres.url)
        let schema = "long_" + String(repeating: "x", count: 50) + String(Int.random(in: 100_000...999_999))
        let url = base + "&options=-csearch_path%3D" + schema
        let writer = try PostgreSQLRequestStore(url: url)
        let watcher = try PostgreSQLRequestStore(url: url)
        let before = try watcher.changeToken()
        _ = try writer.create(Fixtures.newRequest(), by: "alex", at: Date())
        #expect(await eventually(10) { (try? watcher.changeToken()) != before })
    }

    /// The store's own role, owning its schema but no superuser, cannot change the timeline
    /// with plain SQL: it gave those rights up, and the triggers refuse besides.
    @Test func theStoresOwnRoleCannotRewriteTheTimeline() throws {
        let base = try #require(TestPostgres.url)
        let role = "store_role_\(Int.random(in: 100_000...999_999))"
        let admin = try PGConnection(url: base, password: nil, location: "test")
        try admin.execute("CREATE ROLE \(role) LOGIN; GRANT CREATE ON DATABASE helpdesk_test TO \(role)")
        defer { try? admin.execute("DROP SCHEMA IF EXISTS \(role) CASCADE; DROP OWNED BY \(role); DROP ROLE \(role)") }
        let url = base.replacingOccurrences(of: "postgresql://helpdesk@", with: "postgresql://\(role)@") + "&options=-csearch_path%3D" + role
        let store = try PostgreSQLRequestStore(url: url)
        _ = try store.create(Fixtures.newRequest(), by: "alex", at: Date())
        let asRole = try PGConnection(url: url, password: nil, location: "test")
        for sql in ["UPDATE events SET actor = 'mallory'", "DELETE FROM events", "TRUNCATE events", "DELETE FROM requests"] {
            #expect(throws: PGError.self, "\(sql)") { try asRole.execute(sql) }
        }
        #expect(try store.read { try $0.timeline(of: RequestID(1)) }.first?.actor == "alex")
    }
}
