import HLSCore
import HLSLanguage
import LabSim

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `sim serve`: keep a simulated lab running for other tools (proxmoxer, curl, another hlsh).
enum SimCommands {
    static func register(into registry: inout Registry) {
        registry.registerObject("sim", summary: "the simulated lab (the same protocols as the real one, on loopback)")
        registry.register(serve)
    }

    static let serve = CommandSpec(
        ["sim", "serve"], summary: "Run the simulated lab in the foreground until Ctrl-C",
        discussion: """
            Starts the simulated Proxmox VE API over HTTPS on a loopback port with its own CA, the k3s \
            cluster's Kubernetes API, Traefik's entry points, and an OpenSSH server for each VM once it has \
            booted (its simulated k3s joins that API). Writes DIR/env with the PROXMOX_VE_* variables (and \
            HLSH_PVE_CA_FILE, HLSH_PVE_FINGERPRINT, HLSH_SSH_CONFIG, HLSH_SIM_KUBE_CONNECT_TO, \
            HLSH_SIM_CONNECT_TO) a client needs, and \
            KUBECONFIG=DIR/user-kubeconfig, where `node kubeconfig` writes instead of ~/.kube/config: `. DIR/env` in \
            another shell, then run hlsh, proxmoxer or curl against it; `ssh -F DIR/ssh_config k3s-cp-01` \
            reaches a booted VM, and `kubectl --kubeconfig DIR/kubeconfig get nodes` the cluster. \
            It also stands in for GitHub: the GitOps repository example/homelab over SSH as github.com \
            (DIR/ssh_config includes its entry and host key; your ~/.ssh/*.pub keys may push), and its \
            deploy-key API and release downloads over HTTPS, reached through HLSH_SIM_CONNECT_TO with the \
            CA in HLSH_SIM_CA_FILE and the token in GITHUB_TOKEN. Its cert-manager reaches a simulated \
            Let's Encrypt (production and staging directories; HLSH_SIM_CA_FILE also holds the production \
            root, as a browser's trust store does) and Cloudflare's DNS API, whose token is CLOUDFLARE_API_TOKEN. \
            Tasks and boots take about as long as on a small real cluster; HLSH_SIM_TIMINGS=demo (what \
            hlsh --sim uses) or test makes them shorter, and zero takes them away.
            """,
        flags: [
            Flag("dir", .path, "where to write env, the CA and the simulator's files", required: true),
            Flag("port", .int, "the Proxmox API's port (0: a free one)", default: .int(0)),
        ],
        examples: [
            Example("sim serve --dir /tmp/lab", "serve a simulated lab; source /tmp/lab/env elsewhere", needsLab: true)
        ],
        implementation: .query { inv in
            guard let dir = inv.string("dir") else {
                throw inv.usage("--dir is required: a directory of the lab's own, e.g. --dir /tmp/lab")
            }
            // Fresh secrets per run: whoever can read DIR/env (mode 0600) can log in.
            let lab = try SimulatedLab.start(
                SimulatedLab.Options(
                    pve: .seedLabWithFreshSecrets(
                        timings: try .chosen(in: inv.context.environment, else: .proxmox)),
                    pvePort: inv.int(defaulted: "port")),
                in: dir)
            defer { lab.stop() }
            try lab.writeEnvironment()
            let endpoint = lab.environment["PROXMOX_VE_ENDPOINT"] ?? ""
            inv.context.err("simulated Proxmox VE at \(endpoint) — environment in \(dir)/env; Ctrl-C stops it\n")
            if let kube = lab.kube?.endpoint {
                inv.context.err("simulated Kubernetes API at \(kube.url) — kubeconfig in \(lab.kubeconfigPath)\n")
            }
            if let git = lab.git, let port = git.port {
                inv.context.err(
                    "simulated GitHub: git over SSH on 127.0.0.1:\(port) as github.com (\(dir)/ssh_config)\n")
            }
            _ = inv.context.cancellation.sleep(for: .seconds(Int64.max))
            inv.context.err("simulated lab stopped\n")
            return .null
        })
}
