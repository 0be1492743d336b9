// OpenSSL, resolved on first use (docs/adr/0016): the OpenSSL functions cert_pin.c calls are
// stubs that call the real ones in the libssl (and, through it, libcrypto) that libcurl loaded.
// dlopen with RTLD_NOLOAD only finds that copy; it never loads one libcurl does not use.
#include "lazy_openssl.h"

#if __has_include(<openssl/ssl.h>)
#include <dlfcn.h>
#include <hlsh_lazy_load.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#define STRING(x) #x
#define EXPAND_STRING(x) STRING(x)
#if defined(OPENSSL_VERSION_MAJOR)
#define LIBSSL_SONAME "libssl.so." EXPAND_STRING(OPENSSL_VERSION_MAJOR)
#else
#define LIBSSL_SONAME "libssl.so.1.1"
#endif

/// The OpenSSL functions cert_pin.c calls that return a value; dlsym on libssl's handle also
/// finds libcrypto's, which libssl depends on.
#define OPENSSL_VALUE_FUNCTIONS(X)                                                                                     \
    X(unsigned long, OpenSSL_version_num, (void), ())                                                                  \
    X(const EVP_MD *, EVP_sha256, (void), ())                                                                          \
    X(int, X509_digest, (const X509 *certificate, const EVP_MD *type, unsigned char *digest, unsigned int *length),    \
      (certificate, type, digest, length))                                                                             \
    X(X509 *, X509_STORE_CTX_get0_cert, (const X509_STORE_CTX *store), (store))                                       \
    X(int, X509_verify_cert, (X509_STORE_CTX * store), (store))                                                        \
    X(int, CRYPTO_memcmp, (const void *a, const void *b, size_t length), (a, b, length))

/// The OpenSSL functions cert_pin.c calls that return nothing.
#define OPENSSL_VOID_FUNCTIONS(X)                                                                                      \
    X(void, X509_STORE_CTX_set_error, (X509_STORE_CTX * store, int error), (store, error))                             \
    X(void, SSL_CTX_set_verify, (SSL_CTX * context, int mode, SSL_verify_cb callback), (context, mode, callback))      \
    X(void, SSL_CTX_set_cert_verify_callback,                                                                          \
      (SSL_CTX * context, int (*callback)(X509_STORE_CTX *, void *), void *argument), (context, callback, argument))

// No package (quiet) and RTLD_NOLOAD: a libssl that is not loaded means libcurl uses another TLS
// library, which cert_pin.c reports as "not built in". cert_pin.c calls the functions only after
// hlsh_openssl_loaded said yes.
HLSH_LAZY_DEFINE(LIBSSL_SONAME, NULL, RTLD_NOLOAD, HLSH_LAZY_NONE, OPENSSL_VALUE_FUNCTIONS, OPENSSL_VOID_FUNCTIONS)

int hlsh_openssl_loaded(void) { return lazy_loaded(); }

#else

int hlsh_openssl_loaded(void) { return 0; }

#endif
