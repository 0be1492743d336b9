import HLSCore
import HLSFormats
import HLSLanguage
import HLSTransport
import Inventory
import Kube

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One reader of untrusted text, driven through the same public function hlsh calls on a file.
/// Inputs that are not UTF-8 are skipped, as hlsh never hands those on (it reads files with
/// `String(contentsOfFile:encoding: .utf8)`, which fails on them).
enum FuzzTarget: String, CaseIterable {
    /// The .hls lexer and parser as `hlsh -n` runs them, the REPL's continuation check, and the
    /// rendering of every diagnostic (the caret under the column).
    case hls
    /// The inventory loader, `Lab.parse` (what `Lab.load` runs on the file's text).
    case inventory
    /// The kubeconfig readers: `KubeconfigSet.add` and `endpoint()` (kubectl's view, for the
    /// client), `Kubeconfig(yaml:)` and `merging` (what `node kubeconfig` edits), and the merged
    /// config written as YAML must read back as the same document.
    case kubeconfig
    /// `JSONCodec.decode`; what it decodes must encode, compact and pretty, to text that decodes
    /// to the same document.
    case json
    /// `SSHConfig.parse` and `resolve(alias:)` for a few aliases.
    case sshconfig

    static let selected: FuzzTarget = {
        let name = getenv("HLSH_FUZZ_TARGET").map { String(cString: $0) } ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = allCases.map(\.rawValue).joined(separator: ", ")
            print("hlsh-fuzz: set HLSH_FUZZ_TARGET to one of: \(names)")
            exit(2)
        }
        return target
    }()

    static let registry = Builtins.registry

    func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return }
        switch self {
        case .hls: Self.hls(text)
        case .inventory: _ = try? Lab.parse(text, file: "fuzz.yaml")
        case .kubeconfig: Self.kubeconfig(text)
        case .json: Self.json(text)
        case .sshconfig: Self.sshConfig(text)
        }
    }

    /// Both of the parser's paths (`hlsh -n` runs `check`, which keeps no syntax tree), which
    /// must find the same diagnostics, each rendered as a user sees it.
    private static func hls(_ text: String) {
        let file = SourceFile(name: "<fuzz>", text: text)
        let (_, diagnostics) = Parser.parse(file, registry: registry)
        let checked = Parser.check(file, registry: registry).diagnostics
        precondition(checked == diagnostics, "Parser.check finds \(checked), Parser.parse \(diagnostics)")
        for diagnostic in diagnostics {
            _ = DiagnosticRenderer.render(diagnostic.error, source: { _ in file }, color: false)
        }
        _ = Completeness.needsMore(text)
    }

    private static func kubeconfig(_ text: String) {
        var set = KubeconfigSet()
        if (try? set.add(text, file: "fuzz-kubeconfig")) != nil {
            _ = try? set.endpoint()
        }
        guard let config = try? Kubeconfig(yaml: text, source: "fuzz-kubeconfig") else { return }
        let merged = Kubeconfig.empty.merging(config)
        guard let reread = try? Kubeconfig(yaml: merged.yaml, source: "written") else {
            fatalError("the written kubeconfig does not read back:\n\(merged.yaml)")
        }
        precondition(reread == merged, "the written kubeconfig reads back different:\n\(merged.yaml)")
    }

    private static func json(_ text: String) {
        guard let document = try? JSONCodec.decode(text) else { return }
        for pretty in [false, true] {
            let written = JSONCodec.encode(document, pretty: pretty)
            guard let reread = try? JSONCodec.decode(written) else {
                fatalError("the written JSON does not read back:\n\(written)")
            }
            precondition(reread == document, "the written JSON reads back different:\n\(written)")
        }
    }

    private static func sshConfig(_ text: String) {
        guard let config = try? SSHConfig.parse(text, file: "fuzz_ssh_config", home: "/nonexistent-fuzz-home") else {
            return
        }
        for alias in ["node1", "github.com", "*", ""] { _ = config.resolve(alias: alias) }
    }
}
