import HLSCore
import HLSFormats

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The client side's own build of a Kustomization's path, as kustomize-controller builds it
/// and as `kubectl kustomize` does for what it supports: a folder's `kustomization.yaml`
/// (`resources` — files and folders, each folder built in turn —, `namespace`,
/// `commonAnnotations`, `labels` without selectors), or, when the folder has none, every
/// manifest under it (the controller's generated kustomization: `.yaml`/`.yml` files, and
/// subfolders with a kustomization of their own built as such). Any other field is refused by
/// name rather than ignored, so the build never quietly differs from the controller's.
enum KustomizeBuild {
    static let fileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"]
    static let supported: Set<String> = [
        "apiVersion", "kind", "resources", "namespace", "commonAnnotations", "labels",
    ]
    /// Kinds kustomize treats as cluster-scoped: its namespace transformer leaves them alone.
    static let clusterScoped: Set<String> = [
        "Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "PersistentVolume",
        "StorageClass", "PriorityClass", "IngressClass", "RuntimeClass", "CSIDriver", "CSINode", "Node",
        "APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
        "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "ClusterIssuer", "VolumeSnapshotClass",
    ]

    /// The objects the folder `path` builds to, with where each was written.
    static func build(_ path: String) throws(HLSError) -> [(document: Document, at: SourceLocation)] {
        var visiting: [String] = []
        return try build(path, visiting: &visiting)
    }

    private static func build(_ path: String, visiting: inout [String]) throws(HLSError) -> [(
        document: Document, at: SourceLocation
    )] {
        let folder = path.hasSuffix("/") ? String(path.dropLast()) : path
        guard isFolder(folder) else { throw HLSError.unreadable(folder, folder: true) }
        guard !visiting.contains(folder) else {
            throw HLSError(.usage, "kustomization cycle: \((visiting + [folder]).joined(separator: " -> "))")
        }
        visiting.append(folder)
        defer { visiting.removeLast() }
        guard let file = fileNames.map({ "\(folder)/\($0)" }).first(where: FileManager.default.fileExists) else {
            var out: [(document: Document, at: SourceLocation)] = []
            for entry in try generated(folder) {
                out += isFolder(entry) ? try build(entry, visiting: &visiting) : try manifests(entry)
            }
            return out
        }
        let text = try read(file)
        guard let kustomization = try YAMLCodec.decodeAllLocated(text, file: file).first?.document,
            case .object(let fields) = kustomization
        else {
            throw HLSError(.usage, "\(file) is empty")
        }
        // Where each field and entry was written, for errors that point at it.
        let located = try LocatedYAML.parseAll(text, file: file).first
        if let unknown = fields.map(\.key).first(where: { !supported.contains($0) }) {
            throw HLSError(
                .usage, "'\(unknown)' is not supported by hlsh's build",
                at: located?.keyLocation(unknown).map(Place.source),
                hint: unsupportedHint)
        }
        var out: [(document: Document, at: SourceLocation)] = []
        let entries = located?["resources"]?.items ?? []
        for (index, item) in (kustomization["resources"]?.elements ?? []).enumerated() {
            guard case .string(let entry) = item else { continue }
            let resolved = entry.hasPrefix("/") ? entry : "\(folder)/\(entry)"
            guard FilePaths.kind(of: resolved) != nil else {
                throw HLSError(
                    .failed, "resources entry '\(entry)': no such file or folder",
                    at: entries.indices.contains(index) ? .source(entries[index].location) : nil)
            }
            out += isFolder(resolved) ? try build(resolved, visiting: &visiting) : try manifests(resolved)
        }
        if case .string(let namespace)? = kustomization["namespace"] {
            out = out.map { item in
                guard case .string(let kind)? = item.document["kind"], !clusterScoped.contains(kind) else {
                    return item
                }
                return (item.document.setting(["metadata", "namespace"], to: .string(namespace)), item.at)
            }
        }
        if case .object(let annotations)? = kustomization["commonAnnotations"] {
            out = out.map { item in
                var document = item.document
                for keys in annotationPaths(of: document.string("kind") ?? "") {
                    document = merge(annotations, into: document, at: keys)
                }
                return (document, item.at)
            }
        }
        for label in kustomization["labels"]?.elements ?? [] {
            if label["includeSelectors"] == .bool(true) || label["includeTemplates"] == .bool(true) {
                throw HLSError(
                    .usage, "labels with includeSelectors or includeTemplates are not supported by hlsh's build",
                    at: located?.keyLocation("labels").map(Place.source), hint: unsupportedHint)
            }
            guard case .object(let pairs)? = label["pairs"] else { continue }
            out = out.map { (merge(pairs, into: $0.document, at: ["metadata", "labels"]), $0.at) }
        }
        return out
    }

