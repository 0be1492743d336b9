// OpenSSL for cert_pin.c, taken from the copy libcurl already loaded (docs/adr/0016).
#ifndef HLSH_LAZY_OPENSSL_H
#define HLSH_LAZY_OPENSSL_H

/// Whether the OpenSSL this file was built against (libssl of the same major version) is already
/// loaded, which it is when libcurl uses it, and has every function cert_pin.c calls. Never
/// loads a second copy: a callback must work on the SSL_CTX of the OpenSSL libcurl uses.
int hlsh_openssl_loaded(void);

#endif
