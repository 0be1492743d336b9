#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Everything that shapes one simulated Proxmox VE cluster: its nodes and storages, the
/// templates it starts with, who may log in, and how slow or strict it behaves.
///
/// `PVESimulatorConfig.seedLab()` is the homelab of the seed (pve1 + pve2 as one cluster, an
/// Ubuntu 24.04 cloud-init template on each node's local-lvm); tests usually start from it with
/// the `.fastTest` timings, `hlsh --sim` with `.demo`.
public struct PVESimulatorConfig: Sendable {
    public struct Node: Sendable {
        public var name: String
        public var maxcpu: Int
        /// Bytes.
        public var maxmem: Int
        /// Bytes of the root filesystem.
        public var maxdisk: Int
        /// The node's own `resolv.conf`, used by cloud-init when a VM sets no nameserver.
        public var dnsServers: [String]
        public var searchDomain: String
        public init(
            name: String, maxcpu: Int = 8, maxmem: Int = 32 << 30, maxdisk: Int = 100 << 30,
            dnsServers: [String] = ["192.168.1.1"], searchDomain: String = "home.arpa"
        ) {
            self.name = name
            self.maxcpu = maxcpu
            self.maxmem = maxmem
            self.maxdisk = maxdisk
            self.dnsServers = dnsServers
            self.searchDomain = searchDomain
        }
    }

    public struct Storage: Sendable {
        public var id: String
        /// PVE plugin type: `lvmthin`, `dir`, `nfs`, `zfspool`, `rbd`.
        public var type: String
        /// Content types, e.g. `["images", "rootdir"]` or `["iso", "vztmpl", "backup"]`.
        public var content: [String]
        public var shared: Bool
        /// The nodes that have it; `nil` means every node.
        public var nodes: [String]?
        /// Bytes per node (or in total when shared).
        public var total: Int
        public init(
            id: String, type: String, content: [String], shared: Bool = false, nodes: [String]? = nil,
            total: Int = 500 << 30
        ) {
            self.id = id
            self.type = type
            self.content = content
            self.shared = shared
            self.nodes = nodes
            self.total = total
        }
    }

    /// A VM template as the usual cloud-image recipe leaves it: a disk imported from the image,
    /// a cloud-init drive on `ide2`, `serial0: socket` and `vga: serial0`, `template: 1`.
    public struct Template: Sendable {
        public var vmid: Int
        public var name: String
        public var node: String
        public var storage: String
        /// Bytes of `scsi0` (the Ubuntu 24.04 cloud image is 3.5 GiB).
        public var diskSize: Int
        public var cores: Int
        /// MiB.
        public var memory: Int
        public var agent: Bool
        public init(
            vmid: Int, name: String, node: String, storage: String = "local-lvm", diskSize: Int = 3584 << 20,
            cores: Int = 2, memory: Int = 2048, agent: Bool = true
        ) {
            self.vmid = vmid
            self.name = name
            self.node = node
            self.storage = storage
            self.diskSize = diskSize
            self.cores = cores
            self.memory = memory
            self.agent = agent
        }
    }

    /// A user who can obtain tickets. `privileges` maps ACL paths (`/`, `/vms/101`,
    /// `/storage/local-lvm`) to privilege names; a privilege on a path also holds below it.
    public struct User: Sendable {
        public var userid: String
        public var password: String
        public var privileges: [String: [String]]
        public init(userid: String, password: String, privileges: [String: [String]] = ["/": PVEPrivileges.all]) {
            self.userid = userid
            self.password = password
            self.privileges = privileges
        }
    }

    /// An API token `USER@REALM!NAME` with its secret. With privilege separation (PVE's default)
    /// the token has only `privileges` (intersected with its user's); without, it has its user's.
    public struct Token: Sendable {
        public var userid: String
        public var name: String
        public var secret: String
        public var privilegeSeparation: Bool
        public var privileges: [String: [String]]
        public init(
            userid: String, name: String, secret: String, privilegeSeparation: Bool = true,
            privileges: [String: [String]] = ["/": PVEPrivileges.all]
        ) {
            self.userid = userid
            self.name = name
            self.secret = secret
            self.privilegeSeparation = privilegeSeparation
            self.privileges = privileges
        }
        /// `root@pam!hlsh`
        public var tokenID: String { "\(userid)!\(name)" }
    }

    /// What a 401 says in its status line when a token or ticket is wrong. pve-manager ≥ 9.1
    /// says only "Authentication failed!"; PVE 8 and 9.0 pass the verifier's own words
    /// ("invalid token value!", "permission denied - invalid PVE ticket").
    public enum AuthFailureWording: Sendable {
        case unified
        case detailed
    }

    public var nodes: [Node]
    public var storages: [Storage]
    public var templates: [Template]
    public var users: [User]
    public var tokens: [Token]
    public var pools: [String]
    /// Shown by `GET /version`.
    public var version: String
    public var clusterName: String

