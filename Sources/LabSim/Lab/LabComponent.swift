import HLSCore

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
