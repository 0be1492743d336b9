/// The Flux release hlsh installs and checks against (ADR 0028): flux2 v2.9, whose `flux check`
/// requires Kubernetes 1.33 or later.
struct FluxRelease: Sendable {
    /// `v2.9.4`.
    var version: String

    static let pinned = FluxRelease(version: "v2.9.4")

    /// The oldest Kubernetes minor the release supports (`>=1.33.0-0` for v2.9).
    var minimumKubernetes: (major: Int, minor: Int) { (1, 33) }

    /// The release's `install.yaml` (every CRD and controller of the default components).
    var installURL: String { "https://github.com/fluxcd/flux2/releases/download/\(version)/install.yaml" }

    /// The Deployments of the default components.
    static let components = ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"]

    /// `(1, 33)` of `v1.33.4+k3s1`; nil for text that is not a version.
    static func minor(of gitVersion: String) -> (major: Int, minor: Int)? {
        let numbers = gitVersion.drop { $0 == "v" }.split(separator: ".").prefix(2).map {
            Int($0.prefix { $0.isNumber })
        }
        guard numbers.count == 2, let major = numbers[0], let minor = numbers[1] else { return nil }
        return (major, minor)
    }

    /// Whether a server of `gitVersion` is recent enough.
    func supports(_ gitVersion: String) -> Bool {
        guard let (major, minor) = Self.minor(of: gitVersion) else { return false }
        return (major, minor) >= minimumKubernetes
    }
}
