import Foundation
import HelpdeskCore
import PostgreSQLStore
import SQLiteStore

/// The PostgreSQL database tests may use: HELPDESK_TEST_POSTGRES, as `Tests/postgres-server start
/// DIR` prints it (CI starts one). Tests that need it are skipped without it.
public enum TestPostgres {
    public static var url: String? {
        ProcessInfo.processInfo.environment["HELPDESK_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The URL of a schema of its own in that database (the store creates it on first open).
    public static func scratchURL(_ prefix: String = "scratch") -> String? {
        guard let url else { return nil }
        let schema = prefix + "_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        return url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D" + schema
    }
}

/// The store core service tests run on: a SQLite file in the test's folder, or with
/// HELPDESK_TEST_STORE=postgresql (and a server, see `TestPostgres`) a schema of the test's own in
/// PostgreSQL. Opening it again for the same folder reaches the same store, as a second service.
public enum TestStore {
    public static var usesPostgreSQL: Bool {
        ProcessInfo.processInfo.environment["HELPDESK_TEST_STORE"] == "postgresql" && TestPostgres.url != nil
    }

    public static func open(in folder: TemporaryDirectory, _ name: String = "helpdesk.db") throws -> any RequestStore {
        guard usesPostgreSQL, let base = TestPostgres.url else { return try SQLiteRequestStore(path: folder.file(name)) }
        let key = (folder.path + "/" + name).unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.map(String.init).joined().lowercased()
        let schema = "core_" + String(key.suffix(40))
        return try PostgreSQLRequestStore(url: base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D" + schema)
    }
}
