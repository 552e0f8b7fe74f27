import HelpdeskCore

/// A connection inside a transaction, as the shared record statements need it. SQL is written
/// with `?` placeholders; an engine that numbers its parameters rewrites them.
public protocol RecordDatabase {
    associatedtype Row: StoreRow
    /// Runs a query and maps every row.
    func query<T>(_ sql: String, _ values: [SQLValue], _ map: (Row) throws -> T) throws -> [T]
    /// Like `query`, but stops reading once `enough` says so of the row just read.
    func query<T>(_ sql: String, _ values: [SQLValue], until enough: (T) -> Bool, _ map: (Row) throws -> T) throws -> [T]
    /// Runs a statement; how many rows it changed.
    func change(_ sql: String, _ values: [SQLValue]) throws -> Int
    /// Runs an INSERT into a table with an `id` column; the new row's id.
    func insert(_ sql: String, _ values: [SQLValue]) throws -> Int64
    /// The first column of the first row, as an integer.
    func scalar(_ sql: String, _ values: [SQLValue]) throws -> Int64?
    /// Called before an event is appended: until this transaction ends, no other may append, so
    /// event ids grow in the order transactions commit (a reader that saw id n has seen every
    /// event below it).
    func lockTimelineForAppend() throws
    /// The few expressions the engines spell differently.
    var dialect: SQLDialect { get }
}

/// SQL the two engines write differently; everything else the record statements share.
public struct SQLDialect: Sendable {
    /// The larger of two values: `max(a, b)` on SQLite, `GREATEST(a, b)` on PostgreSQL.
    public let greatest: @Sendable (String, String) -> String
    /// A top-level text field of a JSON text column.
    public let jsonField: @Sendable (_ column: String, _ key: String) -> String
    /// The column that orders an approval's approvers as they were written.
    public let approverOrder: String
    /// 1 when `e.details` is one JSON object on one line, else 0.
    public let wellFormedDetails: String
    /// What makes a look-up of events by time use the time index (empty when the planner picks it).
    public let timeIndexHint: String

    public init(greatest: @escaping @Sendable (String, String) -> String, jsonField: @escaping @Sendable (String, String) -> String, approverOrder: String,
                wellFormedDetails: String, timeIndexHint: String) {
        self.greatest = greatest
        self.jsonField = jsonField
        self.approverOrder = approverOrder
        self.wellFormedDetails = wellFormedDetails
        self.timeIndexHint = timeIndexHint
    }
}
