public import HLSCore
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// A whole simulated lab, owned by one value: `hlsh --sim`, `hlsh sim serve` and the tests all
/// start their lab here. It starts the servers in order — the PVE API (HTTPS with its own CA),
/// the k3s cluster's Kubernetes API, the simulated nodes that follow the PVE guests (an OpenSSH
/// server per booted VM, handed the API's kubeconfig for their simulated k3s), then their
/// kubelets (a node whose k3s runs registers as a Kubernetes Node) and the gate that lets clients
/// reach the API only while a control-plane VM runs its k3s server — gathers the environment
/// that points a client at them, and `stop` ends them in reverse order, then removes the lab's
/// directory if the lab made it.
///
/// The directory holds `pve/` (the cluster's CA and certificates), `kube/` (the k3s server's
/// CAs and certificates), `kubeconfig` (the admin's, for kubectl as it is), `ssh_config`,
/// `known_hosts` and `nodes/NAME/` (each VM's root tree and sshd files), and `env` once written.
///
/// The nodes' sshd processes run under a tether (docs/adr/0018): they end with this process
/// even when it is killed. Thread-safe; `stop` may be called from any thread, and more than once.
public final class SimulatedLab: Sendable {
    /// What the lab is made of.
    public struct Options: Sendable {
        /// The simulated Proxmox VE cluster (its timings: `PVESimulatorConfig.Timings`).
        public var pve: PVESimulatorConfig
        /// The PVE API's loopback port; 0 picks a free one.
        public var pvePort: Int
        /// HTTPS with the cluster's own CA, as PVE serves; false: plain HTTP.
        public var pveTLS: Bool
        /// How a booted VM's root tree is made; nil: no simulated nodes (nothing maps VM names to
        /// SSH servers, so SSH goes to the inventory's addresses).
        public var nodeImage: SimulatedNodes.Image?
        /// The k3s server's Kubernetes API (its `addresses` are the control plane's, which the
        /// lab maps to loopback); nil: none. Its certificates always live in `DIR/kube`.
        public var kube: KubeAPISimulator.Options?
        /// The lab's GitHub (git over SSH, deploy-key API, release downloads); nil: none.
        public var git: GitOptions?
        /// Host name → loopback port of further git hosts the simulated Flux's source-controller
        /// reaches, besides the lab's GitHub (`github.com`); asked at each fetch.
        public var gitHosts: @Sendable () -> [String: UInt16] = { [:] }
        /// Faults to inject into the simulated Flux controllers.
        public var fluxFaults = FluxFaults()
        /// How soon a Flux object waiting for a dependency is looked at again. The controllers'
        /// default is 30 s; a rehearsal takes 5 s, so a dependsOn chain does not dominate it.
        public var fluxRequeueDependency: Duration = .seconds(5)
        /// The zones in the lab's Cloudflare account, where DNS-01 records can be made: the
        /// seed's `domain` (scripts/homelab.yaml).
        public var dnsZones = ["home.example.com"]

        public init(
            pve: PVESimulatorConfig, pvePort: Int = 0, pveTLS: Bool = true, nodeImage: SimulatedNodes.Image? = .ubuntu,
            kube: KubeAPISimulator.Options? = .seedLab, git: GitOptions? = .seedLab
        ) {
            self.pve = pve
            self.pvePort = pvePort
            self.pveTLS = pveTLS
            self.nodeImage = nodeImage
            self.kube = kube
            self.git = git
        }
    }

    /// The lab's GitHub.
    public struct GitOptions: Sendable {
        /// The repositories it holds (`OWNER/NAME`), created empty with branch `main`.
        public var repositories: [String]
        /// Release assets it serves, by `OWNER/REPO/TAG/ASSET`, made when the lab starts.
        public var assets: @Sendable () -> [String: [UInt8]]
        /// The owners' account keys (`TYPE BASE64`), which may push; nil: the invoking user's
        /// `~/.ssh/*.pub`, as a user's keys are registered on GitHub.
        public var accountKeys: [String]?

