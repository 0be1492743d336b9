internal import CSSH2

/// Process-wide libssh2 setup. `libssh2_init` is not thread-safe and must run once before any
/// session exists; a static `let` gives a lazy, thread-safe once.
enum LibSSH2 {
    private static let initResult: Int32 = libssh2_init(0)

    /// Initializes libssh2 (and its crypto backend) on first use; cheap afterwards.
    static func ensureInitialized() -> Bool { initResult == 0 }
}
