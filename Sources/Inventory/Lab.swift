public import HLSCore
public import HLSTransport

/// The lab as `homelab.yaml` describes it: Proxmox, the VM template, network, the VMs, SSH,
/// k3s and GitOps settings. Never a secret: those come from the environment or files.
public struct Lab: Sendable, Equatable {
    public var name: String
    /// The file it was read from (for messages and relative paths).
    public var file: String
    public var proxmox: ProxmoxSettings
    public var template: TemplateSpec
    public var storage: String
    public var bridge: String
    public var network: NetworkSpec
    public var ssh: SSHSettings
    public var vms: [VMSpec]
    public var k3s: K3sSettings
    public var gitops: GitOpsSettings?
    public var domain: String?

    public func vm(named name: String) -> VMSpec? { vms.first { $0.name == name } }
}

public struct ProxmoxSettings: Sendable, Equatable {
    /// `https://pve1.lan:8006/`; `PROXMOX_VE_ENDPOINT` overrides it.
    public var endpoint: String?
    /// The PVE nodes (hosts) of the cluster, in order.
    public var nodes: [String]
    /// A CA certificate to trust (PVE's `/etc/pve/pve-root-ca.pem`, copied locally).
    public var caFile: String?
    /// The server certificate's SHA-256 fingerprint (`AA:BB:…`, as `pvenode cert info` shows
    /// it), for self-signed hosts without a CA file; `HLSH_PVE_FINGERPRINT` overrides it.
    public var fingerprint: CertificateFingerprint?
    /// Skip TLS verification (warned about on every run).
    public var insecure: Bool
    /// The environment variable holding the API token (default `PROXMOX_VE_API_TOKEN`).
    public var tokenEnv: String
    /// Allow a plain `http://` endpoint, whose credentials cross the network in clear text
    /// (warned about on every run); `HLSH_PVE_ALLOW_HTTP` overrides it.
    public var allowHTTP: Bool = false
    /// Where `endpoint` is written, for messages about it.
    public var endpointAt: SourceLocation? = nil
}

public struct TemplateSpec: Sendable, Equatable {
    /// The template VM's name (`ubuntu-2404-cloud`).
    public var name: String
    /// Its VMID when known; else it is found by name.
    public var vmid: Int?
}

public struct NetworkSpec: Sendable, Equatable {
    public var gateway: UInt32
    public var dns: [String]
    public var searchDomain: String?
}

public struct SSHSettings: Sendable, Equatable {
    public var user: String
    /// Public keys written into each VM by cloud-init: paths (`~/.ssh/id_ed25519.pub`) or keys.
    public var publicKeys: [String]
    /// Record unknown host keys on first contact instead of refusing them.
    public var acceptNewHostKeys: Bool
}

public struct VMSpec: Sendable, Equatable {
    public enum Role: String, Sendable, Equatable, CaseIterable {
        case server, agent
    }

    public var name: String
    /// The Proxmox node (host) it runs on.
    public var host: String
    public var vmid: Int?
    public var role: Role
    public var cores: Int
    /// Bytes.
    public var memory: Int64
    /// Bytes.
    public var osDisk: Int64
    /// Bytes; nil for no data disk.
    public var dataDisk: Int64?
    /// Where `node disks` mounts the data disk (`/var/lib/longhorn`, Longhorn's default data
    /// path), after giving it an ext4 file system if it has nothing on it; nil: left alone.
    public var dataMount: String?
    public var ip: IPv4Interface
    /// The port sshd listens on (22 unless the inventory says otherwise).
    public var sshPort: Int
    public var tags: [String]
    /// Where in the inventory it was declared.
    public var declaredAt: SourceLocation
}

public struct K3sSettings: Sendable, Equatable {
    public var version: String
    public var clusterCIDR: String
    public var serviceCIDR: String
}

/// `gitops:`: the Flux repository (`ssh://git@github.com/OWNER/REPO`), branch and path, the
/// pinned Flux release and its `install.yaml` checksum, and the age key SOPS decrypts with.
public struct GitOpsSettings: Sendable, Equatable {
    public var url: String
    public var branch: String
    public var path: String
    /// The Flux release `flux bootstrap` installs (`v2.9.4`).
    public var fluxVersion: String = "v2.9.4"
    /// The SHA-256 (hex) the release's `install.yaml` must have; nil: not checked.
    public var installSHA256: String?
    /// The age key file (`AGE-SECRET-KEY-…`) that goes into the `sops-age` Secret; nil: none.
    public var ageKeyFile: String?
}