        public init(
            repositories: [String], accountKeys: [String]? = nil,
            assets: @escaping @Sendable () -> [String: [UInt8]] = { [:] }
        ) {
            self.repositories = repositories
            self.accountKeys = accountKeys
            self.assets = assets
        }

        /// The seed lab's: its GitOps repository `example/homelab` (scripts/homelab.yaml), and
        /// the pinned Flux release's `install.yaml`.
        public static var seedLab: GitOptions {
            GitOptions(repositories: ["example/homelab"]) {
                ["fluxcd/flux2/\(FluxRelease.version)/install.yaml": Array(FluxRelease.installYAML.utf8)]
            }
        }
    }

    /// The variable that maps host names to the lab's loopback ports for HTTPS clients: curl
    /// `CONNECT_TO` entries `HOST:PORT:127.0.0.1:PORT`, comma-separated, the first match winning.
    /// Components add entries; those for a named host come before catch-alls (`::…`).
    public static let connectToVariable = "HLSH_SIM_CONNECT_TO"

    /// The lab's GitHub, if it has one.
    public var git: SimulatedGitHost? { gitComponent?.host }
    private let gitComponent: GitHostComponent?

    public let directory: String
    /// The simulated PVE cluster (its request log, fault injection, guests).
    public let pve: PVESimulator
    /// The simulated nodes, unless the options left them out.
    public let nodes: SimulatedNodes?
    /// The k3s cluster's Kubernetes API, unless the options left it out.
    public let kube: KubeAPISimulator?
    /// `DIR/kubeconfig`: the admin's kubeconfig with the API's loopback URL.
    public var kubeconfigPath: String { directory + "/kubeconfig" }
    /// `DIR/user-kubeconfig`: the rehearsal's stand-in for the user's `~/.kube/config`, named by
    /// `KUBECONFIG` in `environment`. `node kubeconfig` merges the lab's context into it (the real
    /// lab's address, reached through `HLSH_SIM_KUBE_CONNECT_TO`), and `kube` verbs and the
    /// prompt read it, so a rehearsal never writes or reads the user's own file. Apart from
    /// `DIR/kubeconfig`, whose loopback URL kubectl uses as it is.
    public var userKubeconfigPath: String { Self.userKubeconfig(in: directory) }

    static func userKubeconfig(in directory: String) -> String { directory + "/user-kubeconfig" }
    /// What a client needs to reach the lab: the PVE API's `PROXMOX_VE_*` and `HLSH_PVE_*`
    /// variables, `HLSH_SSH_CONFIG` with `HLSH_SIM_LOOPBACK_ONLY` when there are nodes,
    /// `HLSH_SIM_KUBE_CONNECT_TO` with the Kubernetes API, `HLSH_SIM_CONNECT_TO` with Traefik's
    /// entry points (`:443`, `:80`), `HLSH_SIM_CA_FILE` with the public roots a browser trusts,
    /// `CLOUDFLARE_API_TOKEN`, and `KUBECONFIG`.
    public let environment: [String: String]
    /// Whether `stop` removes `directory` (a temporary lab's).
    private let ownsDirectory: Bool
    /// The started components in start order; nil once stopped.
    private let running: Mutex<[any LabComponent]?>

