import Kube

/// The Flux object types the `flux` verbs act on (flux2 v2.9: source v1, kustomize v1, helm
/// v2), with the words the flux CLI accepts for each.
enum FluxKind: String, CaseIterable, Sendable {
    case kustomization, helmRelease, gitRepository, helmRepository, ociRepository, helmChart, bucket

    /// The API type: no discovery needed, the CRDs fix them.
    var resource: KubeResource {
        switch self {
        case .kustomization: Self.type("kustomize.toolkit.fluxcd.io", "v1", "kustomizations", "Kustomization", "ks")
        case .helmRelease: Self.type("helm.toolkit.fluxcd.io", "v2", "helmreleases", "HelmRelease", "hr")
        case .gitRepository: Self.type("source.toolkit.fluxcd.io", "v1", "gitrepositories", "GitRepository", "gitrepo")
        case .helmRepository:
            Self.type("source.toolkit.fluxcd.io", "v1", "helmrepositories", "HelmRepository", "helmrepo")
        case .ociRepository: Self.type("source.toolkit.fluxcd.io", "v1", "ocirepositories", "OCIRepository", "ocirepo")
        case .helmChart: Self.type("source.toolkit.fluxcd.io", "v1", "helmcharts", "HelmChart", "hc")
        case .bucket: Self.type("source.toolkit.fluxcd.io", "v1", "buckets", "Bucket", "")
        }
    }

    private static func type(_ group: String, _ version: String, _ plural: String, _ kind: String, _ short: String)
        -> KubeResource
    {
        KubeResource(
            group: group, version: version, name: plural, kind: kind, namespaced: true,
            shortNames: short.isEmpty ? [] : [short], subresources: ["status"])
    }

    var kind: String { resource.kind }

    var isSource: Bool { ![.kustomization, .helmRelease].contains(self) }

    /// The Ready=False reasons that end a wait for the kind once the controller has handled the
    /// object's generation and request: kustomize-controller's `BuildFailed` (the same revision
    /// builds the same way until a push or a change of spec). Not the failures the controllers
    /// retry at `spec.retryInterval` and that often heal by themselves (`ReconciliationFailed` while
    /// a webhook does not answer yet or a CRD is not established, `HealthCheckFailed`,
    /// `PruneFailed`, a HelmRelease's `InstallFailed`/`UpgradeFailed`, which helm-controller turns
    /// into `Stalled=True` once its remediation retries are exhausted).
    var failureReasons: Set<String> { self == .kustomization ? ["BuildFailed"] : [] }

    /// The words naming it on the command line: `ks`, `kustomization`, `git`, `source-git`, …,
    /// and the CRD's short name kubectl takes (`gitrepo`, `helmrepo`, `ocirepo`, `hc`).
    var words: [String] {
        switch self {
        case .kustomization: ["ks", "kustomization", "kustomizations"]
        case .helmRelease: ["hr", "helmrelease", "helmreleases"]
        case .gitRepository: ["git", "source-git", "gitrepository", "gitrepositories", "gitrepo"]
        case .helmRepository: ["helm", "source-helm", "helmrepository", "helmrepositories", "helmrepo"]
        case .ociRepository: ["oci", "source-oci", "ocirepository", "ocirepositories", "ocirepo"]
        case .helmChart: ["chart", "source-chart", "helmchart", "helmcharts", "hc"]
        case .bucket: ["bucket", "source-bucket", "buckets"]
        }
    }

    /// The kind a word names, nil for none.
    static func named(_ word: String) -> FluxKind? {
        allCases.first { $0.words.contains(word.lowercased()) || $0.kind.lowercased() == word.lowercased() }
    }

    /// The kind of a `Kind` as objects spell it (`spec.sourceRef.kind`, `dependsOn`).
    static func of(kind: String) -> FluxKind? { allCases.first { $0.kind == kind } }

    /// The kinds `flux get WORD` lists: one kind, `sources`, or `all`.
    static func selection(_ word: String) -> [FluxKind]? {
        switch word.lowercased() {
        case "all":
            [.gitRepository, .helmRepository, .ociRepository, .helmChart, .bucket, .kustomization, .helmRelease]
        case "sources", "source": allCases.filter(\.isSource)
        default: named(word).map { [$0] }
        }
    }

    /// The words for every kind, for completion and help.
    static let allWords: [String] = allCases.flatMap { $0.words.prefix(2) }
}
