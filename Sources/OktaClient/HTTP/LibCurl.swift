import CCurl
import HelpdeskCore

/// libcurl's functions, from the library opened the first time Okta is called. Linked to the
/// program, libcurl and the thirty libraries it needs were loaded by every run, consoles and
/// commands that never call Okta included (every client of `helpdesk serve`): about a third of
/// the time from `exec` to a console's first frame.
struct LibCurl: @unchecked Sendable {
    // C functions: addresses in a library that stays open, with nothing of their own to share.
    let easyInit: helpdesk_curl_easy_init_fn
    let easyCleanup: helpdesk_curl_easy_cleanup_fn
    let easyReset: helpdesk_curl_easy_reset_fn
    let easyPerform: helpdesk_curl_easy_perform_fn
    let easyStrerror: helpdesk_curl_easy_strerror_fn
    let slistAppend: helpdesk_curl_slist_append_fn
    let slistFreeAll: helpdesk_curl_slist_free_all_fn
    /// The variadic `curl_easy_setopt` and `curl_easy_getinfo`, for the shim's typed wrappers.
    let setopt: UnsafeMutableRawPointer
    let getinfo: UnsafeMutableRawPointer

    private static let opened = KeptOnSuccess<LibCurl>()

    /// The library, opened and initialized by the first call that succeeds.
    static func open() throws(SharedLibraryFailure) -> LibCurl {
        try opened.value { () throws(SharedLibraryFailure) -> LibCurl in
            let library = try SharedLibrary("libcurl.so.4")
            let initialize = try library.function("curl_global_init", as: helpdesk_curl_global_init_fn.self)
            let curl = try LibCurl(library)
            guard initialize(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK else {
                throw SharedLibraryFailure(library: library.name, reason: "curl_global_init failed")
            }
            return curl
        }
    }

    private init(_ library: SharedLibrary) throws(SharedLibraryFailure) {
        easyInit = try library.function("curl_easy_init", as: helpdesk_curl_easy_init_fn.self)
        easyCleanup = try library.function("curl_easy_cleanup", as: helpdesk_curl_easy_cleanup_fn.self)
        easyReset = try library.function("curl_easy_reset", as: helpdesk_curl_easy_reset_fn.self)
        easyPerform = try library.function("curl_easy_perform", as: helpdesk_curl_easy_perform_fn.self)
        easyStrerror = try library.function("curl_easy_strerror", as: helpdesk_curl_easy_strerror_fn.self)
        slistAppend = try library.function("curl_slist_append", as: helpdesk_curl_slist_append_fn.self)
        slistFreeAll = try library.function("curl_slist_free_all", as: helpdesk_curl_slist_free_all_fn.self)
        setopt = try library.function("curl_easy_setopt", as: UnsafeMutableRawPointer.self)
        getinfo = try library.function("curl_easy_getinfo", as: UnsafeMutableRawPointer.self)
    }
}