    /// Starts a lab in a fresh directory `hlsh-sim-PID.XXXXXX` under `parent` (default: the
    /// temporary directory, `TMPDIR`), which `stop` removes — at once if the lab cannot start.
    public static func temporary(_ options: Options, under parent: String? = nil) throws(HLSError) -> SimulatedLab {
        var base = parent ?? FileManager.default.temporaryDirectory.path
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        var template = Array("\(base)/hlsh-sim-\(getpid()).XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw HLSError(
                .failed, "cannot create the simulated lab's directory in \(base)",
                cause: String(cString: strerror(errno)))
        }
        return try SimulatedLab(options, directory: String(cString: made), ownsDirectory: true)
    }

    /// Starts a lab whose files go in `directory` (made if missing), which `stop` leaves: the
    /// CA stays trusted and `DIR/env` valid for the next start in the same directory.
    public static func start(_ options: Options, in directory: String) throws(HLSError) -> SimulatedLab {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw HLSError(.failed, "cannot create \(directory)", cause: "\(error)")
        }
        return try SimulatedLab(options, directory: directory, ownsDirectory: false)
    }

    private init(_ options: Options, directory: String, ownsDirectory: Bool) throws(HLSError) {
        self.directory = directory
        self.ownsDirectory = ownsDirectory
        let pve = PVESimulator(config: options.pve)
        self.pve = pve
        // Without simulated nodes (whose ssh_config includes it), the GitHub writes the lab's.
        let git = options.git.map {
            GitHostComponent(directory: directory, options: $0, writesLabSSHConfig: options.nodeImage == nil)
        }
        gitComponent = git
        // Let's Encrypt and Cloudflare as the lab's cert-manager reaches them (ADR 0029).
        let letsEncrypt = SimulatedLetsEncrypt(directory: directory + "/acme")
        let cloudflare = SimulatedCloudflare(
            token: try SimulatedCloudflare.token(keptIn: directory + "/cloudflare/token"), zones: options.dnsZones)
        let kube = try options.kube.map { kube throws(HLSError) in
            try Self.kubeComponents(
                kube, of: options, directory: directory, pve: pve, git: git, letsEncrypt: letsEncrypt,
                cloudflare: cloudflare)
        }
        self.kube = kube?.api
        let every = SimulatedNodes.passInterval(requeueScale: options.pve.timings.requeueScale)
        let nodes = options.nodeImage.map {
            Self.nodeComponents($0, directory: directory, every: every, pve: pve, kube: kube?.api)
        }
        self.nodes = nodes?.nodes
        let components: [any LabComponent] =
            [
                PVEAPIComponent(
                    simulator: pve, port: options.pvePort,
                    tls: options.pveTLS ? .generate(directory: directory + "/pve") : .off)
            ] + (kube?.components ?? []) + (nodes?.components ?? []) + (git.map { [$0] } ?? [])
            + [
                PublicTrustComponent(
                    directory: directory, letsEncrypt: letsEncrypt, cloudflare: cloudflare, publicCA: git?.caPath)
            ]
        environment = try Self.start(components, directory: directory, removing: ownsDirectory)
        running = Mutex(components)
    }

    /// The k3s server's API with the cluster's controllers (k3s's ServiceLB, Traefik,
    /// cert-manager, Longhorn, Flux), and Traefik's entry points.
    private static func kubeComponents(
        _ kubeOptions: KubeAPISimulator.Options, of options: Options, directory: String, pve: PVESimulator,
        git: GitHostComponent?, letsEncrypt: SimulatedLetsEncrypt, cloudflare: SimulatedCloudflare
    ) throws(HLSError) -> (api: KubeAPISimulator, components: [any LabComponent]) {
        var kubeOptions = kubeOptions
        kubeOptions.certificateDirectory = directory + "/kube"
        kubeOptions.requeueScale = options.pve.timings.requeueScale
        let serviceLB = SimulatedServiceLB(runs: {
            SimulatedServiceLB.runs(among: pve.guests) { SimulatedNodes.root(of: $0, in: directory) }
        })
        // source-controller reaches the lab's GitHub by its name, like any client.
        let gitHosts = options.gitHosts
        let flux = SimulatedFlux(
            storage: FluxStorage(directory: directory + "/flux"),
            gitHosts: {
                var hosts = gitHosts()
                if let git, let port = git.host.port { hosts[git.host.hostName] = port }
                return hosts
            }, charts: SimulatedFlux.labCharts, faults: options.fluxFaults,
            requeueDependency: options.fluxRequeueDependency, decrypt: SimulatedFlux.sopsDecryption)
        let traefik = try SimulatedTraefik()
        let certManager = SimulatedCertManager(
            webhookLag: .seconds(kubeOptions.certManagerWebhookLag), letsEncrypt: letsEncrypt, cloudflare: cloudflare)
        let longhorn = Longhorn.controllers(root: { SimulatedNodes.root(of: $0, in: directory) })
        // Loki keeps what Alloy pushes and answers its read API behind its pods.
        let loki = SimulatedLoki()
        let kube = KubeAPISimulator(
            options: kubeOptions,
            controllers: [serviceLB, traefik.controller] + certManager.controllers + longhorn + flux.controllers
                + SimulatedPrometheusOperator.controllers() + [SimulatedAlloy(loki: loki)],
            webhooks: [certManager.webhook], backends: [loki.backend])
        return (
            kube,
            [
                KubeAPIComponent(simulator: kube, kubeconfigPath: directory + "/kubeconfig"),
                TraefikComponent(traefik: traefik, kube: kube),
            ]
        )
    }

    /// The simulated nodes that follow the PVE guests, and, with a Kubernetes API, their kubelets.
    private static func nodeComponents(
        _ image: SimulatedNodes.Image, directory: String, every: Duration, pve: PVESimulator, kube: KubeAPISimulator?
    ) -> (nodes: SimulatedNodes, components: [any LabComponent]) {
        // A node's k3s writes this kubeconfig as /etc/rancher/k3s/k3s.yaml when its server starts.
        let nodes = SimulatedNodes(
            directory: directory, image: image,
            handing: { _ in
                (try? kube?.kubeconfig(server: "https://127.0.0.1:6443")).map { [("k3s.yaml", $0)] } ?? []
            }, every: every,
            guests: { pve.guests })
        // A stopped VM's sshd is gone before its stop task reads `OK` (the nodes' own pass comes every 200 ms).
        pve.followPowerOff { try? nodes.reconcile() }
        var components: [any LabComponent] = [SimulatedNodesComponent(nodes: nodes)]
        if let kube {
            components.append(
                SimulatedKubeletsComponent(
                    kubelets: SimulatedKubelets(
                        api: kube, root: { nodes.root(of: $0) }, every: every,
                        gracePeriod: .seconds(pve.config.timings.nodeMonitorGracePeriod), guests: { pve.guests },
                        sshUp: { nodes.port(of: $0) != nil })))
            // The API is the control-plane VM's: it answers only while that VM runs its k3s server.
            components.append(
                SimulatedControlPlaneComponent(
                    controlPlane: SimulatedControlPlane(
                        api: kube, root: { nodes.root(of: $0) }, every: every, guests: { pve.guests })
                )
            )
        }
        return (nodes, components)
    }

    /// Starts `components` in order and gathers their environment (with the user's kubeconfig
    /// stand-in); when one fails, stops those started and, when `removing`, removes `directory`.
    private static func start(
        _ components: [any LabComponent], directory: String, removing: Bool
    ) throws(HLSError) -> [String: String] {
        var environment = ["KUBECONFIG": Self.userKubeconfig(in: directory)]
        var started: [any LabComponent] = []
        do throws(HLSError) {
            for component in components {
                started.append(component)
                for (name, value) in try component.start() {
                    environment[name] =
                        name == Self.connectToVariable ? Self.mergeConnectTo(environment[name], value) : value
                }
            }
        } catch {
            Self.stop(started, removing: removing ? directory : nil)
            throw error
        }
        return environment
    }

    /// Both lists of `CONNECT_TO` entries, those for a named host first (curl takes the first
    /// that matches, so a catch-all must not shadow them).
    static func mergeConnectTo(_ old: String?, _ new: String) -> String {
        let entries = (old.map { $0.split(separator: ",") } ?? []) + new.split(separator: ",")
        let named = entries.filter { !$0.hasPrefix(":") }
        return (named + entries.filter { $0.hasPrefix(":") }).joined(separator: ",")
    }

    /// Writes `DIR/env` (mode 0600): `environment` as shell `export` lines for other tools.
    public func writeEnvironment() throws(HLSError) {
        try EnvironmentFile.write(environment, to: directory + "/env")
    }

    /// Stops every server in reverse start order, then removes the directory if the lab made
    /// it. Only the first call does anything.
    public func stop() {
        guard let components = running.withLock({ $0.take() }) else { return }
        Self.stop(components, removing: ownsDirectory ? directory : nil)
    }

    deinit { stop() }

    /// The directory goes last: a component still running could write into it again.
    private static func stop(_ components: [any LabComponent], removing directory: String?) {
        for component in components.reversed() { component.stop() }
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
    }
}
