import CPostgreSQL
import Foundation
import HelpdeskCore
import StoreSQL

/// One libpq connection with its prepared statements. Not thread-safe: the store owns it behind a
/// mutex. SQL is written with `?` placeholders, numbered here; every statement is prepared once
/// per connection and run with its values as text.
final class PGConnection: RecordDatabase {
    private(set) var handle: OpaquePointer
    /// libpq, opened by the first connection.
    let pq: LibPQ
    /// Where, for messages (never with a password).
    let location: String
    private var prepared: [String: String] = [:]
    /// How long an answer may take; past it the connection is given up as lost (a network that
    /// stalls without closing would otherwise hold every caller of the store).
    var answerTimeout: TimeInterval
    /// Set when an answer did not come: the connection is in no known state and is made again.
    private var abandoned = false

    /// Connects with libpq's keywords (the URL is `dbname`, expanded); a password, if any, comes
    /// from a file, never from the URL or a command line.
    init(url: String, password: String?, location: String, answerTimeout: TimeInterval = 30) throws(StoreError) {
        self.location = location
        self.answerTimeout = answerTimeout
        let pq = try LibPQ.load(for: location)
        self.pq = pq
        // Over TCP, a peer that vanished is noticed in under a minute, not the system's two hours.
        var keywords = ["dbname", "application_name", "connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout"]
        // Connecting may take as long as an answer, within libpq's 2 s and the usual 10 s.
        let connectTimeout = String(Int(min(10, max(2, answerTimeout))))
        var values = [url, "helpdesk", connectTimeout, "1", "15", "5", "3", "30000"]
        if let password {
            keywords.append("password")
            values.append(password)
        }
        let connection = Self.connect(keywords: keywords, values: values, with: pq)
        guard let connection, pq.status(connection) == CONNECTION_OK else {
            let reason = connection.map { Self.text(pq.errorMessage($0)) } ?? "out of memory"
            if let connection { pq.finish(connection) }
            throw .cannotOpen(path: location, reason: Self.firstLine(reason))
        }
        handle = connection
        // Notices (a trigger's RAISE NOTICE, "already exists, skipping") are not for the terminal.
        _ = pq.setNoticeProcessor(handle, { _, _ in }, nil)
        try limitSession()
    }

    /// The server ends a statement that runs past the answer timeout, and a session left idle
    /// in a transaction (a client that stopped mid-way) after a minute.
    private func limitSession() throws(StoreError) {
        do {
            try execute("SET statement_timeout = '\(Int(answerTimeout))s'; SET idle_in_transaction_session_timeout = '60s'")
        } catch {
            throw error.storeError(location: location)
        }
    }

    deinit { pq.finish(handle) }

    private static func connect(keywords: [String], values: [String], with pq: LibPQ) -> OpaquePointer? {
        let keywordPointers = keywords.map { strdup($0) } + [nil]
        let valuePointers = values.map { strdup($0) } + [nil]
        defer {
            keywordPointers.forEach { free($0) }
            valuePointers.forEach { free($0) }
        }
        return keywordPointers.map { UnsafePointer($0) }.withUnsafeBufferPointer { keys in
            valuePointers.map { UnsafePointer($0) }.withUnsafeBufferPointer { vals in
                pq.connectdbParams(keys.baseAddress, vals.baseAddress, 1)
            }
        }
    }

    /// True while the connection to the server is up.
    var isUp: Bool { !abandoned && pq.status(handle) == CONNECTION_OK }

    /// Connects again after the server went away; prepared statements are gone with the old session.
    func reconnect() throws(StoreError) {
        pq.reset(handle)
        prepared = [:]
        abandoned = false
        guard isUp else { throw .cannotOpen(path: location, reason: Self.firstLine(Self.text(pq.errorMessage(handle)))) }
        do {
            try limitSession()
        } catch {
            abandon()
            throw error
        }
    }

    /// The socket, to wait for notifications on.
    var socket: Int32 { pq.socket(handle) }

    // MARK: Statements

    /// Runs SQL with no values (one or more statements).
    func execute(_ sql: String) throws(PGError) {
        let result = try exchange { pq.sendQuery(handle, sql) }
        defer { pq.clear(result) }
        try check(result)
    }

    func query<T>(_ sql: String, _ values: [SQLValue], _ map: (PGRow) throws -> T) throws -> [T] {
        try query(sql, values, until: { _ in false }, map)
    }

    func query<T>(_ sql: String, _ values: [SQLValue], until enough: (T) -> Bool, _ map: (PGRow) throws -> T) throws -> [T] {
        let result = try run(sql, values)
        defer { pq.clear(result) }
        let count = pq.ntuples(result)
        var rows: [T] = []
        rows.reserveCapacity(Int(count))
        for index in 0..<count {
            let row = try map(PGRow(pq: pq, result: result, index: index))
            rows.append(row)
            if enough(row) { break }
        }
        return rows
    }

