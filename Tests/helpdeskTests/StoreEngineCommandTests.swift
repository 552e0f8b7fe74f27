import Foundation
import HelpdeskTestSupport
import Testing
@testable import helpdesk

/// Choosing a PostgreSQL store, and copying a SQLite store into one.
@Suite struct StoreEngineCommandTests {
    @Test func aURLWithAPasswordIsRefusedWhereverItIsGiven() async throws {
        let cli = CLIHarness()
        try cli.writeConfiguration(#"{"store": {"url": "postgresql://helpdesk:secret@db.example.com/helpdesk"}}"#)
        let listed = await cli.run(["list"], db: false)
        #expect(listed.status != 0)
        #expect(listed.err.contains("store.url") && listed.err.contains("password"), "\(listed.err)")
        #expect(!listed.err.contains("secret"), "the password is never repeated")
        let migrated = await cli.run(["migrate-store", "--from", cli.dbPath, "--to", "postgresql://db.example.com/helpdesk?password=secret"], db: false)
        #expect(migrated.status == 2)
        #expect(!migrated.err.contains("secret"))
        // A URL the check cannot read (several hosts) is refused without being repeated; so is any password parameter.
        for url in ["postgresql://u:secret@h1:5432,h2:5432/db", "postgresql://u@db.example.com/db?sslpassword=secret", "postgresql://u@db.example.com/db?sslmode=require&SSLPassword=secret",
                    "postgresql://x?:secret@/db?host=/tmp&user=helpdesk", "postgresql://x#:secret@/db", "postgresql://u@h/db?application_name=a#&password=secret",
                    "postgresql://u@h/db?pass%77ord=secret", "postgresql://u:secret@[::1]x/db"] {
            let refused = await cli.run(["migrate-store", "--from", cli.dbPath, "--to", url], db: false)
            #expect(refused.status == 2, "\(url)")
            #expect(!refused.err.contains("secret"), "\(refused.err)")
        }
    }

    @Test func aStoreIsAFileOrADatabaseNotBoth() throws {
        let both = #"{"store": {"path": "/var/lib/helpdesk/helpdesk.db", "url": "postgresql://db.example.com/helpdesk"}}"#
        #expect(throws: ConfigurationError.self) { try HelpdeskConfiguration.parse(Data(both.utf8), file: "c.json") }
        let stray = #"{"store": {"path": "/var/lib/helpdesk/helpdesk.db", "passwordFile": "/etc/helpdesk/db.password"}}"#
        #expect(throws: ConfigurationError.self) { try HelpdeskConfiguration.parse(Data(stray.utf8), file: "c.json") }
        let good = #"{"store": {"url": "postgresql://helpdesk@db.example.com/helpdesk", "passwordFile": "/etc/helpdesk/db.password"}}"#
        let configuration = try HelpdeskConfiguration.parse(Data(good.utf8), file: "c.json")
        #expect(configuration.storeURL == "postgresql://helpdesk@db.example.com/helpdesk")
        #expect(configuration.storePasswordFile == "/etc/helpdesk/db.password")
    }

    @Test(.enabled(if: TestPostgres.url != nil, "no PostgreSQL server: set HELPDESK_TEST_POSTGRES"))
    func migrateStoreCopiesEverythingOnceAndTheDatabaseServesTheSameStore() async throws {
        let cli = CLIHarness()
        for index in 1...30 {
            _ = await cli.run(["new", "--requester", "user\(index)@example.com", "--subject", "Request \(index) über VPNに接続", "--priority", index % 3 == 0 ? "high" : "normal"])
        }
        _ = await cli.run(["note", "REQ-3", "called back"])
        _ = await cli.run(["resolve", "REQ-4", "--note", "done"])
        let url = try #require(TestPostgres.scratchURL("migrate"))
        let copied = await cli.run(["migrate-store", "--from", cli.dbPath, "--to", url, "--json"], db: false)
        #expect(copied.status == 0, "\(copied.err)")
        let report = try copied.object()
        #expect(report["requests"] as? Int == 30)
        #expect(report["events"] as? Int == 32)
        #expect(report["matches"] as? Bool == true)

        // The database answers as the file did.
        let fileExport = await cli.run(["export"])
        try cli.writeConfiguration(CLIHarness.demoConfiguration.replacingOccurrences(of: #""approvalTtlHours": 8"#, with: #""approvalTtlHours": 8, "store": {"url": "\#(url)"}"#))
        let databaseExport = await cli.run(["export"], db: false)
        #expect(databaseExport.status == 0, "\(databaseExport.err)")
        #expect(!databaseExport.out.isEmpty)
        #expect(databaseExport.out == fileExport.out)
        let fileList = await cli.run(["list", "--search", "vpn", "--json"])
        let databaseList = await cli.run(["list", "--search", "vpn", "--json"], db: false)
        #expect(databaseList.out == fileList.out)
        let next = await cli.run(["new", "--requester", "next@example.com", "--subject", "After the move"], db: false)
        #expect(next.out.contains("REQ-31"), "\(next.out)\(next.err)")

        // A second copy into the same database is refused.
        let again = await cli.run(["migrate-store", "--from", cli.dbPath, "--to", url], db: false)
        #expect(again.status == 1)
        #expect(again.err.contains("already holds"))
    }
}
