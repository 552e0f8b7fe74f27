import CPostgreSQL
import Foundation

/// A PostgreSQL store's URL as libpq itself reads it: checked for secrets with libpq's parser
/// (a URL parser of another library splits `postgresql://x?:secret@host/db` elsewhere), and shown
/// in messages as the few settings that say where the store is.
public enum StoreURL {
    /// What is wrong with the URL, or nil. The URL is never repeated: it may hold a secret.
    public static func problem(_ url: String) -> String? {
        guard url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") else {
            return "expected a postgresql://USER@HOST[:PORT]/DATABASE URL"
        }
        let pq: LibPQ
        do {
            pq = try LibPQ.load()
        } catch {
            return "cannot be checked: \(error.reason)"
        }
        guard let settings = parse(url, with: pq) else {
            return "is not a URL PostgreSQL's client can read; expected postgresql://USER@HOST[:PORT]/DATABASE with parameters after ?"
        }
        if settings.contains(where: { $0.key.lowercased().contains("password") && !$0.value.isEmpty }) {
            return "holds a password; put it in a file readable only by helpdesk's user and name that file in store.passwordFile"
        }
        return nil
    }

    /// `postgresql://USER@HOST:PORT/DATABASE`, with the schema when the URL names one; no secret.
    public static func displayed(_ url: String) -> String {
        guard let pq = try? LibPQ.load(), let settings = parse(url, with: pq) else { return "the PostgreSQL store" }
        let user = settings["user"].map { $0 + "@" } ?? ""
        let host = settings["host"] ?? settings["hostaddr"] ?? ""
        let port = settings["port"].map { ":" + $0 } ?? ""
        let database = settings["dbname"] ?? ""
        let schema = settings["options"].flatMap(searchPath).map { " (schema \($0))" } ?? ""
        return "postgresql://\(user)\(host.hasPrefix("/") ? "" : host)\(port)/\(database)\(host.hasPrefix("/") ? " on \(host)" : "")\(schema)"
    }

    /// The settings libpq reads from the URL (only those given), or nil when it cannot read it.
    static func parse(_ url: String, with pq: LibPQ) -> [String: String]? {
        var message: UnsafeMutablePointer<CChar>?
        guard let options = pq.conninfoParse(url, &message) else {
            // libpq's message repeats the URL; it is not shown.
            if let message { pq.freemem(message) }
            return nil
        }
        defer { pq.conninfoFree(options) }
        var settings: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { settings[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        return settings
    }

    /// The search_path given in libpq's `options` (`-csearch_path=…` or `-c search_path=…`).
    private static func searchPath(_ options: String) -> String? {
        guard let range = options.range(of: "search_path=") else { return nil }
        return String(options[range.upperBound...].prefix { !$0.isWhitespace })
    }
}
