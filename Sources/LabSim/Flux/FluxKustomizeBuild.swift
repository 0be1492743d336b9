import HLSCore
import HLSCrypto
import HLSFormats

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `kustomize build` as kustomize-controller runs it on a directory of an artifact: its
/// `kustomization.yaml` (resources, namespace, labels and commonLabels, commonAnnotations,
/// namePrefix/nameSuffix, patches, images, configMap and secret generators with their hash
/// suffix), or, when there is none, one generated over every manifest under it (as the
/// controller does). The output agrees with `kubectl kustomize` on the same tree, in its order.
struct FluxKustomizeBuild {
    /// What makes a build fail: kustomize's message.
    struct Failure: Error {
        var message: String
    }

    static let fileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"]

    /// The built objects of `directory`.
    static func build(_ directory: String) throws(Failure) -> [Document] {
        var objects = try FluxKustomizeBuild().run(directory, root: true)
        try appendHashes(&objects)
        return sorted(objects)
    }

    /// The kustomization file of `directory`, if it has one.
    static func kustomizationFile(in directory: String) -> String? {
        fileNames.map { directory + "/" + $0 }.first { FileManager.default.fileExists(atPath: $0) }
    }

    private func run(_ directory: String, root: Bool) throws(Failure) -> [Document] {
        let kustomization: Document
        if let file = Self.kustomizationFile(in: directory) {
            kustomization = try Self.yaml(file).first ?? .object([])
        } else if root {
            kustomization = .object([("resources", .array(Self.generatedResources(directory).map { .string($0) }))])
        } else {
            throw Failure(
                message:
                    "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '\(directory)'"
            )
        }
        var objects: [Document] = []
        for resource in kustomization["resources"]?.items.compactMap(\.scalarText) ?? [] {
            let path = directory + "/" + resource
            var isDirectory = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw Failure(
                    message:
                        "accumulating resources: accumulation err='accumulating resources from '\(resource)': open \(path): no such file or directory'"
                )
            }
            objects += isDirectory ? try run(path, root: false) : try Self.yaml(path).filter { $0 != .null }
        }
        objects += try generated(kustomization, in: directory)
        for patch in kustomization["patches"]?.items ?? [] { try apply(patch, to: &objects, in: directory) }
        for patch in kustomization["patchesStrategicMerge"]?.items ?? [] {
            try apply(.object([("patch", patch)]), to: &objects, in: directory)
        }
        if let namespace = kustomization.text("namespace") {
            objects = objects.map { Self.settingNamespace($0, namespace) }
        }
        let prefix = kustomization.text("namePrefix") ?? ""
        let suffix = kustomization.text("nameSuffix") ?? ""
        if !prefix.isEmpty || !suffix.isEmpty { Self.rename(&objects, prefix: prefix, suffix: suffix) }
        if let labels = kustomization["commonLabels"]?.stringMap, !labels.isEmpty {
            objects = objects.map { Self.labelling($0, labels, selectors: true, templates: true) }
        }
        for entry in kustomization["labels"]?.items ?? [] {
            let labels = entry["pairs"]?.stringMap ?? [:]
            let selectors = entry["includeSelectors"] == .bool(true)
            let templates = selectors || entry["includeTemplates"] == .bool(true)
            objects = objects.map { Self.labelling($0, labels, selectors: selectors, templates: templates) }
        }
        if let annotations = kustomization["commonAnnotations"]?.stringMap, !annotations.isEmpty {
            objects = objects.map { Self.annotating($0, annotations) }
        }
        for image in kustomization["images"]?.items ?? [] { objects = objects.map { Self.settingImage($0, image) } }
        return objects
    }

    // MARK: Reading

    static func yaml(_ path: String) throws(Failure) -> [Document] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw Failure(message: "open \(path): no such file or directory")
        }
        do { return try YAMLCodec.decodeAll(text, file: path) } catch {
            throw Failure(message: "MalformedYAMLError: \(error.message) in File: \(path)")
        }
    }

    /// The resources of the kustomization kustomize-controller generates for a directory without
    /// one: its manifests (files ending .yaml or .yml that hold an object with apiVersion and
    /// kind) and its subdirectories that have a kustomization file, recursively.
    static func generatedResources(_ directory: String, under prefix: String = "") -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        var resources: [String] = []
        for name in names where !name.hasPrefix(".") {
            let path = directory + "/" + name
            var isDirectory = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            if isDirectory {
                if kustomizationFile(in: path) != nil {
                    resources.append(prefix + name)
                } else {
                    resources += generatedResources(path, under: prefix + name + "/")
                }
            } else if name.hasSuffix(".yaml") || name.hasSuffix(".yml"), !fileNames.contains(name),
                let objects = try? yaml(path),
                objects.contains(where: { $0.text("apiVersion") != nil && $0.text("kind") != nil })
            {
                resources.append(prefix + name)
            }
        }
        return resources
    }

    // MARK: Generators

    private func generated(_ kustomization: Document, in directory: String) throws(Failure) -> [Document] {
        var objects: [Document] = []
        for (field, kind) in [("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")] {
            for generator in kustomization[field]?.items ?? [] {
                var data: [(key: String, value: Document)] = []
                func add(_ key: String, _ value: String) {
                    let stored = kind == "Secret" ? Base64.encode(Array(value.utf8)) : value
                    data.removeAll { $0.key == key }
                    data.append((key, .string(stored)))
                }
                for literal in generator["literals"]?.items.compactMap(\.scalarText) ?? [] {
                    let parts = literal.split(separator: "=", maxSplits: 1).map(String.init)
                    add(parts[0], parts.count > 1 ? Self.unquoted(parts[1]) : "")
                }
                for file in generator["files"]?.items.compactMap(\.scalarText) ?? [] {
                    let parts = file.split(separator: "=", maxSplits: 1).map(String.init)
                    let source = parts.count > 1 ? parts[1] : parts[0]
                    let key = parts.count > 1 ? parts[0] : String(source.split(separator: "/").last ?? "")
                    add(key, try Self.read(directory + "/" + source))
                }
                for env in generator["envs"]?.items.compactMap(\.scalarText) ?? [] {
                    for line in try Self.read(directory + "/" + env).split(separator: "\n") {
                        let trimmed = line.trimmingWhitespace()
                        guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
                        let parts = trimmed.split(separator: "=", maxSplits: 1).map(String.init)
                        add(parts[0], parts.count > 1 ? parts[1] : "")
                    }
                }
                var metadata: Document = .object([("name", .string(generator.text("name") ?? ""))])
                if let namespace = generator.text("namespace") { metadata.set("namespace", .string(namespace)) }
                let options = generator["options"] ?? kustomization["generatorOptions"] ?? .object([])
                if let labels = options["labels"] { metadata.set("labels", labels) }
                if let annotations = options["annotations"] { metadata.set("annotations", annotations) }
                if options["disableNameSuffixHash"] != .bool(true) {
                    var annotations = metadata["annotations"] ?? .object([])
                    annotations.set(Self.hashMarker, .string("true"))
                    metadata.set("annotations", annotations)
                }
                var object: Document = .object([
                    ("apiVersion", .string("v1")), ("kind", .string(kind)), ("metadata", metadata),
                ])
                if !data.isEmpty { object.set("data", .object(data.sorted { $0.key < $1.key })) }
                if kind == "Secret" { object.set("type", .string(generator.text("type") ?? "Opaque")) }
                objects.append(object)
            }
        }
        return objects
    }

    /// Marks a generated object whose name takes the content hash once the build is done.
    static let hashMarker = "internal.kustomize.simulator/needs-hash"

    private static func read(_ path: String) throws(Failure) -> String {
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw Failure(message: "open \(path): no such file or directory")
        }
    }

    private static func unquoted(_ value: String) -> String {
        for quote in ["\"", "'"] where value.count >= 2 && value.hasPrefix(quote) && value.hasSuffix(quote) {
            return String(value.dropFirst().dropLast())
        }
        return value
    }

    /// Appends kustomize's content hash to generated names and updates the references to them
    /// in pod templates.
    private static func appendHashes(_ objects: inout [Document]) throws(Failure) {
        var renamed: [String: String] = [:]
        for index in objects.indices {
            guard objects[index].at(["metadata", "annotations", hashMarker]) != nil else { continue }
            var object = objects[index]
            var annotations = object.at(["metadata", "annotations"]) ?? .object([])
            annotations.set(hashMarker, nil)
            object.set(["metadata", "annotations"], annotations.pairs.isEmpty ? nil : annotations)
            let kind = object.text("kind") ?? ""
            let name = object.text("metadata", "name") ?? ""
            // kustomize's hasher looks the name up as one field named "metadata/name", which no
            // object has: the name enters the hash as "" (a prefix does not change the hash).
            var encoded: [(key: String, value: Document)] = [
                ("data", object["data"].map { .object($0.pairs.sorted { $0.key < $1.key }) } ?? .string("")),
                ("kind", .string(kind)), ("name", .string("")),
            ]
            if kind == "Secret" { encoded.append(("type", object["type"] ?? .string(""))) }
            let digest = Hex.encode(SHA.sha256(Array(goJSON(.object(encoded)).utf8)))
            let hash = String(
                digest.prefix(10).map { c -> Character in
                    switch c {
                    case "0": return "g"
                    case "1": return "h"
                    case "3": return "k"
                    case "a": return "m"
                    case "e": return "t"
                    default: return c
                    }
                })
            object.set(["metadata", "name"], .string(name + "-" + hash))
            renamed[kind + "/" + name] = name + "-" + hash
            objects[index] = object
        }
        if !renamed.isEmpty { objects = objects.map { referencing($0, renamed) } }
    }

    /// JSON as Go's encoding/json writes it (keys as given, `<`, `>`, `&` escaped).
    private static func goJSON(_ document: Document) -> String {
        JSONCodec.encode(document).replacingAll("<", with: "\\u003c").replacingAll(">", with: "\\u003e")
            .replacingAll("&", with: "\\u0026")
    }

    // MARK: Transformers

    /// Kinds kustomize knows to be cluster-scoped (others, custom kinds too, are namespaced).
    static let clusterScoped: Set<String> = [
        "Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "PersistentVolume",
        "StorageClass", "PriorityClass", "IngressClass", "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration", "APIService", "Node", "CSIDriver", "RuntimeClass", "ClusterIssuer",
        "VolumeAttachment", "PodSecurityPolicy", "CertificateSigningRequest",
    ]

    static func settingNamespace(_ object: Document, _ namespace: String) -> Document {
        var object = object
        let kind = object.text("kind") ?? ""
        if !clusterScoped.contains(kind) { object.set(["metadata", "namespace"], .string(namespace)) }
        if kind == "RoleBinding" || kind == "ClusterRoleBinding" {
            let subjects = (object["subjects"]?.items ?? []).map { subject -> Document in
                var subject = subject
                if subject.text("kind") == "ServiceAccount" { subject.set("namespace", .string(namespace)) }
                return subject
            }
            if object["subjects"] != nil { object.set("subjects", .array(subjects)) }
        }
        return object
    }

    private static func rename(_ objects: inout [Document], prefix: String, suffix: String) {
        var renamed: [String: String] = [:]
        for index in objects.indices {
            let kind = objects[index].text("kind") ?? ""
            guard kind != "Namespace", kind != "CustomResourceDefinition",
                let name = objects[index].text("metadata", "name")
            else { continue }
            objects[index].set(["metadata", "name"], .string(prefix + name + suffix))
            renamed[kind + "/" + name] = prefix + name + suffix
        }
        objects = objects.map { referencing($0, renamed) }
    }

    /// Pod-template paths of the workload kinds, where labels, annotations and images reach.
    static func templatePaths(_ kind: String) -> [[String]] {
        switch kind {
        case "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job": return [["spec", "template"]]
        case "CronJob": return [["spec", "jobTemplate", "spec", "template"]]
        case "Pod": return [[]]
        default: return []
        }
    }

    private static func merged(_ document: Document?, _ map: [String: String]) -> Document {
        var result = document ?? .object([])
        for key in map.keys.sorted() { result.set(key, .string(map[key] ?? "")) }
        return result
    }

    static func labelling(_ object: Document, _ labels: [String: String], selectors: Bool, templates: Bool)
        -> Document
    {
        var object = object
        object.set(["metadata", "labels"], merged(object.at(["metadata", "labels"]), labels))
        let kind = object.text("kind") ?? ""
        if templates {
            for path in templatePaths(kind) where !path.isEmpty {
                object.set(path + ["metadata", "labels"], merged(object.at(path + ["metadata", "labels"]), labels))
            }
        }
        if selectors {
            if kind == "Service" {
                object.set(["spec", "selector"], merged(object.at(["spec", "selector"]), labels))
            } else if !templatePaths(kind).isEmpty, kind != "Pod", kind != "CronJob", kind != "Job" {
                object.set(
                    ["spec", "selector", "matchLabels"], merged(object.at(["spec", "selector", "matchLabels"]), labels))
            }
        }
        return object
    }

    static func annotating(_ object: Document, _ annotations: [String: String]) -> Document {
        var object = object
        object.set(["metadata", "annotations"], merged(object.at(["metadata", "annotations"]), annotations))
        for path in templatePaths(object.text("kind") ?? "") where !path.isEmpty {
            object.set(
                path + ["metadata", "annotations"], merged(object.at(path + ["metadata", "annotations"]), annotations))
        }
        return object
    }

    /// kustomize's images transformer: every `image:` of a container or init container whose
    /// name matches.
    static func settingImage(_ object: Document, _ image: Document) -> Document {
        guard let name = image.text("name") else { return object }
        func walk(_ node: Document, inContainers: Bool) -> Document {
            switch node {
            case .object(let pairs):
                return .object(
                    pairs.map { pair in
                        if inContainers, pair.key == "image", let current = pair.value.scalarText {
                            return (pair.key, .string(replaced(current)))
                        }
                        let containers = pair.key == "containers" || pair.key == "initContainers"
                        return (pair.key, walk(pair.value, inContainers: containers))
                    })
            case .array(let items): return .array(items.map { walk($0, inContainers: inContainers) })
            default: return node
            }
        }
        func replaced(_ current: String) -> String {
            var base = current
            var tag = ""
            if let at = current.firstIndex(of: "@") {
                base = String(current[..<at])
                tag = String(current[at...])
            } else if let colon = current.lastIndex(of: ":"), !current[colon...].contains("/") {
                base = String(current[..<colon])
                tag = String(current[colon...])
            }
            guard base == name else { return current }
            if let newName = image.text("newName") { base = newName }
            if let digest = image.text("digest") {
                tag = "@" + digest
            } else if let newTag = image["newTag"]?.scalarText {
                tag = ":" + newTag
            }
            return base + tag
        }
        return walk(object, inContainers: false)
    }

    /// Updates references to renamed ConfigMaps and Secrets in pod specs (volumes, env, envFrom).
    static func referencing(_ object: Document, _ renamed: [String: String]) -> Document {
        func walk(_ node: Document, parent: String) -> Document {
            switch node {
            case .object(let pairs):
                let kind: String? =
                    switch parent {
                    case "configMap", "configMapRef", "configMapKeyRef": "ConfigMap"
                    case "secret", "secretRef", "secretKeyRef": "Secret"
                    default: nil
                    }
                return .object(
                    pairs.map { pair in
                        if let kind, pair.key == "name" || (kind == "Secret" && pair.key == "secretName"),
                            let name = pair.value.scalarText, let new = renamed[kind + "/" + name]
                        {
                            return (pair.key, .string(new))
                        }
                        return (pair.key, walk(pair.value, parent: pair.key))
                    })
            case .array(let items): return .array(items.map { walk($0, parent: parent) })
            default: return node
            }
        }
        guard let spec = object["spec"] else { return object }
        var object = object
        object.set("spec", walk(spec, parent: "spec"))
        return object
    }

    // MARK: Patches

    private func apply(_ entry: Document, to objects: inout [Document], in directory: String) throws(Failure) {
        var patchText = entry.text("patch")
        var patchDocument: Document? = entry["patch"].flatMap { $0.isObject ? $0 : nil }
        if let path = entry.text("path") { patchText = try Self.read(directory + "/" + path) }
        if patchDocument == nil, let text = patchText {
            do { patchDocument = try YAMLCodec.decode(text, file: "patch") } catch {
                throw Failure(message: "unable to parse SM or JSON patch from [\(text)]")
            }
        }
        guard let patch = patchDocument else { return }
        let target = entry["target"]
        var matched = false
        for index in objects.indices where Self.matches(objects[index], target: target, patch: patch) {
            matched = true
            if case .array = patch {
                do { objects[index] = try KubePatches.jsonPatch(objects[index], patch) } catch {
                    throw Failure(message: error.message)
                }
            } else if patch["$patch"]?.scalarText == "delete" {
                objects[index] = .null
            } else {
                var smp = patch
                if target != nil {
                    // A targeted strategic merge patch keeps the target's own name and kind.
                    smp.set("metadata", nil)
                    for key in ["apiVersion", "kind"] { smp.set(key, nil) }
                    var meta = patch["metadata"] ?? .object([])
                    meta.set("name", nil)
                    meta.set("namespace", nil)
                    if !meta.pairs.isEmpty { smp.set("metadata", meta) }
                }
                objects[index] = KubePatches.strategic(objects[index], smp) ?? objects[index]
            }
        }
        objects.removeAll { $0 == .null }
        if !matched, target == nil, case .object = patch {
            let id = "\(patch.text("kind") ?? "")/\(patch.text("metadata", "name") ?? "")"
            throw Failure(message: "no resource matches strategic merge patch \"\(id)\"")
        }
    }

    private static func matches(_ object: Document, target: Document?, patch: Document) -> Bool {
        guard let target else {
            return object.text("kind") == patch.text("kind")
                && object.text("metadata", "name") == patch.text("metadata", "name")
        }
        let (group, version) = KubeTypeRegistry.split(object.text("apiVersion") ?? "")
        func ok(_ field: String, _ value: String?) -> Bool {
            guard let wanted = target.text(field), !wanted.isEmpty else { return true }
            guard let value else { return false }
            if field == "name" || field == "namespace" { return Self.regexMatch(wanted, value) }
            return wanted == value
        }
        guard ok("group", group), ok("version", version), ok("kind", object.text("kind")),
            ok("name", object.text("metadata", "name")),
            ok("namespace", object.text("metadata", "namespace"))
        else { return false }
        for (field, key) in [("labelSelector", "labels"), ("annotationSelector", "annotations")] {
            guard let selector = target.text(field) else { continue }
            let have = object.at(["metadata", key])?.stringMap ?? [:]
            guard let parsed = try? KubeLabelSelector(parsing: selector), parsed.matches(have) else { return false }
        }
        return true
    }

    /// kustomize anchors target names as regular expressions; the simulator takes `.*` and
    /// literal names.
    private static func regexMatch(_ pattern: String, _ value: String) -> Bool {
        if pattern == ".*" { return true }
        if pattern.hasSuffix(".*") { return value.hasPrefix(String(pattern.dropLast(2))) }
        return pattern == value
    }

    // MARK: Order

    /// kustomize's legacy order: by kind (Namespaces, CRDs, RBAC, ConfigMaps … first, webhooks
    /// last), then by group, version, kind, namespace and name.
    static func sorted(_ objects: [Document]) -> [Document] {
        let first = [
            "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
            "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret",
            "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim",
            "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget",
        ]
        let last = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]
        func rank(_ kind: String) -> Int {
            if let i = first.firstIndex(of: kind) { return i }
            if let i = last.firstIndex(of: kind) { return first.count + 1 + i }
            return first.count
        }
        func key(_ o: Document) -> (Int, String) {
            let (group, version) = KubeTypeRegistry.split(o.text("apiVersion") ?? "")
            let kind = o.text("kind") ?? ""
            let gvk = [group, version, kind].filter { !$0.isEmpty }.joined(separator: "_")
            return (rank(kind), "\(gvk)|\(o.text("metadata", "namespace") ?? "~X")|\(o.text("metadata", "name") ?? "")")
        }
        return objects.enumerated().sorted { a, b in
            let (x, y) = (key(a.element), key(b.element))
            if x.0 != y.0 { return x.0 < y.0 }
            if x.1 != y.1 { return x.1 < y.1 }
            return a.offset < b.offset
        }.map(\.element)
    }
}
