import HLSCore

/// Traefik's entry points in a lab: started after the Kubernetes API, whose state they serve,
/// and reached through `HLSH_SIM_CONNECT_TO`, curl `CONNECT_TO` entries that send every host's
/// `:443` and `:80` to the loopback ports (probe reads it; a client maps a name to the lab as
/// `ssh_config` maps the nodes). Specific hosts (`github.com:443`, the release download) go
/// before these catch-alls, as curl applies the first entry that matches.
struct TraefikComponent: LabComponent {
    let traefik: SimulatedTraefik
    let kube: KubeAPISimulator

    func start() throws(HLSError) -> [String: String] {
        guard let client = kube.inProcessClient(manager: traefik.name) else {
            throw HLSError(.failed, "the simulated Traefik needs the Kubernetes API running")
        }
        let ports = try traefik.start(client: client)
        // The name hlsh's probe reads (ProbeCommand.connectToVariable); LabSim does not import the client.
        return ["HLSH_SIM_CONNECT_TO": ":443:127.0.0.1:\(ports.https),:80:127.0.0.1:\(ports.http)"]
    }

    func stop() { traefik.stop() }
}
