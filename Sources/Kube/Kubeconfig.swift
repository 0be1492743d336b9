public import HLSCore
import HLSFormats
import HLSTransport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A kubeconfig file, edited as YAML (never by text replacement: k3sup's replace-every-`default`
/// also rewrites a namespace or a user called `default-admin`).
public struct Kubeconfig: Sendable, Equatable {
    public private(set) var document: Document

    /// Parses a kubeconfig; `source` names it in errors (a host's `/etc/rancher/k3s/k3s.yaml`).
    public init(yaml text: String, source: String) throws(HLSError) {
        let document = try YAMLCodec.decode(text, file: source)
        guard case .object = document, document["kind"] == .string("Config") || document["clusters"] != nil else {
            throw HLSError(
                .failed, "\(source) is not a kubeconfig (no `kind: Config`, no clusters)", at: .host(source))
        }
        self.document = document
    }

    /// An empty config, as `kubectl config view` shows for a missing file.
    public static var empty: Kubeconfig {
        Kubeconfig(
            document: .object([
                ("apiVersion", .string("v1")), ("kind", .string("Config")), ("preferences", .object([])),
                ("clusters", .array([])), ("contexts", .array([])), ("users", .array([])),
                ("current-context", .string("")),
            ]))
    }

    private init(document: Document) { self.document = document }

    public var yaml: String { YAMLCodec.encode(document) }

    /// The names in a section (`clusters`, `contexts`, `users`), in file order.
    public func names(_ section: String) -> [String] {
        entries(section).compactMap { entry in
            if case .string(let name)? = entry["name"] { return name }
            return nil
        }
    }

    public var currentContext: String? {
        if case .string(let name)? = document["current-context"], !name.isEmpty { return name }
        return nil
    }

    /// The API server URL of a cluster.
    public func server(ofCluster name: String) -> String? {
        guard let entry = entries("clusters").first(where: { $0["name"] == .string(name) }),
            case .string(let server)? = entry["cluster"]?["server"]
        else { return nil }
        return server
    }

    /// k3s's admin kubeconfig made the lab's: its one cluster, user and context all renamed to
    /// `name` (references included), the server set to `server`, and the context made current.
    /// - Throws: when the file does not have exactly one of each, as k3s writes it.
    public func forLab(named name: String, server: String, source: String) throws(HLSError) -> Kubeconfig {
        for section in ["clusters", "contexts", "users"] where entries(section).count != 1 {
            throw HLSError(
                .failed, "\(source) has \(entries(section).count) \(section), not 1 as k3s writes it",
                at: .host(source),
                hint: "is it the k3s admin kubeconfig (/etc/rancher/k3s/k3s.yaml)?")
        }
        var copy = self
        copy.updateEntries("clusters") { entry in
            entry = Self.setting(entry, "name", .string(name))
            let cluster = Self.setting(entry["cluster"] ?? .object([]), "server", .string(server))
            entry = Self.setting(entry, "cluster", cluster)
        }
        copy.updateEntries("users") { entry in entry = Self.setting(entry, "name", .string(name)) }
        copy.updateEntries("contexts") { entry in
            entry = Self.setting(entry, "name", .string(name))
            var context = entry["context"] ?? .object([])
            context = Self.setting(context, "cluster", .string(name))
            context = Self.setting(context, "user", .string(name))
            entry = Self.setting(entry, "context", context)
        }
        copy.document = Self.setting(copy.document, "current-context", .string(name))
        return copy
    }

    /// This config with `other`'s clusters, contexts and users added, replacing entries of the
    /// same name, and `other`'s current context made current. Everything else is kept.
    public func merging(_ other: Kubeconfig) -> Kubeconfig {
        var copy = self
        for section in ["clusters", "contexts", "users"] {
            let incoming = other.entries(section)
            let names = Set(incoming.compactMap { $0["name"] })
            var merged = entries(section).filter { !names.contains($0["name"] ?? .null) }
            merged.append(contentsOf: incoming)
            copy.document = Self.setting(copy.document, section, .array(merged))
        }
        if let current = other.currentContext {
            copy.document = Self.setting(copy.document, "current-context", .string(current))
        }
        return copy
    }

    private func entries(_ section: String) -> [Document] {
        if case .array(let items)? = document[section] { return items }
        return []
    }

    private mutating func updateEntries(_ section: String, _ body: (inout Document) -> Void) {
        var items = entries(section)
        for index in items.indices { body(&items[index]) }
        document = Self.setting(document, section, .array(items))
    }

    /// `object` with `key` set to `value`, in place if present, appended otherwise.
    private static func setting(_ object: Document, _ key: String, _ value: Document) -> Document {
        guard case .object(var pairs) = object else { return .object([(key, value)]) }
        if let index = pairs.firstIndex(where: { $0.key == key }) {
            pairs[index].value = value
        } else {
            pairs.append((key, value))
        }
        return .object(pairs)
    }
}
