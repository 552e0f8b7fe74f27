import Foundation

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
