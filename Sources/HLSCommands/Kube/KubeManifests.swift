import HLSCore
import HLSFormats
import Kube

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One document of the files `kube apply -f` reads, checked against the server: its object,
/// where it was written, and the type it is of.
struct KubeManifest: Sendable {
    var object: Document
    var at: SourceLocation
    var kind: String
    var name: String
    /// The namespace the object goes to; nil for a cluster-scoped type.
    var namespace: String?
    /// Nil when the type is not served yet (a CRD of the same files defines it).
    var resource: KubeResource?

    /// `Kind/name` or `Kind/namespace/name`, as the changes table names it.
    var target: String { namespace.map { "\(kind)/\($0)/\(name)" } ?? "\(kind)/\(name)" }

    var isNamespace: Bool { kind == "Namespace" && object["apiVersion"] == .string("v1") }
    var isCRD: Bool { kind == "CustomResourceDefinition" }
}

/// Reads and checks the documents of `kube apply -f FILE|DIR`, every one before any is applied.
enum KubeManifests {
    /// The files of `path`: the file itself, or a folder's `.yaml`, `.yml` and `.json` files by name.
    static func files(_ path: String) throws(HLSError) -> [String] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw HLSError.unreadable(path)
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [path] }
        let files = names.filter { [".yaml", ".yml", ".json"].contains(where: $0.hasSuffix) }.sorted()
        guard !files.isEmpty else { throw HLSError(.usage, "no .yaml, .yml or .json file in \(path)") }
        return files.map { path.hasSuffix("/") ? path + $0 : path + "/" + $0 }
    }

    /// Every document of `paths`, checked: YAML that parses, apiVersion, kind and
    /// metadata.name present, a type the server serves (or a CRD among the documents defines),
    /// a namespace that exists (or a Namespace among the documents creates). Every problem is
    /// reported together; nothing comes back unless all are right. Ordered for applying:
    /// Namespaces, then CRDs, then the rest as written.
    static func load(_ paths: [String], client: KubeClient, cancellation: Cancellation) throws(HLSError)
        -> [KubeManifest]
    {
        var problems: [HLSError] = []
        var parsed: [(Document, SourceLocation)] = []
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                problems.append(HLSError.unreadable(path))
                continue
            }
            do {
                parsed += try YAMLCodec.decodeAllLocated(String(decoding: data, as: UTF8.self), file: path)
                    .filter { $0.document != .null }.map { ($0.document, $0.at) }
            } catch {
                problems.append(error)
            }
        }
        let discovery = try client.discovery(cancellation: cancellation)
        let defined = definedTypes(parsed.map(\.0))
        var manifests: [KubeManifest] = []
        for (object, at) in parsed {
            do throws(HLSError) {
                manifests.append(try manifest(object, at: at, discovery: discovery, defined: defined, client: client))
            } catch {
                problems.append(error)
            }
        }
        let created = Set(manifests.filter(\.isNamespace).map(\.name))
        for namespace in Set(manifests.compactMap(\.namespace)).subtracting(created).sorted() {
            if try client.getIfPresent(.namespaces, namespace, cancellation: cancellation) == nil {
                let first = manifests.first { $0.namespace == namespace }!
                problems.append(
                    HLSError(
                        .usage, "\(first.target): namespace \(namespace) does not exist", at: .source(first.at),
                        hint: "create it first, or add a Namespace document to the files"))
            }
        }
        if var first = problems.first {
            first.others = Array(problems.dropFirst())
            first.hint = (first.hint.map { $0 + "; " } ?? "") + "nothing was applied"
            throw first
        }
        return manifests.filter(\.isNamespace) + manifests.filter(\.isCRD)
            + manifests.filter { !$0.isNamespace && !$0.isCRD }
    }

    /// One document checked against the server's types and the CRDs among the documents.
    static func manifest(
        _ object: Document, at: SourceLocation, discovery: KubeDiscovery, defined: [String: Bool], client: KubeClient
    ) throws(HLSError) -> KubeManifest {
        guard case .string(let apiVersion)? = object["apiVersion"], case .string(let kind)? = object["kind"] else {
            throw HLSError(.usage, "a document without apiVersion and kind", at: .source(at))
        }
        guard case .string(let name)? = object["metadata"]?["name"], !name.isEmpty else {
            throw HLSError(.usage, "\(kind) without metadata.name", at: .source(at))
        }
        var namespace: String?
        if case .string(let value)? = object["metadata"]?["namespace"], !value.isEmpty { namespace = value }
        let resource = discovery.resource(apiVersion: apiVersion, kind: kind)
        guard let namespaced = resource?.namespaced ?? defined["\(apiVersion) \(kind)"] else {
            let known = discovery.resources.filter { $0.kind.lowercased() == kind.lowercased() }.map(\.apiVersion)
            throw HLSError(
                .usage, "the server doesn't have kind \(kind) in \(apiVersion) (\(kind)/\(name))", at: .source(at),
                hint: known.isEmpty
                    ? "is its CustomResourceDefinition installed (or among the files)?"
                    : "it serves \(kind) as \(known.joined(separator: ", "))")
        }
        return KubeManifest(
            object: object, at: at, kind: kind, name: name,
            namespace: namespaced ? (namespace ?? client.endpoint.namespace) : nil, resource: resource)
    }

    /// The types the CRDs among `documents` define: `group/version Kind` → namespaced.
    static func definedTypes(_ documents: [Document]) -> [String: Bool] {
        var types: [String: Bool] = [:]
        for crd in documents where crd["kind"] == .string("CustomResourceDefinition") {
            guard case .string(let group)? = crd["spec"]?["group"],
                case .string(let kind)? = crd["spec"]?["names"]?["kind"],
                case .array(let versions)? = crd["spec"]?["versions"]
            else { continue }
            let namespaced = crd["spec"]?["scope"] != .string("Cluster")
            for version in versions {
                if case .string(let name)? = version["name"] { types["\(group)/\(name) \(kind)"] = namespaced }
            }
        }
        return types
    }
}
