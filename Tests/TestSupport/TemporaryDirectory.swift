import Foundation

/// A fresh directory, removed when the value is released, and in any case when the test process
/// exits: XCTest keeps every test-case object (and so its fields) until the whole run ends, so a
/// directory held by a test's field would otherwise outlive the run. Every directory lives under
/// one root per test process (`TemporaryDirectory.root`), which an `atexit` handler removes.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    /// `$TMPDIR/hlsh-tests.PID.XXXXXX`, made on first use and removed when the process exits.
    public static let root: String = {
        let base = FileManager.default.temporaryDirectory.path
        var template = Array("\(base)/hlsh-tests.\(getpid()).XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { return base }
        let root = String(cString: made)
        atexit { try? FileManager.default.removeItem(atPath: TemporaryDirectory.root) }
        return root
    }()

    public init(_ prefix: String = "hlsh-test") throws {
        let base = TemporaryDirectory.root
        var template = Array("\(base)/\(prefix).XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        path = String(cString: made)
    }

    public func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    public func write(_ name: String, _ contents: String, mode: Int = 0o644) throws -> String {
        let full = file(name)
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(toFile: full, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: full)
        return full
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
