import HLSCore
import HLSLanguage

extension FluxCommands {
    static let validate = CommandSpec(
        ["flux", "validate"],
        summary: "Check a GitOps checkout offline, as CI would: YAML, builds, references, encrypted Secrets",
        discussion: """
            Reads every .yaml/.yml file under DIR (hidden files and folders left out): each must parse, and each \
            manifest have apiVersion and kind. Builds every Flux Kustomization's spec.path from this repository, \
            and every folder with a kustomization.yaml, with hlsh's build (the one flux diff uses, which agrees \
            with kubectl kustomize); a kustomization using what hlsh does not build is a warning. Then, among \
            the objects as Flux would apply them: each Kustomization's sourceRef and dependsOn, each \
            HelmRelease's chart source (its HelmRepository, in sourceRef.namespace or the HelmRelease's own, as \
            helm-controller resolves it) and dependsOn must name an object of the tree, without dependsOn \
            cycles. The GitRepository flux-system is taken as given when gotk-sync.yaml is not there yet \
            (`flux bootstrap` writes it), in a note. Every Secret in a file a .sops.yaml creation rule covers \
            must be SOPS-encrypted, and a Kustomization that applies one must decrypt it (spec.decryption). \
            One row per problem, at the file, line and column to mend; the summary goes to standard error. \
            Any error fails the verb (exit 1); warnings and notes do not.
            """,
        positionals: [
            Parameter("dir", .path, "the checkout of the GitOps repository", default: .string("."))
        ],
        columns: ["file", "line", "column", "level", "check", "message"],
        examples: [
            Example("flux validate gitops", "the checkout in ./gitops, as its CI workflow checks it"),
            Example(
                #"flux validate gitops | where check == "reference""#,
                "only what names a source or dependency that is not there"),
        ],
        implementation: .query { inv in
            let validation = try FluxValidation.run(inv.string("dir")!)
            let rows = Value.list(validation.sortedProblems.map(\.record))
            let (errors, warnings) = (validation.errors, validation.warnings)
            let summary =
                "\(count(errors, "error")), \(count(warnings, "warning")) in \(count(validation.fileCount, "file")), "
                + "\(count(validation.builds, "build"))"
            guard errors == 0 else {
                // The table is the report; the error sums it up.
                inv.context.out(
                    Render.value(rows, format: inv.outputFormat, terminal: inv.context.stdoutTerminal))
                throw inv.failure(summary, hint: "each row names the file, line and column to mend")
            }
            inv.context.err("flux validate: \(summary)\n")
            return rows
        })

    /// `1 error`, `2 errors`.
    private static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }
}
