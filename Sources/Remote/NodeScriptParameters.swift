public import HLSCore
public import Inventory

/// What `harden.sh` needs to know about the lab: who may SSH in, and who the other nodes are.
public struct HardenParameters: Sendable, Equatable {
    /// Networks allowed to reach SSH and the Kubernetes API (`192.168.10.0/24`). hlsh's own
    /// address must be in one of them, or the firewall locks hlsh out.
    public var adminCIDRs: [String]
    /// Every k3s node's address. The firewall trusts them fully: flannel masquerades pod traffic
    /// to a node address with the sending node's own, so any host-network port (kubelet,
    /// node-exporter, Longhorn) may be reached from them (`NodePorts.needed`).
    public var nodeAddresses: [String]
    public var podCIDR: String
    public var serviceCIDR: String
    /// The port sshd listens on (the firewall opens it to `adminCIDRs`).
    public var sshPort: Int

    public init(
        adminCIDRs: [String], nodeAddresses: [String],
        podCIDR: String = "10.42.0.0/16", serviceCIDR: String = "10.43.0.0/16", sshPort: Int = 22
    ) {
        self.adminCIDRs = adminCIDRs
        self.nodeAddresses = nodeAddresses
        self.podCIDR = podCIDR
        self.serviceCIDR = serviceCIDR
        self.sshPort = sshPort
    }

    /// The parameters for `vm` in `lab`: every VM is a node, and the admin network is `adminCIDRs` or, when empty, the VM's own subnet.
    public init(lab: Lab, vm: VMSpec, adminCIDRs: [String] = []) {
        let subnet = IPv4Interface(address: vm.ip.network, prefix: vm.ip.prefix).description
        self.init(
            adminCIDRs: adminCIDRs.isEmpty ? [subnet] : adminCIDRs,
            nodeAddresses: lab.vms.map(\.ip.addressText),
            podCIDR: lab.k3s.clusterCIDR, serviceCIDR: lab.k3s.serviceCIDR, sshPort: vm.sshPort)
    }

    var assignments: [(name: String, value: String)] {
        [
            ("HLSH_ADMIN_CIDRS", adminCIDRs.joined(separator: " ")),
            ("HLSH_NODE_ADDRESSES", nodeAddresses.joined(separator: " ")),
            ("HLSH_POD_CIDR", podCIDR),
            ("HLSH_SERVICE_CIDR", serviceCIDR),
            ("HLSH_SSH_PORT", String(sshPort)),
        ]
    }
}

/// The k3s join token: a secret. It travels only inside a payload on stdin and prints redacted.
public struct K3sToken: Sendable, Equatable, CustomStringConvertible {
    public var value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "<k3s token>" }
}

/// What `k3s.sh` installs on one node.
public struct K3sParameters: Sendable, Equatable {
    public var role: VMSpec.Role
    /// The pinned version (`v1.31.4+k3s1`), from the inventory.
    public var version: String
    /// The node's address (`node-ip`).
    public var nodeIP: String
    /// Extra names and addresses on the API server certificate (servers only).
    public var tlsSANs: [String]
    /// `https://SERVER:6443`: set for agents and for servers joining an existing cluster.
    public var serverURL: String?
    /// The first server starts embedded etcd (`cluster-init`): only when other servers join it.
    /// A single server keeps k3s's default SQLite (docs/adr: single server on SQLite).
    public var clusterInit: Bool
    /// Read from the first server (`NodeScript.k3sToken()`); nil on the first server itself.
    public var token: K3sToken?
    public var clusterCIDR: String
    public var serviceCIDR: String
    /// How long to wait for the k3s unit to become active after starting it (never blocking on
    /// systemd: an agent whose token the server rejects never reports ready).
    public var startTimeout: Duration

    static let tokenVariable = "HLSH_K3S_TOKEN"

    public init(
        role: VMSpec.Role, version: String, nodeIP: String, tlsSANs: [String] = [], serverURL: String? = nil,
        clusterInit: Bool = false, token: K3sToken? = nil, clusterCIDR: String = "10.42.0.0/16",
        serviceCIDR: String = "10.43.0.0/16", startTimeout: Duration = .seconds(300)
    ) {
        self.role = role
        self.version = version
        self.nodeIP = nodeIP
        self.tlsSANs = tlsSANs
        self.serverURL = serverURL
        self.clusterInit = clusterInit
        self.token = token
        self.clusterCIDR = clusterCIDR
        self.serviceCIDR = serviceCIDR
        self.startTimeout = startTimeout
    }

    /// The parameters for `vm` in `lab`. The first `server` VM initialises the cluster (with
    /// embedded etcd only when the lab has more than one server); every
    /// other VM joins it at `https://FIRST:6443` with `token` (required for them). Servers get
    /// their name, `name.searchDomain` and address as TLS SANs.
    public init(lab: Lab, vm: VMSpec, token: K3sToken?) throws(HLSError) {
        guard let first = lab.vms.first(where: { $0.role == .server }) else {
            throw HLSError(
                .configuration, "the lab has no k3s server", at: .field(file: lab.file, path: "vms"),
                hint: "give one VM `role: server`")
        }
        let isFirst = vm.name == first.name
        if !isFirst && token == nil {
            throw HLSError(
                .failed, "\(vm.name) joins the cluster but no k3s token was read from \(first.name)",
                at: .host(vm.name), hint: "read it first with NodeScript.k3sToken() on \(first.name)")
        }
        var sans: [String] = []
        if vm.role == .server {
            sans = [vm.name]
            if let domain = lab.network.searchDomain { sans.append("\(vm.name).\(domain)") }
            sans.append(vm.ip.addressText)
        }
        self.init(
            role: vm.role, version: lab.k3s.version, nodeIP: vm.ip.addressText, tlsSANs: sans,
            serverURL: isFirst ? nil : "https://\(first.ip.addressText):6443",
            clusterInit: isFirst && vm.role == .server && lab.vms.filter { $0.role == .server }.count > 1,
            token: isFirst ? nil : token, clusterCIDR: lab.k3s.clusterCIDR, serviceCIDR: lab.k3s.serviceCIDR)
    }

    var assignments: [(name: String, value: String)] {
        [
            ("HLSH_K3S_ACTION", "install"),
            ("HLSH_K3S_ROLE", role.rawValue),
            ("HLSH_K3S_VERSION", version),
            ("HLSH_K3S_NODE_IP", nodeIP),
            ("HLSH_K3S_TLS_SANS", tlsSANs.joined(separator: " ")),
            ("HLSH_K3S_SERVER_URL", serverURL ?? ""),
            ("HLSH_K3S_CLUSTER_INIT", clusterInit ? "1" : "0"),
            (K3sParameters.tokenVariable, token?.value ?? ""),
            ("HLSH_K3S_CLUSTER_CIDR", clusterCIDR),
            ("HLSH_K3S_SERVICE_CIDR", serviceCIDR),
            ("HLSH_K3S_START_TIMEOUT", String(startTimeout.components.seconds)),
        ]
    }
}
