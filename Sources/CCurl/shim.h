#ifndef HELPDESK_CCURL_SHIM_H
#define HELPDESK_CCURL_SHIM_H
#include <curl/curl.h>
#include <sys/socket.h>

/* libcurl is opened when Okta is first called (OktaClient's LibCurl), not linked: nothing here
   names one of its functions, whose types are given instead. */
typedef __typeof__(&curl_global_init) helpdesk_curl_global_init_fn;
typedef __typeof__(&curl_easy_init) helpdesk_curl_easy_init_fn;
typedef __typeof__(&curl_easy_cleanup) helpdesk_curl_easy_cleanup_fn;
typedef __typeof__(&curl_easy_reset) helpdesk_curl_easy_reset_fn;
typedef __typeof__(&curl_easy_perform) helpdesk_curl_easy_perform_fn;
typedef __typeof__(&curl_easy_strerror) helpdesk_curl_easy_strerror_fn;
typedef __typeof__(&curl_slist_append) helpdesk_curl_slist_append_fn;
typedef __typeof__(&curl_slist_free_all) helpdesk_curl_slist_free_all_fn;

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: one typed
   wrapper per kind of value, given the function libcurl's library holds. */
typedef CURLcode (*helpdesk_curl_setopt_fn)(CURL *handle, CURLoption option, ...);
typedef CURLcode (*helpdesk_curl_getinfo_fn)(CURL *handle, CURLINFO info, ...);

static inline CURLcode helpdesk_curl_set_long(void *setopt, CURL *handle, CURLoption option, long value) {
    return ((helpdesk_curl_setopt_fn)setopt)(handle, option, value);
}
static inline CURLcode helpdesk_curl_set_string(void *setopt, CURL *handle, CURLoption option, const char *value) {
    return ((helpdesk_curl_setopt_fn)setopt)(handle, option, value);
}
static inline CURLcode helpdesk_curl_set_pointer(void *setopt, CURL *handle, CURLoption option, void *value) {
    return ((helpdesk_curl_setopt_fn)setopt)(handle, option, value);
}
static inline CURLcode helpdesk_curl_set_size(void *setopt, CURL *handle, CURLoption option, curl_off_t value) {
    return ((helpdesk_curl_setopt_fn)setopt)(handle, option, value);
}
typedef size_t (*helpdesk_curl_data_callback)(char *data, size_t size, size_t count, void *context);
static inline CURLcode helpdesk_curl_set_callback(void *setopt, CURL *handle, CURLoption option, helpdesk_curl_data_callback callback) {
    return ((helpdesk_curl_setopt_fn)setopt)(handle, option, callback);
}
/* Called by libcurl while a transfer runs (about once a second while it waits); non-zero stops it. */
typedef int (*helpdesk_curl_progress_callback)(void *context, curl_off_t download_total, curl_off_t downloaded,
                                               curl_off_t upload_total, curl_off_t uploaded);
static inline CURLcode helpdesk_curl_set_progress(void *setopt, CURL *handle, helpdesk_curl_progress_callback callback, void *context) {
    CURLcode code = ((helpdesk_curl_setopt_fn)setopt)(handle, CURLOPT_XFERINFOFUNCTION, callback);
    if (code == CURLE_OK) code = ((helpdesk_curl_setopt_fn)setopt)(handle, CURLOPT_XFERINFODATA, context);
    if (code == CURLE_OK) code = ((helpdesk_curl_setopt_fn)setopt)(handle, CURLOPT_NOPROGRESS, 0L);
    return code;
}
static inline CURLcode helpdesk_curl_get_long(void *getinfo, CURL *handle, CURLINFO info, long *value) {
    return ((helpdesk_curl_getinfo_fn)getinfo)(handle, info, value);
}

/* A socket whose close discards what it has not sent (SO_LINGER 0): a change abandoned at its
   timeout is not delivered by the kernel later. */
static int helpdesk_curl_discard_unsent(void *context, curl_socket_t socket, curlsocktype purpose) {
    (void)context;
    (void)purpose;
    struct linger linger = { 1, 0 };
    setsockopt(socket, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
    return CURL_SOCKOPT_OK;
}
static inline CURLcode helpdesk_curl_discard_unsent_on_close(void *setopt, CURL *handle) {
    return ((helpdesk_curl_setopt_fn)setopt)(handle, CURLOPT_SOCKOPTFUNCTION, helpdesk_curl_discard_unsent);
}

/* Cleanup does not wait for a resolver thread stuck on DNS (libcurl 7.87 and later). */
static inline CURLcode helpdesk_curl_quick_exit(void *setopt, CURL *handle) {
#if LIBCURL_VERSION_NUM >= 0x075700
    return ((helpdesk_curl_setopt_fn)setopt)(handle, CURLOPT_QUICK_EXIT, 1L);
#else
    (void)setopt;
    (void)handle;
    return CURLE_OK;
#endif
}
#endif
