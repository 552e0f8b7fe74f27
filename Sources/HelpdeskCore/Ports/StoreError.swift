/// Why the store refused or failed, with a sentence a person can act on.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case notFound(RequestID)
    case approvalNotFound(ApprovalID)
    /// Someone else changed the request since it was read.
    case conflict(RequestID, expected: Int, actual: Int)
    case notADatabase(path: String)
    /// A SQLite file whose pages do not hold together (cut short, overwritten in part).
    case damaged(path: String)
    case newerSchema(path: String, found: Int, supported: Int)
    case readOnly(path: String)
    case cannotOpen(path: String, reason: String)
    case busy(path: String)
    /// The database refused a change (a rule such as "events are append-only").
    case refused(String)
    case failed(String)

    public var description: String {
        switch self {
        case .notFound(let id): "no request \(id) in the store"
        case .approvalNotFound(let id): "no approval \(id) in the store"
        case .conflict(let id, let expected, let actual):
            "\(id) was changed by someone else (you had version \(expected), it is now \(actual)); reload it and try again"
        case .notADatabase(let path): "\(path) is not a helpdesk store (not a SQLite database); it was left untouched — check the store's path (--db, HELPDESK_DB, or store.path in the configuration)"
        case .damaged(let path):
            "the store \(path) is damaged (SQLite finds its pages inconsistent: cut short or overwritten in part); it was left untouched — "
                + "restore it from a backup, or save what can be read with the sqlite3 shell's .recover"
        case .newerSchema(let path, let found, let supported):
            "\(path) was written by a newer helpdesk (schema \(found), this build reads up to \(supported)); it was left untouched — upgrade helpdesk"
        case .readOnly(let path): "the store \(path) is read-only for you; ask an admin to add you to the store's group or fix the file's mode"
        case .cannotOpen(let path, let reason): "cannot open the store \(path): \(reason)"
        case .busy(let path): "the store \(path) stayed locked by another process; try again"
        case .refused(let message): "the store refused the change: \(message)"
        case .failed(let message): "store error: \(message)"
        }
    }
}
