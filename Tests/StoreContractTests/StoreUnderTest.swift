import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import PostgreSQLStore
@testable import SQLiteStore

/// The engines the contract suite runs on.
enum StoreEngine: String, Sendable, CustomStringConvertible {
    case sqlite
    case postgresql

    var description: String { rawValue }

    /// The PostgreSQL database the suite uses (`Tests/postgres-server start DIR` prints one), or nil.
    static var postgresURL: String? { TestPostgres.url }
}

/// A fresh, empty store of one engine: opened as often as a test needs (each open is another
/// connection, as another service would have), and reachable without the store's code, as a
/// person with the database's own tools would reach it.
final class StoreUnderTest: @unchecked Sendable {
    // Immutable after init; the folder and schema are removed once, in deinit.
    let engine: StoreEngine
    private let folder: TemporaryDirectory
    private let schema: String

    init(_ engine: StoreEngine) throws {
        self.engine = engine
        folder = TemporaryDirectory()
        schema = "contract_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        if engine == .postgresql {
            let admin = try Self.adminConnection()
            try admin.execute("CREATE SCHEMA \(schema)")
        }
    }

    deinit {
        if engine == .postgresql, let admin = try? Self.adminConnection() {
            try? admin.execute("DROP SCHEMA \(schema) CASCADE")
        }
    }

    /// Opens the store (migrating it the first time).
    func open() throws -> any RequestStore {
        switch engine {
        case .sqlite: return try SQLiteRequestStore(path: folder.file("contract.db"))
        case .postgresql: return try PostgreSQLRequestStore(url: url)
        }
    }

    /// Runs SQL on the store's database with the engine's own client, not the store.
    func raw(_ sql: String) throws {
        switch engine {
        case .sqlite:
            let db = try SQLiteConnection(path: folder.file("contract.db"))
            try db.execute(sql)
        case .postgresql:
            let db = try PGConnection(url: url, password: nil, location: "test")
            do { try db.execute(sql) } catch { throw error.storeError(location: "test") }
        }
    }

    private var url: String {
        let base = StoreEngine.postgresURL ?? ""
        return base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D" + schema
    }

    private static func adminConnection() throws -> PGConnection {
        guard let url = StoreEngine.postgresURL else { throw StoreError.failed("HELPDESK_TEST_POSTGRES is not set") }
        return try PGConnection(url: url, password: nil, location: "test")
    }
}
