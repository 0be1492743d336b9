// Typed wrappers for libcurl's variadic curl_easy_setopt/curl_easy_getinfo, which Swift cannot
// call. Only HLSTransport imports this module, and only `internal`ly.
#ifndef HLSH_CCURL_SHIM_H
#define HLSH_CCURL_SHIM_H

#include <curl/curl.h>

typedef size_t (*hlsh_curl_data_fn)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*hlsh_curl_xferinfo_fn)(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
                                     curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode hlsh_curl_setopt_long(CURL *c, CURLoption o, long v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode hlsh_curl_setopt_off(CURL *c, CURLoption o, curl_off_t v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode hlsh_curl_setopt_string(CURL *c, CURLoption o, const char *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode hlsh_curl_setopt_pointer(CURL *c, CURLoption o, void *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode hlsh_curl_setopt_slist(CURL *c, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode hlsh_curl_setopt_write_function(CURL *c, hlsh_curl_data_fn f) {
    return curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, f);
}
static inline CURLcode hlsh_curl_setopt_header_function(CURL *c, hlsh_curl_data_fn f) {
    return curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, f);
}
static inline CURLcode hlsh_curl_setopt_read_function(CURL *c, hlsh_curl_data_fn f) {
    return curl_easy_setopt(c, CURLOPT_READFUNCTION, f);
}
/// Installs the progress callback and clears CURLOPT_NOPROGRESS, without which it is never called.
static inline CURLcode hlsh_curl_setopt_xferinfo_function(CURL *c, hlsh_curl_xferinfo_fn f) {
    CURLcode rc = curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, f);
    if (rc != CURLE_OK) return rc;
    return curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
}
/// Passes an in-memory blob (PEM CA bundle, client certificate or key); curl copies the bytes.
static inline CURLcode hlsh_curl_setopt_blob(CURL *c, CURLoption o, const void *data, size_t len) {
    struct curl_blob blob = { (void *)data, len, CURL_BLOB_COPY };
    return curl_easy_setopt(c, o, &blob);
}
/// libcurl's TLS library and version (`OpenSSL/3.0.19`), or NULL; CURLVERSION_NOW is a macro.
static inline const char *hlsh_curl_ssl_version(void) {
    const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    return info ? info->ssl_version : NULL;
}
static inline CURLcode hlsh_curl_getinfo_long(CURL *c, CURLINFO i, long *v) { return curl_easy_getinfo(c, i, v); }
static inline CURLcode hlsh_curl_getinfo_double(CURL *c, CURLINFO i, double *v) { return curl_easy_getinfo(c, i, v); }
static inline CURLcode hlsh_curl_getinfo_string(CURL *c, CURLINFO i, char **v) { return curl_easy_getinfo(c, i, v); }
/// The served chain as `CURLOPT_CERTINFO` collected it (curl owns it until the handle's next transfer).
static inline CURLcode hlsh_curl_getinfo_certinfo(CURL *c, struct curl_certinfo **v) {
    return curl_easy_getinfo(c, CURLINFO_CERTINFO, v);
}

#endif
