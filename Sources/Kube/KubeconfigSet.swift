public import HLSCore
import HLSFormats

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The kubeconfig as kubectl sees it: every file of `KUBECONFIG` (or `--kubeconfig`, or
/// `~/.kube/config`) read and merged by kubectl's rules (client-go `clientcmd/loader.go`):
///
/// - `KUBECONFIG` is a `:`-separated list; empty items and repeats are dropped, and files that
///   do not exist are skipped. `--kubeconfig` names one file, which must exist.
/// - Clusters, users and contexts are merged by name: the first file to define a name wins, and
///   its entry is taken whole (entries are never merged field by field).
/// - `current-context` is the first non-empty one.
/// - Relative paths in an entry are resolved against the directory of the file that holds it.
/// - A file that cannot be read or parsed, or that names an entry twice, is an error.
public struct KubeconfigSet: Sendable {
    /// The files read, in precedence order.
    public private(set) var files: [String] = []
    /// Files named in `KUBECONFIG` that do not exist.
    public private(set) var missing: [String] = []
    public private(set) var currentContext: String?
    public private(set) var clusters: [String: KubeconfigCluster] = [:]
    public private(set) var users: [String: KubeconfigUser] = [:]
    public private(set) var contexts: [String: KubeconfigContext] = [:]
    /// Where `current-context` came from.
    public private(set) var currentContextFile: String?

    public init() {}

    /// Reads the kubeconfig kubectl would: `explicitPath` (`--kubeconfig`) if given, else the
    /// files of `KUBECONFIG`, else `~/.kube/config`.
    public static func load(environment: [String: String], explicitPath: String? = nil) throws(HLSError)
        -> KubeconfigSet
    {
        var set = KubeconfigSet()
        if let explicitPath, !explicitPath.isEmpty {
            guard let text = try read(explicitPath) else {
                throw HLSError(
                    .failed, "kubeconfig \(explicitPath) does not exist", at: .host(explicitPath),
                    hint: "write one with `node kubeconfig --output \(explicitPath)`")
            }
            try set.add(text, file: explicitPath)
            return set
        }
        var paths: [String] = []
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            for item in list.split(separator: ":").map(String.init) where !item.isEmpty && !paths.contains(item) {
                paths.append(item)
            }
        } else {
            paths = [KubeconfigFile.defaultPath(environment)]
        }
        for path in paths {
            guard let text = try read(path) else {
                set.missing.append(path)
                continue
            }
            try set.add(text, file: path)
        }
        return set
    }

    /// Merges one more file's text, below the files already added.
    public mutating func add(_ text: String, file: String) throws(HLSError) {
        files.append(file)
        let document: Document
        do {
            document = try YAMLCodec.decode(text, file: file)
        } catch {
            throw error.asKind(.configuration)
        }
        switch document {
        case .null: return
        case .object: break
        default:
            throw HLSError(
                .configuration, "\(file) is not a kubeconfig: its top level is not a mapping", at: .host(file))
        }
        if case .string(let kind)? = document["kind"], kind != "Config" {
            throw HLSError(
                .configuration, "\(file) is not a kubeconfig: kind is \(kind), not Config",
                at: .field(file: file, path: "kind"))
        }
        if currentContext == nil, case .string(let name)? = document["current-context"], !name.isEmpty {
            currentContext = name
            currentContextFile = file
        }
        for (name, block) in try Self.entries(document, "clusters", "cluster", file: file) where clusters[name] == nil {
            clusters[name] = try KubeconfigCluster(name: name, file: file, block: block)
        }
        for (name, block) in try Self.entries(document, "users", "user", file: file) where users[name] == nil {
            users[name] = try KubeconfigUser(name: name, file: file, block: block)
        }
        for (name, block) in try Self.entries(document, "contexts", "context", file: file) where contexts[name] == nil {
            contexts[name] = try KubeconfigContext(name: name, file: file, block: block)
        }
    }

    /// The `(name, block)` pairs of a section (`clusters` with blocks under `cluster`).
    private static func entries(
        _ document: Document, _ section: String, _ key: String, file: String
    ) throws(HLSError) -> [(String, Document?)] {
        let items: [Document]
        switch document[section] {
        case nil, .null?: return []
        case .array(let list)?: items = list
        default: throw HLSError(.configuration, "\(section) must be a list", at: .field(file: file, path: section))
        }
        var out: [(String, Document?)] = []
        for (index, item) in items.enumerated() {
            guard case .string(let name)? = item["name"], !name.isEmpty else {
                throw HLSError(
                    .configuration, "\(section)[\(index)] has no name",
                    at: .field(file: file, path: "\(section)[\(index)]"))
            }
            if out.contains(where: { $0.0 == name }) {
                throw HLSError(
                    .configuration, "\(section) names \(name) twice",
                    at: .field(file: file, path: "\(section)[\(index)]"),
                    hint: "each name may appear once per file")
            }
            out.append((name, item[key]))
        }
        return out
    }

    /// The file's text, nil when it does not exist.
    private static func read(_ path: String) throws(HLSError) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HLSError.unreadable(path, "the kubeconfig", kind: .configuration, at: .host(path))
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Where the kubeconfig was read from, for messages: `~/.kube/config`, `a:b`.
    public var origin: String {
        let all = files + missing
        return all.isEmpty ? "the kubeconfig" : all.joined(separator: ":")
    }
}
