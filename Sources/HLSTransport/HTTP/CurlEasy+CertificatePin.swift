internal import CCurl
internal import CCurlTLS
import HLSCore

/// Certificate-fingerprint pinning on a handle (the C side is `CCurlTLS`; the reasoning is in
/// docs/adr/0013-certificate-fingerprint-pinning.md).
extension CurlEasy {
    /// Makes every new TLS connection of this transfer refuse, during the handshake, a server
    /// whose certificate's SHA-256 is not `fingerprint`; with `verifyChain` the chain must also
    /// verify against the CAs curl loads. Call after `reset()`, once per transfer: it forgets the
    /// previous transfer's refusal.
    func pinCertificate(_ fingerprint: CertificateFingerprint, verifyChain: Bool) throws(HLSError) {
        if certificatePin == nil { certificatePin = hlsh_curl_cert_pin_create() }
        guard let pin = certificatePin else {
            throw HLSError(.failed, "cannot set up the certificate fingerprint check: out of memory")
        }
        let result = fingerprint.bytes.withUnsafeBufferPointer {
            hlsh_curl_pin_certificate_sha256(handle, pin, $0.baseAddress, verifyChain ? 1 : 0)
        }
        let code = CURLcode(rawValue: UInt32(bitPattern: result))
        if code == CURLE_NOT_BUILT_IN {
            let backend = hlsh_curl_ssl_version().map { String(cString: $0) }
            throw HLSError(
                .failed,
                "certificate fingerprint pinning needs libcurl with OpenSSL, and this libcurl uses "
                    + (backend ?? "no TLS library"),
                hint: "trust the server's CA with caFile, or pin its public key (sha256//…) instead")
        }
        try check(code, CURLOPT_SSL_CTX_FUNCTION)
        // A resumed TLS session skips the certificate and so the check: every new connection
        // does a full handshake. (Reusing an open connection is fine: it was checked when made.)
        try set(CURLOPT_SSL_SESSIONID_CACHE, false)
    }

    /// The fingerprint of the certificate the pin refused during the current transfer, if any.
    var refusedCertificate: CertificateFingerprint? {
        guard let pin = certificatePin else { return nil }
        var presented = [UInt8](repeating: 0, count: 32)
        let refused = presented.withUnsafeMutableBufferPointer { hlsh_curl_cert_pin_refusal(pin, $0.baseAddress) }
        return refused == 1 ? CertificateFingerprint(bytes: presented) : nil
    }
}