    /// How long tasks, boots and refusals take (`Timings.proxmox`, `.demo`, `.fastTest`).
    public var timings: Timings
    /// Whether guests react to ACPI shutdown at all (if not, shutdown waits for its timeout).
    public var guestsHonourShutdown: Bool
    /// Ticket lifetime in seconds (PVE: 2 h).
    public var ticketLifetime: Double
    /// libpve-http-server-perl ≥ 5.2.0 (PVE 8.3+, 9) also puts the error text in the body
    /// (`message` in JSON, plain text for transport errors); older servers only in the status line.
    public var messageInBody: Bool
    public var authFailureWording: AuthFailureWording

    public init(
        nodes: [Node], storages: [Storage], templates: [Template], users: [User], tokens: [Token],
        pools: [String] = [], version: String = "9.0.10", clusterName: String = "homelab",
        timings: Timings = .proxmox, guestsHonourShutdown: Bool = true, ticketLifetime: Double = 7200,
        messageInBody: Bool = true, authFailureWording: AuthFailureWording = .unified
    ) {
        self.nodes = nodes
        self.storages = storages
        self.templates = templates
        self.users = users
        self.tokens = tokens
        self.pools = pools
        self.version = version
        self.clusterName = clusterName
        self.timings = timings
        self.guestsHonourShutdown = guestsHonourShutdown
        self.ticketLifetime = ticketLifetime
        self.messageInBody = messageInBody
        self.authFailureWording = authFailureWording
    }

    /// The seed homelab: one cluster of `pve1` and `pve2`, each with `local` (dir: ISOs,
    /// templates, backups) and `local-lvm` (lvmthin: VM disks), and the template
    /// `ubuntu-2404-cloud` on each node's own local-lvm (9000 on pve1, 9001 on pve2) — local
    /// storage cannot be cloned across nodes, so each node keeps its own copy. `root@pam` has a
    /// password and the token `root@pam!hlsh`; `hlsh@pve!readonly` shows privilege separation.
    public static func seedLab(
        rootPassword: String = "sim-root-password", tokenSecret: String = "5e7e50b1-35b9-60b0-8c1a-3a5d7f1e2b40",
        timings: Timings = .proxmox
    ) -> PVESimulatorConfig {
        PVESimulatorConfig(
            nodes: [
                Node(name: "pve1", maxcpu: 8, maxmem: 32 << 30),
                Node(name: "pve2", maxcpu: 12, maxmem: 64 << 30),
            ],
            storages: [
                Storage(id: "local", type: "dir", content: ["iso", "vztmpl", "backup", "snippets"], total: 100 << 30),
                Storage(id: "local-lvm", type: "lvmthin", content: ["images", "rootdir"], total: 800 << 30),
            ],
            templates: [
                Template(vmid: 9000, name: "ubuntu-2404-cloud", node: "pve1"),
                Template(vmid: 9001, name: "ubuntu-2404-cloud", node: "pve2"),
            ],
            users: [
                User(userid: "root@pam", password: rootPassword),
                User(userid: "hlsh@pve", password: rootPassword, privileges: ["/": PVEPrivileges.all]),
            ],
            tokens: [
                Token(userid: "root@pam", name: "hlsh", secret: tokenSecret, privilegeSeparation: false),
                Token(
                    userid: "hlsh@pve", name: "readonly", secret: tokenSecret,
                    privileges: ["/": ["VM.Audit", "Sys.Audit", "Datastore.Audit", "VM.GuestAgent.Audit"]]),
            ],
            pools: ["homelab"], timings: timings)
    }

    /// The seed homelab with a random root password and token secret: whoever can read a lab's
    /// environment can log in, so every lab that others may reach gets its own.
    public static func seedLabWithFreshSecrets(timings: Timings) -> PVESimulatorConfig {
        seedLab(rootPassword: UUID().uuidString, tokenSecret: UUID().uuidString.lowercased(), timings: timings)
    }
}

/// PVE's privilege names (`pveum role list`), grouped as the built-in roles use them.
public enum PVEPrivileges {
    /// Everything `Administrator` has.
    public static let all: [String] = [
        "Datastore.Allocate", "Datastore.AllocateSpace", "Datastore.AllocateTemplate", "Datastore.Audit",
        "Group.Allocate", "Mapping.Audit", "Mapping.Modify", "Mapping.Use", "Permissions.Modify",
        "Pool.Allocate", "Pool.Audit", "Realm.Allocate", "Realm.AllocateUser", "SDN.Allocate", "SDN.Audit",
        "SDN.Use", "Sys.AccessNetwork", "Sys.Audit", "Sys.Console", "Sys.Incoming", "Sys.Modify", "Sys.PowerMgmt",
        "Sys.Syslog", "User.Modify", "VM.Allocate", "VM.Audit", "VM.Backup", "VM.Clone", "VM.Config.CDROM",
        "VM.Config.CPU", "VM.Config.Cloudinit", "VM.Config.Disk", "VM.Config.HWType", "VM.Config.Memory",
        "VM.Config.Network", "VM.Config.Options", "VM.Console", "VM.GuestAgent.Audit",
        "VM.GuestAgent.FileSystemMgmt", "VM.GuestAgent.FileRead", "VM.GuestAgent.FileWrite",
        "VM.GuestAgent.Unrestricted", "VM.Migrate", "VM.PowerMgmt", "VM.Replicate", "VM.Snapshot",
        "VM.Snapshot.Rollback",
    ]
}
