// libcurl, loaded on first use (docs/adr/0016): each libcurl function hlsh calls is defined here
// as a stub that loads libcurl.so.4 once and calls the real function, so the binary does not
// need libcurl (and its ~30 dependencies) at start. The header is still libcurl's own.
#include "include/shim.h"

#include <hlsh_lazy_load.h>
#include <stdarg.h>
#include <stddef.h>

#if defined(__APPLE__)
#define LIBCURL_SONAME "libcurl.4.dylib"
#else
#define LIBCURL_SONAME "libcurl.so.4"
#endif

/// libcurl's entry points, the variadic functions and the header-list functions, whose stubs are
/// written out below. A libcurl call missing from these lists fails to link: add it.
#define LIBCURL_OWN_STUBS(X)                                                                                           \
    X(curl_global_init)                                                                                                \
    X(curl_version_info)                                                                                               \
    X(curl_easy_init)                                                                                                  \
    X(curl_multi_init)                                                                                                 \
    X(curl_easy_strerror)                                                                                              \
    X(curl_multi_strerror)                                                                                             \
    X(curl_slist_append)                                                                                               \
    X(curl_slist_free_all)                                                                                             \
    X(curl_easy_setopt)                                                                                                \
    X(curl_easy_getinfo)

/// libcurl's functions on a handle that return a value: X(return type, name, parameters, arguments).
#define LIBCURL_VALUE_FUNCTIONS(X)                                                                                     \
    X(CURLMcode, curl_multi_add_handle, (CURLM * multi, CURL *easy), (multi, easy))                                    \
    X(CURLMcode, curl_multi_remove_handle, (CURLM * multi, CURL *easy), (multi, easy))                                 \
    X(CURLMcode, curl_multi_perform, (CURLM * multi, int *running), (multi, running))                                  \
    X(CURLMcode, curl_multi_poll,                                                                                      \
      (CURLM * multi, struct curl_waitfd extra[], unsigned int count, int timeout, int *ready),                        \
      (multi, extra, count, timeout, ready))                                                                           \
    X(CURLMsg *, curl_multi_info_read, (CURLM * multi, int *queued), (multi, queued))                                  \
    X(CURLMcode, curl_multi_cleanup, (CURLM * multi), (multi))

/// libcurl's functions on a handle that return nothing.
#define LIBCURL_VOID_FUNCTIONS(X)                                                                                      \
    X(void, curl_easy_reset, (CURL * curl), (curl))                                                                    \
    X(void, curl_easy_cleanup, (CURL * curl), (curl))

// The table, the loader and the stubs of the value and void lists.
HLSH_LAZY_DEFINE(LIBCURL_SONAME, "libcurl4", 0, LIBCURL_OWN_STUBS, LIBCURL_VALUE_FUNCTIONS, LIBCURL_VOID_FUNCTIONS)

static const char libcurl_missing[] = "libcurl (" LIBCURL_SONAME ") could not be loaded";

// MARK: Entry points: a defined error when libcurl is missing

HLSH_LAZY_STUB CURLcode curl_global_init(long flags) {
    return lazy_loaded() ? lazy_functions.curl_global_init(flags) : CURLE_FAILED_INIT;
}

HLSH_LAZY_STUB curl_version_info_data *curl_version_info(CURLversion age) {
    return lazy_loaded() ? lazy_functions.curl_version_info(age) : NULL;
}

HLSH_LAZY_STUB CURL *curl_easy_init(void) { return lazy_loaded() ? lazy_functions.curl_easy_init() : NULL; }

HLSH_LAZY_STUB CURLM *curl_multi_init(void) { return lazy_loaded() ? lazy_functions.curl_multi_init() : NULL; }

HLSH_LAZY_STUB const char *curl_easy_strerror(CURLcode code) {
    return lazy_loaded() ? lazy_functions.curl_easy_strerror(code) : libcurl_missing;
}

HLSH_LAZY_STUB const char *curl_multi_strerror(CURLMcode code) {
    return lazy_loaded() ? lazy_functions.curl_multi_strerror(code) : libcurl_missing;
}

/// A header list may be built before the first handle: NULL (out of memory) without libcurl.
HLSH_LAZY_STUB struct curl_slist *curl_slist_append(struct curl_slist *list, const char *data) {
    return lazy_loaded() ? lazy_functions.curl_slist_append(list, data) : NULL;
}

/// Without libcurl no list was made, so there is nothing to free.
HLSH_LAZY_STUB void curl_slist_free_all(struct curl_slist *list) {
    if (lazy_loaded()) lazy_functions.curl_slist_free_all(list);
}

// MARK: Variadic options, dispatched on the option's type as libcurl's own curl_easy_setopt does

/// Reads the one argument after `option` with the type its CURLOPTTYPE_* range says
/// (long, object pointer, function pointer, curl_off_t, blob pointer) and passes it on.
HLSH_LAZY_STUB CURLcode(curl_easy_setopt)(CURL *curl, CURLoption option, ...) {
    CURLcode (*const setopt)(CURL *, CURLoption, ...) = lazy_api("curl_easy_setopt")->curl_easy_setopt;
    va_list arguments;
    va_start(arguments, option);
    CURLcode result;
    if (option < CURLOPTTYPE_OBJECTPOINT) {
        result = setopt(curl, option, va_arg(arguments, long));
    } else if (option < CURLOPTTYPE_FUNCTIONPOINT) {
        result = setopt(curl, option, va_arg(arguments, void *));
    } else if (option < CURLOPTTYPE_OFF_T) {
        result = setopt(curl, option, va_arg(arguments, void (*)(void)));
    } else if (option < CURLOPTTYPE_BLOB) {
        result = setopt(curl, option, va_arg(arguments, curl_off_t));
    } else {
        result = setopt(curl, option, va_arg(arguments, struct curl_blob *));
    }
    va_end(arguments);
    return result;
}

/// Every CURLINFO_* takes one pointer (to a long, double, char *, curl_off_t, …).
HLSH_LAZY_STUB CURLcode(curl_easy_getinfo)(CURL *curl, CURLINFO info, ...) {
    CURLcode (*const getinfo)(CURL *, CURLINFO, ...) = lazy_api("curl_easy_getinfo")->curl_easy_getinfo;
    va_list arguments;
    va_start(arguments, info);
    void *destination = va_arg(arguments, void *);
    va_end(arguments);
    return getinfo(curl, info, destination);
}