    func change(_ sql: String, _ values: [SQLValue]) throws -> Int {
        let result = try run(sql, values)
        defer { pq.clear(result) }
        return Int(Self.text(pq.cmdTuples(result))) ?? 0
    }

    func insert(_ sql: String, _ values: [SQLValue]) throws -> Int64 {
        guard let id = try scalar(sql + " RETURNING id", values) else { throw StoreError.failed("an insert returned no id (\(location))") }
        return id
    }

    func scalar(_ sql: String, _ values: [SQLValue]) throws -> Int64? {
        try query(sql, values) { row in row.isNull(0) ? nil : row.int64(0) }.first ?? nil
    }

    /// Appends wait for the timeline's lock: taken by the first append of a transaction and held
    /// to its end, so ids are handed out in commit order (a sequence alone hands them out in the
    /// order transactions ask, and a reader could see id 101 before 100 is committed).
    func lockTimelineForAppend() throws {
        guard !timelineLocked else { return }
        // An advisory lock, so the store's role needs no right to change the events table.
        try execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.helpdesk_timeline'))")
        timelineLocked = true
    }

    /// Whether this transaction holds the timeline's lock; the store clears it when a transaction ends.
    var timelineLocked = false

    let dialect = SQLDialect(
        greatest: { "GREATEST(\($0), \($1))" }, jsonField: { "(\($0)::jsonb ->> '\($1)')" }, approverOrder: "id",
        wellFormedDetails: "CASE WHEN left(e.details, 1) = '{' AND strpos(e.details, chr(10)) = 0 AND strpos(e.details, chr(13)) = 0 THEN 1 ELSE 0 END",
        timeIndexHint: "")

    /// Prepares (once) and runs a statement; the result is the caller's to clear.
    private func run(_ sql: String, _ values: [SQLValue]) throws -> OpaquePointer {
        let name = try statementName(sql, values)
        var texts: [UnsafeMutablePointer<CChar>?] = []
        texts.reserveCapacity(values.count)
        defer { texts.forEach { free($0) } }
        for value in values {
            switch value {
            case .integer(let number): texts.append(strdup(String(number)))
            case .text(let text):
                // Text goes as a C string: a NUL would cut it short without a word.
                guard !text.utf8.contains(0) else { throw StoreError.refused("text with a NUL character cannot be stored") }
                texts.append(strdup(text))
            case .null: texts.append(nil)
            }
        }
        let pointers = texts.map { UnsafePointer($0) }
        let result = try exchange {
            pointers.withUnsafeBufferPointer { pq.sendQueryPrepared(handle, name, Int32(values.count), $0.baseAddress, nil, nil, 0) }
        }
        do {
            try check(result)
        } catch {
            pq.clear(result)
            // A spoiled transaction or a lost connection is the store's to handle; the rest is the caller's.
            if error.isRetryable || error.isConnectionLost { throw error }
            throw error.storeError(location: location)
        }
        return result
    }

    /// The prepared statement for `sql`, prepared with the value types of its first use.
    private func statementName(_ sql: String, _ values: [SQLValue]) throws(PGError) -> String {
        if let name = prepared[sql] { return name }
        let name = "s\(prepared.count)"
        let types: [Oid] = values.map { value in
            switch value {
            case .integer: 20 // int8
            case .text: 25 // text
            case .null: 0 // from the context
            }
        }
        let numbered = Self.numbered(sql)
        let result = try exchange { types.withUnsafeBufferPointer { pq.sendPrepare(handle, name, numbered, Int32(values.count), $0.baseAddress) } }
        defer { pq.clear(result) }
        try check(result)
        prepared[sql] = name
        return name
    }

    /// `?` placeholders as `$1`, `$2`…, outside quoted text.
    static func numbered(_ sql: String) -> String {
        var output = ""
        output.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var quoted = false
        for character in sql {
            if character == "'" { quoted.toggle() }
            if character == "?" && !quoted {
                number += 1
                output += "$\(number)"
            } else {
                output.append(character)
            }
        }
        return output
    }

