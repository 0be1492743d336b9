// Certificate-fingerprint pinning for libcurl built with OpenSSL: an SSL_CTX callback that makes
// every new TLS connection's server certificate match a SHA-256 pin, as Proxmox VE's clients do
// for self-signed hosts. Only HLSTransport imports this module, and only `internal`ly.
#ifndef HLSH_CURL_TLS_H
#define HLSH_CURL_TLS_H

// No libcurl header here: CCurl's module owns it, and a second module including it would make
// its declarations ambiguous in Swift. Handles are `void *` and results are CURLcode values.

/// What one easy handle's pin check needs and what it saw: the expected SHA-256 and, after a
/// refusal, the fingerprint the server presented. Opaque; owned by the caller, who must keep it
/// until the easy handle and the multi handle holding its connections are cleaned up (pooled
/// connections keep a pointer to it in their SSL_CTX).
typedef struct hlsh_curl_cert_pin hlsh_curl_cert_pin;

/// A zeroed pin state, or NULL when out of memory.
hlsh_curl_cert_pin *hlsh_curl_cert_pin_create(void);
/// Frees `pin` (NULL is fine).
void hlsh_curl_cert_pin_destroy(hlsh_curl_cert_pin *pin);

/// Sets CURLOPT_SSL_CTX_FUNCTION/DATA on the CURL handle `easy` so that the handshake of every
/// new TLS connection fails, before any request byte is sent, unless the SHA-256 of the server's
/// leaf certificate (DER) equals `expected` (32 bytes, copied into `pin`). With `verify_chain`
/// the chain must also verify against the CAs curl loaded; without it the chain is not looked
/// at. The host name is curl's business (CURLOPT_SSL_VERIFYHOST). Forgets an earlier refusal.
///
/// Returns CURLE_NOT_BUILT_IN when libcurl's TLS backend is not the OpenSSL this module was
/// built against (the callback would get another library's SSL_CTX), else curl's setopt result.
int hlsh_curl_pin_certificate_sha256(
    void *easy, hlsh_curl_cert_pin *pin, const unsigned char expected[32], int verify_chain);

/// 1 when a handshake since the last hlsh_curl_pin_certificate_sha256 was refused because the
/// server's certificate did not match, with its SHA-256 copied to `presented` (32 bytes); else 0.
int hlsh_curl_cert_pin_refusal(const hlsh_curl_cert_pin *pin, unsigned char presented[32]);

#endif
