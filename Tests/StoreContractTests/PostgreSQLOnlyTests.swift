import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import PostgreSQLStore
import StoreSQL
import StoreSQL
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
        #expect(await eventually(60) { (try? watcher.changeToken()) != before })
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

    @Test func theStoreLivesInTheFirstSchemaOfTheSearchPathAsTheServerNamesIt() throws {
        let base = try #require(TestPostgres.url)
        let suffix = Int.random(in: 100_000...999_999)
        let store = try PostgreSQLRequestStore(url: base + "&options=-csearch_path%3DFirst_\(suffix),public")
        _ = try store.create(Fixtures.newRequest("where am I"), by: "alex", at: Date())
        let admin = try PGConnection(url: base, password: nil, location: "test")
        defer { try? admin.execute("DROP SCHEMA IF EXISTS first_\(suffix) CASCADE") }
        #expect(try admin.scalar("SELECT count(*) FROM first_\(suffix).requests", []) == 1)
    }

    @Test func storesOpeningAtOnceOnANewSchemaAllOpen() async throws {
        let url = try #require(TestPostgres.scratchURL("together"))
        let opened = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<6 {
                group.addTask { try await offPool { _ = try PostgreSQLRequestStore(url: url); return true } }
            }
            var count = 0
            for try await ok in group where ok { count += 1 }
            return count
        }
        #expect(opened == 6)
    }

    /// The triggers read the store's own tables, not a temporary table of the caller's that
    /// happens to be named like one.
    @Test func aTemporaryTableCannotStandInForTheStoresOwn() throws {
        let base = try #require(TestPostgres.url)
        let schema = "shadow_\(Int.random(in: 100_000...999_999))"
        let store = try PostgreSQLRequestStore(url: base + "&options=-csearch_path%3D" + schema)
        let request = try store.create(Fixtures.newRequest(), by: "alex", at: Date())
        _ = try store.write { writer in
            try writer.insertApproval(NewApproval(requestID: request.id, action: .resetMFA, reason: "lost phone", requestedBy: "alex", requestedAt: Date(),
                                                  expiresAt: Date().addingTimeInterval(3600), approvers: []))
        }
        let caller = try PGConnection(url: base, password: nil, location: "test")
        try caller.execute("SET search_path = \(schema); CREATE TEMP TABLE approvals (request_id bigint, state text); CREATE TEMP TABLE status_counts (status text, n bigint)")
        #expect(throws: PGError.self) { try caller.execute("UPDATE \(schema).requests SET status = 'resolved' WHERE id = 1") }
        #expect(try store.existingRequest(request.id).status == .new)
    }

    /// A copy cut off half-way (the source unreadable, the command killed) leaves nothing behind.
    @Test func aCopyIsAllOrNothing() throws {
        let url = try #require(TestPostgres.scratchURL("copy"))
        let store = try PostgreSQLRequestStore(url: url)
        struct CutOff: Error {}
        let request: [SQLValue] = [.integer(7), .text("jane@example.com"), .text("Lost phone"), .text(""), .text("mfa"), .integer(2), .text("new"), .null,
                                   .integer(1_790_000_000_000), .integer(1_790_000_000_000), .integer(1), .null]
        #expect(throws: CutOff.self) {
            _ = try store.copyIn { table, after in
                guard table == .requests else { throw CutOff() }
                return after == 0 ? [(rowID: Int64(1), values: request)] : []
            }
        }
        #expect(try store.isEmpty())
        let counts = try store.copyIn { table, after in table == .requests && after == 0 ? [(rowID: Int64(1), values: request)] : [] }
        #expect(counts[.requests] == 1)
        #expect(try store.existingRequest(RequestID(7)).subject == "Lost phone")
        #expect(try store.read { try $0.statusCounts()[.new] } == 1, "statuses are counted after the copy")
        #expect(try store.create(Fixtures.newRequest(), by: "alex", at: Date()).id == RequestID(8), "numbers go on after the copy")
        #expect(try store.read { try $0.statusCounts()[.new] } == 2, "and counted as they change again")
        #expect(throws: StoreError.self) { _ = try store.copyIn { _, _ in [] } }
    }

    /// A role that owns the schema it is given, with no right to create schemas, opens the store.
    @Test func aRoleOwningItsSchemaOpensTheStore() throws {
        let base = try #require(TestPostgres.url)
        let role = "owner_\(Int.random(in: 100_000...999_999))"
        let admin = try PGConnection(url: base, password: nil, location: "test")
        try admin.execute("CREATE ROLE \(role) LOGIN; CREATE SCHEMA \(role) AUTHORIZATION \(role)")
        defer { try? admin.execute("DROP SCHEMA IF EXISTS \(role) CASCADE; DROP OWNED BY \(role); DROP ROLE \(role)") }
        let url = base.replacingOccurrences(of: "postgresql://helpdesk@", with: "postgresql://\(role)@") + "&options=-csearch_path%3D" + role
        let store = try PostgreSQLRequestStore(url: url)
        #expect(try store.create(Fixtures.newRequest(), by: "alex", at: Date()).id == RequestID(1))
    }

    /// The server folds only A to Z in a schema name that is not quoted.
    @Test func aSchemaNameBeyondASCIIIsTheOneTheServerUses() throws {
        let base = try #require(TestPostgres.url)
        let name = "Ärger_\(Int.random(in: 100_000...999_999))"
        let store = try PostgreSQLRequestStore(url: base + "&options=-csearch_path%3D" + (name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name) + ",public")
        #expect(try store.create(Fixtures.newRequest(), by: "alex", at: Date()).id == RequestID(1))
        let admin = try PGConnection(url: base, password: nil, location: "test")
        defer { try? admin.execute("DROP SCHEMA IF EXISTS \"\(name)\" CASCADE") }
        #expect(try admin.scalar("SELECT count(*) FROM \"\(name)\".requests", []) == 1)
    }
}