    /// Where `commonAnnotations` go: the object's, and its pod template's (its job template's
    /// too), as kustomize's field specs say.
    static func annotationPaths(of kind: String) -> [[String]] {
        let own = [["metadata", "annotations"]]
        switch kind {
        case "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "ReplicationController":
            return own + [["spec", "template", "metadata", "annotations"]]
        case "CronJob":
            return own + [
                ["spec", "jobTemplate", "metadata", "annotations"],
                ["spec", "jobTemplate", "spec", "template", "metadata", "annotations"],
            ]
        default: return own
        }
    }

    /// The entries of a folder without a kustomization, as kustomize-controller generates one:
    /// its `.yaml`/`.yml` files, and its subfolders (recursively, those with a kustomization of
    /// their own as one entry), in name order.
    static func generated(_ folder: String) throws(HLSError) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw HLSError.unreadable(folder, folder: true)
        }
        var entries: [String] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = "\(folder)/\(name)"
            if isFolder(path) {
                if fileNames.contains(where: { FileManager.default.fileExists(atPath: "\(path)/\($0)") }) {
                    entries.append(path)
                } else {
                    entries += try generated(path)
                }
            } else if name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                entries.append(path)
            }
        }
        return entries
    }

    /// The objects of one manifest file (empty documents left out).
    static func manifests(_ file: String) throws(HLSError) -> [(document: Document, at: SourceLocation)] {
        try YAMLCodec.decodeAllLocated(try read(file), file: file).filter { $0.document != .null }
    }

    static func read(_ file: String) throws(HLSError) -> String {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw HLSError.unreadable(file)
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The hint of a build that stops at what hlsh does not build (kubectl may build it).
    static let unsupportedHint = "hlsh builds resources, namespace, commonAnnotations and labels (without selectors)"

    /// Whether `error` says the kustomization uses what hlsh's build leaves out, rather than
    /// that it is broken.
    static func isUnsupported(_ error: HLSError) -> Bool { error.hint == unsupportedHint }

    static func isFolder(_ path: String) -> Bool {
        (try? FileManager.default.contentsOfDirectory(atPath: path)) != nil
    }

    /// `pairs` merged into the map at `keys` of `document` (kustomize's values win).
    static func merge(_ pairs: [(key: String, value: Document)], into document: Document, at keys: [String])
        -> Document
    {
        var current: [(key: String, value: Document)] = []
        if case .object(let existing)? = document.at(keys) { current = existing }
        for (key, value) in pairs {
            if let index = current.firstIndex(where: { $0.key == key }) {
                current[index].value = value
            } else {
                current.append((key, value))
            }
        }
        return document.setting(keys, to: .object(current))
    }
}

extension Document {
    /// A copy with `value` at the path of keys, the maps on the way made when missing.
    func setting(_ keys: [String], to value: Document) -> Document {
        guard let key = keys.first else { return value }
        var fields: [(key: String, value: Document)] = []
        if case .object(let existing) = self { fields = existing }
        let inner = fields.first { $0.key == key }?.value ?? .object([])
        let updated = inner.setting(Array(keys.dropFirst()), to: value)
        if let index = fields.firstIndex(where: { $0.key == key }) {
            fields[index].value = updated
        } else {
            fields.append((key, updated))
        }
        return .object(fields)
    }
}
