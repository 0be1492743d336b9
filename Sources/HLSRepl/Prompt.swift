import HLSCommands
import HLSCore
import HLSFormats
import HLSLanguage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The interactive prompt: `hlsh> `, or with the lab in use and the Kubernetes context
/// (`hlsh homelab (k3s-homelab)> `), coloured only when the terminal wants colour.
enum Prompt {
    /// After a complete `if` or `try` whose `else`, `elif` or `catch` may come on the next line:
    /// it says so, as the plain continuation prompt left people wondering why nothing ran.
    static let awaitingClause = "else? Enter runs it> "

    static func text(_ context: ExecutionContext, continuation: Bool) -> String {
        if continuation { return "   …> " }
        var parts = ["hlsh"]
        if let lab = context.service(LabState.self)?.lab { parts.append(lab.name) }
        if let kube = kubeContext(context.environment) { parts.append("(\(kube))") }
        let label = parts.joined(separator: " ")
        guard context.stdoutTerminal.color else { return label + "> " }
        // libedit drops an unmarked ESC and counts the rest as printed text: mark the escapes.
        return LineEditor.invisibly("\u{1B}[1;36m") + label + LineEditor.invisibly("\u{1B}[0m") + "> "
    }

    /// `current-context` of the first kubeconfig (`$KUBECONFIG`, else `~/.kube/config`).
    static func kubeContext(_ environment: [String: String]) -> String? {
        let path =
            environment["KUBECONFIG"]?.split(separator: ":").first.map(String.init)
            ?? environment["HOME"].map { $0 + "/.kube/config" }
        guard let path, let text = try? String(contentsOfFile: path, encoding: .utf8),
            let doc = try? YAMLCodec.decode(text, file: path), case .string(let name)? = doc["current-context"],
            !name.isEmpty
        else { return nil }
        return name
    }
}
