import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One server of a `SimulatedLab`: the PVE API, the simulated nodes, and next the Kubernetes
/// API, a git server and the Flux, cert-manager and Longhorn controllers. The lab starts its
/// components in order, so a component may use one started before it (the nodes follow the PVE
/// API's guests), and stops them in reverse.
protocol LabComponent: Sendable {
    /// Starts serving; returns the variables a client needs to reach it (merged into the lab's
    /// environment, a later component's winning).
    func start() throws(HLSError) -> [String: String]
    /// Stops serving and ends every process it started. Called once per lab, also when this
    /// component's own `start` failed, so it must work on a half-started component.
    func stop()
}

/// The PVE API over HTTPS (or plain HTTP), with its CA and certificates in its own directory.
struct PVEAPIComponent: LabComponent {
    let simulator: PVESimulator
    let port: Int
    let tls: PVESimulator.TLS

    func start() throws(HLSError) -> [String: String] {
        try simulator.start(port: port, tls: tls)
        return simulator.clientEnvironment
    }

    func stop() { simulator.stop() }
}

/// The simulated nodes: an SSH server per booted guest of the PVE API, reached through the
/// `ssh_config` they keep.
struct SimulatedNodesComponent: LabComponent {
    let nodes: SimulatedNodes

    func start() throws(HLSError) -> [String: String] {
        try nodes.start()
        // hlsh refuses to reach anything but loopback from a simulated lab's nodes.
        return ["HLSH_SSH_CONFIG": nodes.sshConfigPath, "HLSH_SIM_LOOPBACK_ONLY": "1"]
    }

    func stop() { nodes.stop() }
}

/// The Kubernetes API of the lab's k3s server, on a loopback port, its certificates kept in
/// `DIR/kube` (so a kubeconfig stays valid when `sim serve` starts again in the same directory),
/// and `DIR/kubeconfig`: the admin's, with the loopback URL, for kubectl as it is.
///
/// A client that holds a node's kubeconfig (`https://192.168.10.21:6443`, what `node kubeconfig`
/// merges) reaches the API through `HLSH_SIM_KUBE_CONNECT_TO`: one
/// `ADDRESS:6443:127.0.0.1:PORT` entry per address on the serving certificate, applied as curl's
/// `CONNECT_TO` by hlsh's Kube client, as `ssh_config` maps the nodes for SSH.
struct KubeAPIComponent: LabComponent {
    let simulator: KubeAPISimulator
    /// Where `DIR/kubeconfig` goes.
    let kubeconfigPath: String

    func start() throws(HLSError) -> [String: String] {
        if let certificates = simulator.options.certificateDirectory {
            try? FileManager.default.createDirectory(atPath: certificates, withIntermediateDirectories: true)
        }
        let endpoint = try simulator.start()
        try simulator.writeKubeconfig(to: kubeconfigPath)
        let mappings = simulator.options.addresses.filter { !$0.contains(":") }.map {
            "\($0):6443:127.0.0.1:\(endpoint.port)"
        }
        // The name hlsh's Kube client reads (KubeClient.simulatedConnectToVariable); LabSim does
        // not import the client.
        return mappings.isEmpty ? [:] : ["HLSH_SIM_KUBE_CONNECT_TO": mappings.joined(separator: ",")]
    }

    func stop() { simulator.stop() }
}

/// The kubelets of the simulated k3s: registers each node whose k3s unit runs (`SimulatedKubelets`).
struct SimulatedKubeletsComponent: LabComponent {
    let kubelets: SimulatedKubelets

    func start() throws(HLSError) -> [String: String] {
        kubelets.start()
        return [:]
    }

    func stop() { kubelets.stop() }
}

extension KubeAPISimulator.Options {
    /// The seed lab's k3s server (scripts/homelab.yaml): its version, and a serving certificate
    /// that also names the control plane, k3s-cp-01 at 192.168.10.21, as k3s's `node-ip` and
    /// `tls-san` put it there.
    public static var seedLab: Self {
        var options = Self()
        options.version = "v1.33.4+k3s1"
        options.addresses = ["192.168.10.21"]
        options.dnsNames = ["k3s-cp-01"]
        return options
    }
}
