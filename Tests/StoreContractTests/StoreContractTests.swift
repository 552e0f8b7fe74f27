import Foundation
import Testing

/// Every case of the contract on SQLite.
@Suite struct SQLiteContractTests {
    @Test(arguments: ContractCase.allCases)
    func holds(_ contractCase: ContractCase) async throws {
        try await contractCase.run(on: StoreUnderTest(.sqlite))
    }
}

/// Every case of the contract on PostgreSQL: needs a server (`Tests/postgres-server start DIR`
/// prints the URL for HELPDESK_TEST_POSTGRES); without one the suite is reported as skipped.
@Suite(.enabled(if: StoreEngine.postgresURL != nil, "no PostgreSQL server: set HELPDESK_TEST_POSTGRES (Tests/postgres-server start DIR prints it)"))
struct PostgreSQLContractTests {
    @Test(arguments: ContractCase.allCases)
    func holds(_ contractCase: ContractCase) async throws {
        try await contractCase.run(on: StoreUnderTest(.postgresql))
    }
}

/// CI sets HELPDESK_REQUIRE_POSTGRES: there, a contract suite skipped for want of a server fails.
@Suite struct PostgreSQLPresenceTests {
    @Test func theServerIsThereWhereItIsRequired() {
        let required = ProcessInfo.processInfo.environment["HELPDESK_REQUIRE_POSTGRES"] == "1"
        #expect(!required || StoreEngine.postgresURL != nil, "HELPDESK_REQUIRE_POSTGRES=1 but HELPDESK_TEST_POSTGRES is not set: the PostgreSQL contract suite would be skipped")
    }
}
