import HLSCore

/// The simulated Flux controllers, to add to a lab's `controllers:` list: source-controller
/// (GitRepositories, HelmRepositories), kustomize-controller and helm-controller, each acting
/// only while its Deployment (from install.yaml) has an available pod.
public struct SimulatedFlux: Sendable {
    /// Where source-controller keeps its artifacts.
    public var storage: FluxStorage
    /// Host name → loopback port of the lab's git hosts (the lead maps `github.com` to the
    /// SimulatedGitHost's port).
    public var gitHosts: @Sendable () -> [String: UInt16]
    /// Charts helm-controller can install (cert-manager, longhorn, traefik …).
    var charts: [SimulatedChart]
    public let faults: FluxFaults
    /// How soon an object waiting for a dependency is looked at again (the controllers'
    /// `--requeue-dependency`, 30s by default).
    public var requeueDependency: Duration
    /// SOPS decryption for kustomize-controller; nil until the lab wires `SimulatedSOPS` in.
    var decrypt: FluxSOPSDecryption?

    init(
        storage: FluxStorage, gitHosts: @escaping @Sendable () -> [String: UInt16], charts: [SimulatedChart] = [],
        faults: FluxFaults = FluxFaults(), requeueDependency: Duration = .seconds(30),
        decrypt: FluxSOPSDecryption? = nil
    ) {
        self.storage = storage
        self.gitHosts = gitHosts
        self.charts = charts
        self.faults = faults
        self.requeueDependency = requeueDependency
        self.decrypt = decrypt
    }

    var controllers: [any SimulatedController] {
        [
            SimulatedGitRepositoryController(storage: storage, hosts: gitHosts, faults: faults),
            SimulatedHelmRepositoryController(faults: faults),
            SimulatedKustomizeController(
                storage: storage, faults: faults, requeueDependency: requeueDependency, decrypt: decrypt),
            SimulatedHelmController(charts: charts, faults: faults, requeueDependency: requeueDependency),
        ]
    }
}