    /// Sends with `send`, then reads every result within `answerTimeout`: the first error, or
    /// else the last result (the caller's to clear).
    private func exchange(_ send: () -> Int32) throws(PGError) -> OpaquePointer {
        guard !abandoned, send() == 1 else { throw .connectionLost(lastError) }
        // A little longer than the server's statement timeout, so a statement that runs too
        // long is ended by the server (and said so) before the connection is given up.
        let deadline = Date().addingTimeInterval(answerTimeout + min(5, answerTimeout))
        while true {
            let flushed = pq.flush(handle)
            if flushed == 0 { break }
            if flushed < 0 { throw .connectionLost(lastError) }
            try wait(for: Int16(POLLIN | POLLOUT), until: deadline)
            if pq.consumeInput(handle) == 0 { throw .connectionLost(lastError) }
        }
        var kept: OpaquePointer?
        while true {
            while pq.isBusy(handle) == 1 {
                try wait(for: Int16(POLLIN), until: deadline)
                if pq.consumeInput(handle) == 0 { throw .connectionLost(lastError) }
            }
            guard let result = pq.getResult(handle) else { break }
            if let current = kept, isError(current) {
                pq.clear(result)
            } else {
                if let current = kept { pq.clear(current) }
                kept = result
            }
        }
        guard let kept else { throw .connectionLost(lastError) }
        return kept
    }

    /// Waits until the socket is ready (at most a second at a time); past the deadline the
    /// connection is given up.
    private func wait(for events: Int16, until deadline: Date) throws(PGError) {
        let remaining = deadline.timeIntervalSinceNow
        guard remaining > 0 else {
            abandoned = true
            throw .noAnswer("the database did not answer within \(Int(answerTimeout)) s")
        }
        var descriptor = pollfd(fd: pq.socket(handle), events: events, revents: 0)
        if poll(&descriptor, 1, Int32(min(remaining, 1) * 1000)) < 0 && errno != EINTR {
            abandoned = true
            throw .connectionLost(String(cString: strerror(errno)))
        }
    }

    /// Gives the connection up: the next use connects again.
    func abandon() { abandoned = true }

    private var lastError: String { Self.firstLine(Self.text(pq.errorMessage(handle))) }

    private func isError(_ result: OpaquePointer) -> Bool {
        let status = pq.resultStatus(result)
        return status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR
    }

    private func check(_ result: OpaquePointer) throws(PGError) {
        switch pq.resultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY: return
        default:
            let state = field(result, "C") ?? ""
            let message = field(result, "M") ?? Self.firstLine(Self.text(pq.errorMessage(handle)))
            if !isUp || state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03" {
                throw .connectionLost(message)
            }
            throw .server(state: state, message: message)
        }
    }

    private func field(_ result: OpaquePointer, _ code: Character) -> String? {
        pq.resultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
    }

    static func text(_ pointer: UnsafePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    static func firstLine(_ text: String) -> String {
        text.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? text
    }
}

/// What the server or the connection said, before the store decides whether to run the
/// transaction again or tell the caller.
enum PGError: Error {
    case connectionLost(String)
    /// No answer within the answer timeout: the connection was given up.
    case noAnswer(String)
    case server(state: String, message: String)

    /// Serialization failure or deadlock: the transaction can run again from the start.
    var isRetryable: Bool {
        if case .server(let state, _) = self { return state == "40001" || state == "40P01" }
        return false
    }

    /// The connection is gone (closed, or given up for want of an answer).
    var isConnectionLost: Bool {
        switch self {
        case .connectionLost, .noAnswer: true
        case .server: false
        }
    }

    var isNoAnswer: Bool {
        if case .noAnswer = self { return true }
        return false
    }

    /// As the store reports it.
    func storeError(location: String) -> StoreError {
        switch self {
        case .connectionLost(let message): return .cannotOpen(path: location, reason: "the connection was lost (\(message))")
        case .noAnswer(let message): return .failed("\(message) (\(location)); it is connected to again on the next try")
        case .server(let state, let message):
            // Integrity violations and the schema's triggers (RAISE) are refusals.
            if state.hasPrefix("23") || state == "P0001" { return .refused(message) }
            if state == "42501" { return .failed("\(message): the store's database role lacks a privilege on \(location); grant it, or let the role own the store's schema") }
            if state == "25006" { return .failed("\(location) takes no writes (a standby server?); point store.url at the primary") }
            return .failed("\(message) (\(location), SQLSTATE \(state))")
        }
    }
}

/// One row of a result, read as text.
struct PGRow: StoreRow {
    let pq: LibPQ
    let result: OpaquePointer
    let index: Int32

    func isNull(_ column: Int32) -> Bool { pq.getisnull(result, index, column) == 1 }

    func int64(_ column: Int32) -> Int64 {
        guard let value = pq.getvalue(result, index, column) else { return 0 }
        return strtoll(value, nil, 10)
    }

    func text(_ column: Int32) -> String {
        guard let value = pq.getvalue(result, index, column) else { return "" }
        let count = Int(pq.getlength(result, index, column))
        return value.withMemoryRebound(to: UInt8.self, capacity: count) { String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self) }
    }
}
