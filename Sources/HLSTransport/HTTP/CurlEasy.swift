internal import CCurl
internal import CCurlTLS
import HLSCore

/// One libcurl easy handle, plus the one-handle multi stack that drives it and keeps its
/// connection cache (so a handle that goes back to a pool keeps its open connections).
///
/// Transfers are driven with `curl_multi_poll` in short slices instead of `curl_easy_perform`,
/// so a cancellation is noticed within `pollInterval` even when the peer sends nothing (the
/// progress callback alone only runs about once a second on a stalled transfer).
///
/// Not thread-safe: one thread uses a handle at a time. It is `@unchecked Sendable` only so
/// `HTTPClient`'s pool can pass it between threads; the pool's mutex hands each handle to one
/// request at a time, and nothing keeps a reference after giving it back.
final class CurlEasy: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    private let multi: UnsafeMutableRawPointer
    /// CURLOPT_ERRORBUFFER: curl's own description of the last failure.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// The certificate pin's state (`hlsh_curl_cert_pin`), made on the first pinned transfer.
    /// Pooled connections keep a pointer to it, so it is freed only after the handles.
    var certificatePin: OpaquePointer?

    /// How long one `curl_multi_poll` waits at most, which bounds the cancellation latency.
    static let pollInterval: Int32 = 50

    init() throws(HLSError) {
        try CurlGlobal.ensureInitialized()
        guard let handle = curl_easy_init() else {
            throw HLSError(.failed, "cannot create a libcurl handle")
        }
        guard let multi = curl_multi_init() else {
            curl_easy_cleanup(handle)
            throw HLSError(.failed, "cannot create a libcurl multi handle")
        }
        self.handle = handle
        self.multi = multi
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_multi_cleanup(multi)
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
        hlsh_curl_cert_pin_destroy(certificatePin)
    }

    /// Clears every option (open connections, DNS and TLS session caches stay) and re-installs
    /// the error buffer.
    func reset() throws(HLSError) {
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
    }

    /// curl's description of the last failure: the error buffer, else the code's generic text.
    func errorText(for code: CURLcode) -> String {
        let buffered = String(cString: errorBuffer)
        return buffered.isEmpty ? String(cString: curl_easy_strerror(code)) : buffered
    }

    // MARK: Options

    func set(_ option: CURLoption, _ value: Int) throws(HLSError) {
        try check(hlsh_curl_setopt_long(handle, option, value), option)
    }

    func set(_ option: CURLoption, _ value: Bool) throws(HLSError) {
        try set(option, value ? 1 : 0)
    }

    /// Sets a string option (curl copies it); nil restores the option's default.
    func set(_ option: CURLoption, _ value: String?) throws(HLSError) {
        let code: CURLcode
        if let value {
            code = value.withCString { hlsh_curl_setopt_string(handle, option, $0) }
        } else {
            code = hlsh_curl_setopt_string(handle, option, nil)
        }
        try check(code, option)
    }

    func set(_ option: CURLoption, offset value: Int64) throws(HLSError) {
        try check(hlsh_curl_setopt_off(handle, option, curl_off_t(value)), option)
    }

    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) throws(HLSError) {
        try check(hlsh_curl_setopt_pointer(handle, option, value), option)
    }

    /// Sets a blob option (curl copies the bytes).
    func set(_ option: CURLoption, blob bytes: [UInt8]) throws(HLSError) {
        let code = bytes.withUnsafeBytes { hlsh_curl_setopt_blob(handle, option, $0.baseAddress, $0.count) }
        try check(code, option)
    }

    func check(_ code: CURLcode, _ option: CURLoption) throws(HLSError) {
        if code != CURLE_OK {
            throw HLSError(
                .failed, "cannot set up the HTTP request (libcurl option \(option.rawValue))",
                cause: String(cString: curl_easy_strerror(code)))
        }
    }

    // MARK: Info

    func info(long item: CURLINFO) -> Int {
        var value = 0
        _ = hlsh_curl_getinfo_long(handle, item, &value)
        return value
    }

    func info(double item: CURLINFO) -> Double {
        var value = 0.0
        _ = hlsh_curl_getinfo_double(handle, item, &value)
        return value
    }

    /// The chain the last transfer's server presented, leaf first (`CURLOPT_CERTINFO` must have
    /// been set); empty over plain HTTP or a reused connection.
    func certificates() -> [ServedCertificate] {
        var info: UnsafeMutablePointer<curl_certinfo>?
        guard hlsh_curl_getinfo_certinfo(handle, &info) == CURLE_OK, let info, let chain = info.pointee.certinfo
        else { return [] }
        return (0..<Int(info.pointee.num_of_certs)).map { index in
            var lines: [String] = []
            var item = chain[index]
            while let node = item {
                if let data = node.pointee.data { lines.append(String(cString: data)) }
                item = node.pointee.next
            }
            return ServedCertificate(lines: lines)
        }
    }

    // MARK: Transfer

    /// Runs the configured transfer to its end and returns curl's result. Returns
    /// `CURLE_ABORTED_BY_CALLBACK` as soon as `cancellation` is seen (from the progress callback
    /// or between polls).
    func perform(cancellation: Cancellation) -> CURLcode {
        errorBuffer[0] = 0
        guard curl_multi_add_handle(multi, handle) == CURLM_OK else { return CURLE_FAILED_INIT }
        defer { curl_multi_remove_handle(multi, handle) }
        var running: Int32 = 0
        while true {
            let status = curl_multi_perform(multi, &running)
            if status != CURLM_OK {
                writeError(String(cString: curl_multi_strerror(status)))
                return CURLE_FAILED_INIT
            }
            if running == 0 { break }
            if cancellation.isCancelled { return CURLE_ABORTED_BY_CALLBACK }
            _ = curl_multi_poll(multi, nil, 0, CurlEasy.pollInterval, nil)
        }
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            if message.pointee.msg == CURLMSG_DONE { return message.pointee.data.result }
        }
        return CURLE_FAILED_INIT
    }

    private func writeError(_ text: String) {
        let bytes = Array(text.utf8.prefix(Int(CURL_ERROR_SIZE) - 1))
        for (i, byte) in bytes.enumerated() { errorBuffer[i] = CChar(bitPattern: byte) }
        errorBuffer[bytes.count] = 0
    }
}
