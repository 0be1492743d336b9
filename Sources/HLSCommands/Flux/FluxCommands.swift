import HLSCore
import HLSLanguage
import Kube

/// The `flux` object: Flux's objects on the Kubernetes API of the kubeconfig's context, as the
/// flux CLI shows and drives them (`get`, `reconcile`, `suspend`, `resume`, `wait`, `tree`,
/// `diff`, `check`), without the flux binary.
enum FluxCommands {
    static func register(into registry: inout Registry) {
        registry.registerObject(
            "flux",
            summary: "Flux and the GitOps repository it syncs the cluster with")
        for spec in [bootstrap, validate, check, get, reconcile, suspend, resume, wait, tree, diff] {
            registry.register(spec)
        }
        registry.registerProvider(kinds)
        registry.registerProvider(objects)
    }

    /// The namespace Flux objects default to.
    static let defaultNamespace = "flux-system"

    // MARK: Shared declarations

    static let kindParameter = Parameter(
        "kind", .name("flux-kind"), "ks|kustomization, hr|helmrelease, git, helm, oci, chart, bucket")
    static let nameParameter = Parameter("name", .name("flux-object"), "the object's name")
    static let namespaceFlag = Flag(
        "namespace", short: "n", .name("kube-namespace"), "the namespace (default: flux-system)")
    static let timeoutFlag = Flag(
        "timeout", .duration, "how long to wait for the controllers", default: .duration(.seconds(300)))

    static func client(_ inv: Invocation) throws -> KubeClient { try KubeCommands.client(inv) }

    static func namespace(_ inv: Invocation) -> String { inv.string("namespace") ?? defaultNamespace }

    /// The kind named by `kind`, or a usage error listing the words.
    static func kind(_ inv: Invocation) throws -> FluxKind {
        let word = inv.string("kind") ?? ""
        guard let kind = FluxKind.named(word) else {
            throw inv.usage("unknown Flux kind '\(word)'; one of \(FluxKind.allWords.joined(separator: ", "))")
        }
        return kind
    }

    /// One object; a missing one is an error naming kind, namespace and name.
    static func object(
        _ kind: FluxKind, _ name: String, namespace: String, client: KubeClient, inv: Invocation
    ) throws -> FluxObject {
        guard
            let object = try client.getIfPresent(
                kind.resource, name, namespace: namespace, cancellation: inv.context.cancellation)
        else {
            throw inv.failure(
                "\(kind.kind) '\(namespace)/\(name)' not found",
                hint: "list them: flux get \(kind.words[0]) -n \(namespace)")
        }
        return FluxObject(kind: kind, object: object)
    }

    /// Every object of `kind` in `namespace` (every namespace when nil).
    static func objects(_ kind: FluxKind, namespace: String?, client: KubeClient, inv: Invocation) throws
        -> [FluxObject]
    {
        try objects(kind, namespace: namespace, client: client, cancellation: inv.context.cancellation)
    }

    static func objects(_ kind: FluxKind, namespace: String?, client: KubeClient, cancellation: Cancellation)
        throws -> [FluxObject]
    {
        try client.list(kind.resource, namespace: namespace, cancellation: cancellation).items.map {
            FluxObject(kind: kind, object: $0)
        }
    }

    /// Of several kinds, those whose CRDs the server serves (an install without the OCIRepository
    /// CRD lists no OCIRepositories rather than failing); one kind is kept, so its absence is
    /// the error it is.
    static func served(_ kinds: [FluxKind], client: KubeClient, inv: Invocation) throws -> [FluxKind] {
        guard kinds.count > 1 else { return kinds }
        let served = Set(
            try client.discovery(cancellation: inv.context.cancellation).resources.map { "\($0.name).\($0.group)" })
        return kinds.filter { served.contains("\($0.resource.name).\($0.resource.group)") }
    }

    // MARK: get

    static let get = CommandSpec(
        ["flux", "get"], summary: "Flux objects with their revision, suspension and readiness, as flux get shows them",
        discussion: """
            KIND is ks, hr, a source kind (git, helm, oci, chart, bucket), sources (every source kind) or all. \
            READY and MESSAGE come from the Ready condition (False and "waiting to be reconciled" before the \
            controller has written one); REVISION is a Kustomization's last applied revision, a source's \
            artifact revision, a HelmRelease's chart version; hashes of 40 to 128 hex digits are cut to 8, \
            as flux prints them. Rows keep the keys namespace (with -A), name, revision, suspended, ready, \
            message under -o json.
            """,
        positionals: [
            Parameter("kind", .name("flux-kind"), "ks, hr, git, helm, oci, chart, bucket, sources or all"),
            Parameter("name", .name("flux-object"), "one object (default: every one)", optional: true),
        ],
        flags: [namespaceFlag, Flag("all-namespaces", short: "A", "every namespace"), KubeCommands.contextFlag],
        columns: ["namespace", "name", "revision", "suspended", "ready", "message"],
        examples: [
            Example("flux get ks", "the Kustomizations of flux-system", needsLab: true),
            Example(#"flux get all -A | where ready != "True""#, "what is not ready, everywhere", needsLab: true),
        ],
        implementation: .query { inv in
            let word = inv.string("kind")!
            guard let kinds = FluxKind.selection(word) else {
                throw inv.usage(
                    "unknown Flux kind '\(word)'; one of \(FluxKind.allWords.joined(separator: ", ")), sources, all")
            }
            let client = try client(inv)
            let everywhere = inv.flag("all-namespaces")
            var rows: [Value] = []
            for kind in try served(kinds, client: client, inv: inv) {
                if let name = inv.string("name") {
                    guard
                        let object = try client.getIfPresent(
                            kind.resource, name, namespace: namespace(inv), cancellation: inv.context.cancellation)
                    else { continue }
                    rows.append(FluxObject(kind: kind, object: object).row(namespaceColumn: everywhere))
                } else {
                    let found = try objects(
                        kind, namespace: everywhere ? nil : namespace(inv), client: client, inv: inv)
                    rows += found.map { $0.row(namespaceColumn: everywhere) }
                }
            }
            if let name = inv.string("name"), rows.isEmpty {
                throw inv.failure("no \(word) named '\(name)' in namespace \(namespace(inv))")
            }
            return .list(rows)
        })
}
