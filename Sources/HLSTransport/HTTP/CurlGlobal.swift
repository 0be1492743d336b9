internal import CCurl
import HLSCore

/// libcurl's process-wide initialisation, run once: `curl_global_init` is not thread-safe, so
/// it lives in a global whose lazy initialiser Swift runs exactly once (under `swift_once`), on
/// whichever thread first needs a handle.
enum CurlGlobal {
    private static let initCode: UInt32 = curl_global_init(Int(CURL_GLOBAL_DEFAULT)).rawValue

    /// Initialises libcurl on first use; throws if that failed.
    static func ensureInitialized() throws(HLSError) {
        let code = initCode
        if code != CURLE_OK.rawValue {
            throw HLSError(
                .failed, "cannot initialise libcurl",
                cause: String(cString: curl_easy_strerror(CURLcode(rawValue: code))))
        }
    }
}
