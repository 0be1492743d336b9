import HLSCore
import HLSFormats
import Secrets

extension FluxValidation {
    /// One object as Flux would apply it (kustomize's `namespace` and the Kustomization's
    /// `targetNamespace` applied), with where it was written.
    struct Object {
        var document: Document
        var at: SourceLocation
        var located: LocatedYAML?

        var apiVersion: String { document.string("apiVersion") ?? "" }
        var kind: String { document.string("kind") ?? "" }
        var name: String { document.string("metadata", "name") ?? "" }
        var namespace: String { document.string("metadata", "namespace") ?? "" }
        var ref: FluxRef { FluxRef(namespace: namespace, name: name) }

        /// Whether it is a Flux object of `kind` (by its API group, not just its kind: kustomize's
        /// own `Kustomization` is another thing).
        func isFlux(_ kind: FluxKind) -> Bool {
            self.kind == kind.kind && apiVersion.hasPrefix(kind.resource.group + "/")
        }

        /// Where the value at `path` (keys, and indexes into sequences) was written; the nearest
        /// written parent's place when it is missing, the document's when nothing was located.
        func location(_ path: [Step]) -> SourceLocation {
            var node = located
            var found = at
            for step in path {
                switch step {
                case .key(let key): node = node?[key]
                case .index(let index): node = node.flatMap { $0.items.indices.contains(index) ? $0.items[index] : nil }
                }
                guard let node else { break }
                found = node.location
            }
            return found
        }
    }

    /// One step of a path into a document: `["spec", "dependsOn", 0, "name"]`.
    enum Step: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
        case key(String)
        case index(Int)

        init(stringLiteral value: String) { self = .key(value) }
        init(integerLiteral value: Int) { self = .index(value) }
    }

    /// Builds every Flux Kustomization's path from this repository and every folder with a
    /// kustomization, recording what does not build; returns the objects Flux would apply:
    /// those its Kustomizations build, and the documents of files no build reaches (the cluster's
    /// entry point, which `gotk-sync.yaml` would build) as they are written.
    mutating func buildAll() -> [Object] {
        var objects: [Object] = []
        var reached = Set<String>()
        let written = files.keys.sorted().flatMap { file in
            (files[file] ?? []).map { Object(document: $0.document, at: $0.located.location, located: $0.located) }
        }
        for kustomization in written where kustomization.isFlux(.kustomization) {
            for object in build(kustomization) {
                reached.insert(FilePaths.normalized(object.at.file))
                objects.append(object)
            }
        }
        builtFiles.formUnion(reached)
        for file in files.keys.sorted() where KustomizeBuild.fileNames.contains(FilePaths.lastComponent(of: file)) {
            let folder = FilePaths.directory(of: file)
            builds += 1
            do throws(HLSError) {
                builtFiles.formUnion(try KustomizeBuild.build(folder).map { FilePaths.normalized($0.at.file) })
            } catch {
                report(
                    error, check: "build", fallback: SourceLocation(file: file, line: 1, column: 1),
                    level: KustomizeBuild.isUnsupported(error) ? .warning : .error)
            }
        }
        objects += written.filter { !reached.contains(FilePaths.normalized($0.at.file)) && $0.document != .null }
        return objects
    }

    /// The objects a Flux Kustomization applies from this repository (none when its path is in
    /// another source or does not build, which is recorded).
    mutating func build(_ kustomization: Object) -> [Object] {
        let source = kustomization.document.at("spec", "sourceRef")
        let sourceKind = source?.string("kind") ?? ""
        let sourceName = source?.string("name") ?? ""
        let sourceNamespace = source?.string("namespace") ?? kustomization.namespace
        guard sourceKind == FluxKind.gitRepository.kind, sourceName == Self.bootstrapSource.name,
            sourceNamespace == Self.bootstrapSource.namespace
        else {
            add(
                .note, "build", at: kustomization.location(["spec", "sourceRef"]),
                "Kustomization \(kustomization.ref) builds from \(sourceKind) "
                    + "\(sourceNamespace)/\(sourceName), not this repository: its path is not checked")
            return []
        }
        let path = kustomization.document.string("spec", "path") ?? "./"
        let folder = FilePaths.normalized(root + "/" + path)
        let at = kustomization.location(["spec", "path"])
        guard folder == root || folder.hasPrefix(root + "/"), FilePaths.kind(of: folder) == .directory else {
            add(.error, "build", at: at, "spec.path \(path) is not a folder of the repository")
            return []
        }
        builds += 1
        let built: [(document: Document, at: SourceLocation)]
        do throws(HLSError) {
            built = try KustomizeBuild.build(folder)
        } catch {
            report(error, check: "build", fallback: at, level: KustomizeBuild.isUnsupported(error) ? .warning : .error)
            return []
        }
        if kustomization.document.string("spec", "decryption", "provider") != "sops" {
            // kustomize-controller decrypts only with spec.decryption; without it the ciphertext
            // and its `sops` block would be applied as they are.
            for item in built where SOPSFile.isEncrypted(item.document) {
                add(
                    .error, "sops", at: kustomization.location(["spec", "decryption"]),
                    "Kustomization \(kustomization.ref) applies the SOPS-encrypted "
                        + "\(relative(item.at.file)) but has no spec.decryption (provider: sops, secretRef: sops-age)")
            }
        }
        let target = kustomization.document.string("spec", "targetNamespace")
        return built.map { item in
            var document = item.document
            if let target, !KustomizeBuild.clusterScoped.contains(document.string("kind") ?? "") {
                document = document.setting(["metadata", "namespace"], to: .string(target))
            }
            return Object(document: document, at: item.at, located: manifest(at: item.at)?.located)
        }
    }

    /// The GitRepository `flux bootstrap` makes for the repository itself (in `gotk-sync.yaml`).
    static let bootstrapSource = FluxRef(namespace: "flux-system", name: "flux-system")
}
