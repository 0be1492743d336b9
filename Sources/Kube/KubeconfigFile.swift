public import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a kubeconfig goes and how it is written: `node kubeconfig --to PATH`, else the first path of
/// `$KUBECONFIG`, else `~/.kube/config` — as kubectl itself picks the file it writes to.
public struct KubeconfigFile: Sendable, Equatable {
    public let path: String

    public init(explicit: String?, environment: [String: String]) {
        if let explicit, !explicit.isEmpty {
            path = Self.expand(explicit, environment)
        } else if let list = environment["KUBECONFIG"], let first = list.split(separator: ":").first {
            path = Self.expand(String(first), environment)
        } else {
            path = Self.defaultPath(environment)
        }
    }

    /// `~/.kube/config`: where kubectl reads and writes when neither `--kubeconfig` nor
    /// `KUBECONFIG` says otherwise.
    static func defaultPath(_ environment: [String: String]) -> String {
        (environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path) + "/.kube/config"
    }

    /// The file's config, or nil when there is no file yet.
    public func read() throws(HLSError) -> Kubeconfig? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw HLSError.unreadable(path, "the kubeconfig", kind: .configuration, at: .host(path))
        }
        if text.trimmingWhitespace().isEmpty { return nil }
        return try Kubeconfig(yaml: text, source: path)
    }

    /// What the file would hold with `config` merged in, and whether that differs from now.
    public func merged(with config: Kubeconfig) throws(HLSError) -> (result: Kubeconfig, changes: Bool) {
        let current = try read()
        let result = (current ?? .empty).merging(config)
        return (result, result != current)
    }

    /// Writes `config` atomically with mode 0600 (it holds a client key), creating the directory.
    public func write(_ config: Kubeconfig) throws(HLSError) {
        try PrivateFile.write(config.yaml, to: path)
    }

    private static func expand(_ path: String, _ environment: [String: String]) -> String {
        guard path.hasPrefix("~/") else { return path }
        return (environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path) + path.dropFirst(1)
    }
}
