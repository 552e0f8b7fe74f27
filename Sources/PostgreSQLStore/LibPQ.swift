import CPostgreSQL
import HelpdeskCore

/// libpq's functions, from the library opened the first time a PostgreSQL store is named. Linked
/// to the program, libpq and the libraries it needs were loaded by every run, on SQLite stores and
/// in every client of `helpdesk serve` too. Named as libpq names them, without the `PQ`.
struct LibPQ: @unchecked Sendable {
    // C functions: addresses in a library that stays open, with nothing of their own to share.
    let clear: helpdesk_PQclear_fn
    let cmdTuples: helpdesk_PQcmdTuples_fn
    let connectdbParams: helpdesk_PQconnectdbParams_fn
    let conninfoFree: helpdesk_PQconninfoFree_fn
    let conninfoParse: helpdesk_PQconninfoParse_fn
    let consumeInput: helpdesk_PQconsumeInput_fn
    let errorMessage: helpdesk_PQerrorMessage_fn
    let finish: helpdesk_PQfinish_fn
    let flush: helpdesk_PQflush_fn
    let freemem: helpdesk_PQfreemem_fn
    let getResult: helpdesk_PQgetResult_fn
    let getisnull: helpdesk_PQgetisnull_fn
    let getlength: helpdesk_PQgetlength_fn
    let getvalue: helpdesk_PQgetvalue_fn
    let isBusy: helpdesk_PQisBusy_fn
    let notifies: helpdesk_PQnotifies_fn
    let ntuples: helpdesk_PQntuples_fn
    let reset: helpdesk_PQreset_fn
    let resultErrorField: helpdesk_PQresultErrorField_fn
    let resultStatus: helpdesk_PQresultStatus_fn
    let sendPrepare: helpdesk_PQsendPrepare_fn
    let sendQuery: helpdesk_PQsendQuery_fn
    let sendQueryPrepared: helpdesk_PQsendQueryPrepared_fn
    let serverVersion: helpdesk_PQserverVersion_fn
    let setNoticeProcessor: helpdesk_PQsetNoticeProcessor_fn
    let socket: helpdesk_PQsocket_fn
    let status: helpdesk_PQstatus_fn

    private static let opened = KeptOnSuccess<LibPQ>()

    /// The library, opened by the first store that succeeds, or why it could not be opened, with
    /// what to install.
    static func load() throws(LibPQFailure) -> LibPQ {
        do {
            return try opened.value { () throws(SharedLibraryFailure) -> LibPQ in try LibPQ(SharedLibrary("libpq.so.5")) }
        } catch {
            throw LibPQFailure(reason: "\(error); PostgreSQL is reached through libpq (Debian: libpq5)")
        }
    }

    /// The library, or a store error that says what to install.
    static func load(for location: String) throws(StoreError) -> LibPQ {
        do {
            return try load()
        } catch {
            throw .cannotOpen(path: location, reason: error.reason)
        }
    }

    private init(_ library: SharedLibrary) throws(SharedLibraryFailure) {
        clear = try library.function("PQclear", as: helpdesk_PQclear_fn.self)
        cmdTuples = try library.function("PQcmdTuples", as: helpdesk_PQcmdTuples_fn.self)
        connectdbParams = try library.function("PQconnectdbParams", as: helpdesk_PQconnectdbParams_fn.self)
        conninfoFree = try library.function("PQconninfoFree", as: helpdesk_PQconninfoFree_fn.self)
        conninfoParse = try library.function("PQconninfoParse", as: helpdesk_PQconninfoParse_fn.self)
        consumeInput = try library.function("PQconsumeInput", as: helpdesk_PQconsumeInput_fn.self)
        errorMessage = try library.function("PQerrorMessage", as: helpdesk_PQerrorMessage_fn.self)
        finish = try library.function("PQfinish", as: helpdesk_PQfinish_fn.self)
        flush = try library.function("PQflush", as: helpdesk_PQflush_fn.self)
        freemem = try library.function("PQfreemem", as: helpdesk_PQfreemem_fn.self)
        getResult = try library.function("PQgetResult", as: helpdesk_PQgetResult_fn.self)
        getisnull = try library.function("PQgetisnull", as: helpdesk_PQgetisnull_fn.self)
        getlength = try library.function("PQgetlength", as: helpdesk_PQgetlength_fn.self)
        getvalue = try library.function("PQgetvalue", as: helpdesk_PQgetvalue_fn.self)
        isBusy = try library.function("PQisBusy", as: helpdesk_PQisBusy_fn.self)
        notifies = try library.function("PQnotifies", as: helpdesk_PQnotifies_fn.self)
        ntuples = try library.function("PQntuples", as: helpdesk_PQntuples_fn.self)
        reset = try library.function("PQreset", as: helpdesk_PQreset_fn.self)
        resultErrorField = try library.function("PQresultErrorField", as: helpdesk_PQresultErrorField_fn.self)
        resultStatus = try library.function("PQresultStatus", as: helpdesk_PQresultStatus_fn.self)
        sendPrepare = try library.function("PQsendPrepare", as: helpdesk_PQsendPrepare_fn.self)
        sendQuery = try library.function("PQsendQuery", as: helpdesk_PQsendQuery_fn.self)
        sendQueryPrepared = try library.function("PQsendQueryPrepared", as: helpdesk_PQsendQueryPrepared_fn.self)
        serverVersion = try library.function("PQserverVersion", as: helpdesk_PQserverVersion_fn.self)
        setNoticeProcessor = try library.function("PQsetNoticeProcessor", as: helpdesk_PQsetNoticeProcessor_fn.self)
        socket = try library.function("PQsocket", as: helpdesk_PQsocket_fn.self)
        status = try library.function("PQstatus", as: helpdesk_PQstatus_fn.self)
    }
}

/// libpq could not be opened: a sentence that says what to install.
struct LibPQFailure: Error {
    let reason: String
}
