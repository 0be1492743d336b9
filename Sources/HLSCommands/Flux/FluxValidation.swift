import HLSCore
import HLSFormats
import HLSLanguage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `flux validate DIR`: a checkout of a GitOps repository checked offline, as its CI would
/// before Flux sees it. Every YAML file parses and every manifest has apiVersion and kind;
/// every Flux Kustomization's path, and every folder with a kustomization, builds with hlsh's
/// build (`KustomizeBuild`, the one `flux diff` uses); the Flux objects' `dependsOn` and
/// source references resolve among the objects as Flux would apply them, without cycles; every
/// Secret a `.sops.yaml` creation rule covers is encrypted, and decrypted by the Kustomization
/// that applies it. Each problem is placed at the file, line and column to mend (docs/adr/0033).
struct FluxValidation {
    /// One finding. Errors fail the validation; warnings and notes do not.
    struct Problem: Hashable {
        enum Level: String { case error, warning, note }

        /// Relative to the tree's root (absolute when outside it).
        var file: String
        var line: Int
        var column: Int
        var level: Level
        /// What was checked: yaml, manifest, build, reference, dependency, sops.
        var check: String
        var message: String

        var record: Value {
            .record(
                Record([
                    ("file", .string(file)), ("line", .int(line)), ("column", .int(column)),
                    ("level", .string(level.rawValue)), ("check", .string(check)), ("message", .string(message)),
                ]))
        }
    }

    /// One document of a file, with where each of its nodes was written.
    struct Manifest {
        var document: Document
        var located: LocatedYAML
    }

    /// The root folder, normalized, without a trailing slash.
    let root: String
    /// The root as the user gave it, for paths they can type (`gitops/kubernetes/…`).
    var given = "."
    private(set) var problems: Set<Problem> = []
    /// Every YAML file under the root that parsed, by normalized path, with its documents.
    private(set) var files: [String: [Manifest]] = [:]
    /// How many YAML files were read, and how many folders were built.
    private(set) var fileCount = 0
    var builds = 0
    /// The files (normalized) some build read.
    var builtFiles = Set<String>()

    /// The problems in file, line and column order.
    var sortedProblems: [Problem] {
        problems.sorted {
            ($0.file, $0.line, $0.column, $0.check, $0.message) < ($1.file, $1.line, $1.column, $1.check, $1.message)
        }
    }

    var errors: Int { problems.filter { $0.level == .error }.count }
    var warnings: Int { problems.filter { $0.level == .warning }.count }

    /// Validates the tree at `root`.
    static func run(_ root: String) throws(HLSError) -> FluxValidation {
        let folder = FilePaths.normalized(
            root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root)
        guard FilePaths.kind(of: folder) == .directory else {
            throw HLSError.unreadable(root, folder: true, hint: "give the checkout of the GitOps repository")
        }
        var validation = FluxValidation(root: folder)
        validation.given = root
        for file in try yamlFiles(under: folder) { validation.read(file) }
        let objects = validation.buildAll()
        validation.checkManifests()
        validation.checkReferences(objects)
        validation.checkSecrets()
        return validation
    }

    /// The tree's `.yaml`/`.yml` files in name order; hidden files and folders (`.git`,
    /// `.github`, `.sops.yaml`) are not manifests and are left out.
    static func yamlFiles(under folder: String) throws(HLSError) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw HLSError.unreadable(folder, folder: true)
        }
        var out: [String] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = folder + "/" + name
            if FilePaths.kind(of: path) == .directory {
                out += try yamlFiles(under: path)
            } else if name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                out.append(path)
            }
        }
        return out
    }

    // MARK: Files

    /// Reads one file and its YAML.
    mutating func read(_ file: String) {
        fileCount += 1
        let manifests: [Manifest]
        do throws(HLSError) {
            let text = try KustomizeBuild.read(file)
            let documents = try YAMLCodec.decodeAllLocated(text, file: file)
            manifests = zip(documents, try LocatedYAML.parseAll(text, file: file)).map {
                Manifest(document: $0.0.document, located: $0.1)
            }
        } catch {
            report(error, check: "yaml", fallback: SourceLocation(file: file, line: 1, column: 1))
            return
        }
        files[file] = manifests
    }

    /// Each manifest has apiVersion and kind. A manifest is a document of a file a build read,
    /// or of a file in a folder without a kustomization (Flux applies every file there); a
    /// file a kustomization leaves out (a chart's `values.yaml`) is not one, nor is the
    /// kustomization file itself.
    mutating func checkManifests() {
        for file in files.keys.sorted() where !KustomizeBuild.fileNames.contains(FilePaths.lastComponent(of: file)) {
            let folder = FilePaths.directory(of: file)
            let kustomized = KustomizeBuild.fileNames.contains { FilePaths.kind(of: folder + "/" + $0) != nil }
            guard builtFiles.contains(file) || !kustomized else { continue }
            for manifest in files[file] ?? [] where manifest.document != .null {
                let missing = ["apiVersion", "kind"].filter { manifest.document.string($0)?.isEmpty ?? true }
                guard !missing.isEmpty else { continue }
                add(
                    .error, "manifest", at: manifest.located.location,
                    "a manifest needs apiVersion and kind: this document has no \(missing.joined(separator: " and no "))"
                )
            }
        }
    }

    // MARK: Recording

    /// A problem at `location`; paths under the root are shown relative to it.
    /// The same problem found twice (a file two builds read, a YAML error the build meets
    /// again) is one row.
    mutating func add(_ level: Problem.Level, _ check: String, at location: SourceLocation, _ message: String) {
        let problem = Problem(
            file: relative(location.file), line: location.line, column: location.column, level: level,
            check: check, message: message)
        guard
            !problems.contains(where: {
                ($0.file, $0.line, $0.column, $0.message) == (
                    problem.file, problem.line, problem.column, problem.message
                )
            })
        else { return }
        problems.insert(problem)
    }

    /// An error thrown by a reader or the build, at its own place when it has one.
    mutating func report(
        _ error: HLSError, check: String, fallback: SourceLocation, level: Problem.Level = .error
    ) {
        var location = fallback
        if case .source(let place)? = error.place { location = place }
        add(level, check, at: location, relativePaths(in: error.message + (error.cause.map { ": \($0)" } ?? "")))
    }

    func relative(_ path: String) -> String {
        let clean = FilePaths.normalized(path)
        return clean.hasPrefix(root + "/") ? String(clean.dropFirst(root.count + 1)) : clean
    }

    /// `path` as the user can type it: under the folder they gave.
    func typed(_ path: String) -> String {
        let base = FilePaths.normalized(given)
        return base == "." ? relative(path) : base + "/" + relative(path)
    }

    func relativePaths(in message: String) -> String {
        message.replacing(root + "/", with: "")
    }

    /// The manifest written at `location` (a document's root), if its file was read.
    func manifest(at location: SourceLocation) -> Manifest? {
        files[FilePaths.normalized(location.file)]?.first {
            $0.located.location.line == location.line && $0.located.location.column == location.column
        }
    }
}
