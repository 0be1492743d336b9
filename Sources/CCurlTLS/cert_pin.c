#include "hlsh_curl_tls.h"
#include "lazy_openssl.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#if __has_include(<openssl/ssl.h>)
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#define HLSH_HAVE_OPENSSL 1
#else
#define HLSH_HAVE_OPENSSL 0
#endif

struct hlsh_curl_cert_pin {
    unsigned char expected[32];
    int verify_chain;
    /// Set by a refused handshake; cleared when the pin is (re)installed for a transfer.
    int refused;
    unsigned char presented[32];
};

hlsh_curl_cert_pin *hlsh_curl_cert_pin_create(void) { return calloc(1, sizeof(hlsh_curl_cert_pin)); }

void hlsh_curl_cert_pin_destroy(hlsh_curl_cert_pin *pin) { free(pin); }

int hlsh_curl_cert_pin_refusal(const hlsh_curl_cert_pin *pin, unsigned char presented[32]) {
    if (!pin || !pin->refused) return 0;
    memcpy(presented, pin->presented, 32);
    return 1;
}

#if HLSH_HAVE_OPENSSL

/// Replaces OpenSSL's chain verification (SSL_CTX_set_cert_verify_callback): the leaf must match
/// the pin; only then, and only if asked, is the chain verified as usual. Returning 0 under
/// SSL_VERIFY_PEER aborts the handshake with an alert.
static int verify_server_certificate(X509_STORE_CTX *store, void *arg) {
    hlsh_curl_cert_pin *pin = arg;
    X509 *leaf = X509_STORE_CTX_get0_cert(store);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!leaf || !X509_digest(leaf, EVP_sha256(), digest, &length) || length != 32) {
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    if (CRYPTO_memcmp(digest, pin->expected, 32) != 0) {
        memcpy(pin->presented, digest, 32);
        pin->refused = 1;
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    if (pin->verify_chain) return X509_verify_cert(store) > 0 ? 1 : 0;
    X509_STORE_CTX_set_error(store, X509_V_OK);
    return 1;
}

/// curl calls this for each new connection, after its own SSL_CTX_set_verify and before
/// SSL_new, so what is set here holds for the connection's one handshake.
static CURLcode install_pin(CURL *easy, void *ssl_ctx, void *arg) {
    (void)easy;
    SSL_CTX *context = ssl_ctx;
    // Whatever CURLOPT_SSL_VERIFYPEER says, a refusal below must abort the handshake: under
    // SSL_VERIFY_NONE OpenSSL would carry on after the callback said no.
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_cert_verify_callback(context, verify_server_certificate, arg);
    return CURLE_OK;
}

/// Whether libcurl's TLS backend is OpenSSL of the major version this file was built against,
/// loaded as the libssl whose functions this file calls (lazy_openssl.c), so the SSL_CTX curl
/// hands the callback is one those functions understand.
static int curl_uses_this_openssl(void) {
    const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    if (!info || !info->ssl_version) return 0;
    const char *prefix = "OpenSSL/";
    if (strncmp(info->ssl_version, prefix, strlen(prefix)) != 0) return 0;
    unsigned long major = strtoul(info->ssl_version + strlen(prefix), NULL, 10);
    return hlsh_openssl_loaded() && major == (OpenSSL_version_num() >> 28);
}

int hlsh_curl_pin_certificate_sha256(
    void *easy, hlsh_curl_cert_pin *pin, const unsigned char expected[32], int verify_chain) {
    if (!pin) return CURLE_BAD_FUNCTION_ARGUMENT;
    if (!curl_uses_this_openssl()) return CURLE_NOT_BUILT_IN;
    memcpy(pin->expected, expected, 32);
    pin->verify_chain = verify_chain != 0;
    pin->refused = 0;
    memset(pin->presented, 0, sizeof pin->presented);
    CURLcode rc = curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, install_pin);
    if (rc != CURLE_OK) return rc;
    return curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, (void *)pin);
}

#else

int hlsh_curl_pin_certificate_sha256(
    void *easy, hlsh_curl_cert_pin *pin, const unsigned char expected[32], int verify_chain) {
    (void)easy;
    (void)pin;
    (void)expected;
    (void)verify_chain;
    return CURLE_NOT_BUILT_IN;
}

#endif
