import HLSCore

/// The API methods the simulator implements, each with its parameter schema and permission
/// check as the pve-manager / qemu-server method declares them.
enum PVERoutes {
    /// `pve-node`
    static let node = PVEProp.string(optional: false, format: PVEFormats.node)
    /// `pve-vmid`
    static let vmid = PVEProp(
        kind: .integer, optional: false, format: PVEFormats.vmid, minimum: 100, maximum: 999_999_999)
    static let optionalVMID = PVEProp(kind: .integer, format: PVEFormats.vmid, minimum: 100, maximum: 999_999_999)

    /// `user => 'all'`: any authenticated caller.
    static let anyone: @Sendable (PVECall) throws(PVEError) -> Void = { _ throws(PVEError) in }

    static func vmPerm(_ privs: [String], any: Bool = false) -> @Sendable (PVECall) throws(PVEError) -> Void {
        { call throws(PVEError) in try call.check("/vms/\(call.vmid)", privs, any: any) }
    }

    static let configPrivileges = [
        "VM.Config.Disk", "VM.Config.CDROM", "VM.Config.CPU", "VM.Config.Memory", "VM.Config.Network",
        "VM.Config.HWType", "VM.Config.Options", "VM.Config.Cloudinit",
    ]

    static var all: [PVERoute] {
        let qemu = "/nodes/{node}/qemu/{vmid}"
        let vmParams: [String: PVEProp] = ["node": node, "vmid": vmid]
        let skiplock: [String: PVEProp] = ["skiplock": .boolean()]
        var configUpdate = vmParams.merging(PVEQemuSchema.configProperties) { a, _ in a }
        configUpdate.merge([
            "skiplock": .boolean(), "delete": .string(format: PVEFormats.configIDList),
            "revert": .string(format: PVEFormats.configIDList), "force": .boolean(), "digest": .string(maxLength: 40),
            "skip_cloud_init": .boolean(), "import-working-storage": .string(format: PVEFormats.storageID),
        ]) { a, _ in a }
        var configUpdateAsync = configUpdate
        configUpdateAsync["background_delay"] = .integer(minimum: 1, maximum: 30)

        return [
            PVERoute(method: "GET", path: "/", parameters: [:], permission: anyone) { _ throws(PVEError) in
                PVEHandlers.subdirs(["version", "cluster", "nodes", "storage", "access", "pools"])
            },
            PVERoute(
                method: "GET", path: "/version", parameters: [:], permission: anyone, handler: PVEHandlers.version),
            PVERoute(method: "GET", path: "/nodes/{node}", parameters: ["node": node], permission: anyone) {
                call throws(PVEError) in
                _ = try call.withState { (s: inout PVEState) throws(PVEError) -> String in
                    try PVEHandlers.requireNode(s, call.node).config.name
                }
                return PVEHandlers.subdirs(["qemu", "storage", "tasks", "status", "version"])
            },
            PVERoute(
                method: "POST", path: "/access/ticket",
                parameters: [
                    "username": .string(optional: false, maxLength: 64), "password": .string(optional: false),
                    "realm": .string(), "otp": .string(), "path": .string(maxLength: 64),
                    "privs": .string(maxLength: 64),
                    "new-format": .boolean(), "tfa-challenge": .string(),
                ], allowToken: false, permission: anyone, handler: PVEHandlers.createTicket),
            PVERoute(method: "GET", path: "/access/ticket", parameters: [:], permission: anyone) { _ throws(PVEError) in
                PVEResult(.null)
            },
            PVERoute(method: "GET", path: "/access/domains", parameters: [:], permission: anyone) {
                _ throws(PVEError) in
                PVEResult(
                    .array([
                        PVEHandlers.obj([
                            ("realm", .string("pam")), ("type", .string("pam")),
                            ("comment", .string("Linux PAM standard authentication")),
                        ]),
                        PVEHandlers.obj([
                            ("realm", .string("pve")), ("type", .string("pve")),
                            ("comment", .string("Proxmox VE authentication server")),
                        ]),
                    ]))
            },
            PVERoute(method: "GET", path: "/nodes", parameters: [:], permission: anyone, handler: PVEHandlers.nodes),
            PVERoute(
                method: "GET", path: "/nodes/{node}/status", parameters: ["node": node],
                permission: { call throws(PVEError) in try call.check("/nodes/\(call.node)", ["Sys.Audit"]) },
                handler: PVEHandlers.nodeStatus),
            PVERoute(
                method: "GET", path: "/nodes/{node}/qemu", parameters: ["node": node, "full": .boolean()],
                permission: anyone, handler: PVEHandlers.qemuList),
            PVERoute(
                method: "GET", path: "/nodes/{node}/storage",
                parameters: [
                    "node": node, "content": .string(), "enabled": .boolean(), "format": .boolean(),
                    "storage": .string(format: PVEFormats.storageID), "target": .string(format: PVEFormats.node),
                ], permission: anyone, handler: PVEHandlers.storageList),
            PVERoute(
                method: "GET", path: "/cluster/resources",
                parameters: ["type": .string(enumValues: ["vm", "storage", "node", "sdn"])], permission: anyone,
                handler: PVEHandlers.resources),
            PVERoute(
                method: "GET", path: "/cluster/nextid", parameters: ["vmid": optionalVMID], permission: anyone,
                handler: PVEHandlers.nextID),
            PVERoute(
                method: "GET", path: "/cluster/status", parameters: [:],
                permission: { call throws(PVEError) in try call.check("/", ["Sys.Audit"]) },
                handler: PVEHandlers.clusterStatus),
            PVERoute(
                method: "GET", path: "/nodes/{node}/tasks",
                parameters: [
                    "node": node, "start": .integer(minimum: 0), "limit": .integer(minimum: 0), "vmid": optionalVMID,
                    "typefilter": .string(), "userfilter": .string(), "errors": .boolean(),
                    "source": .string(enumValues: ["archive", "active", "all"]), "statusfilter": .string(),
                    "since": .integer(), "until": .integer(),
                ], permission: anyone, handler: PVEHandlers.taskList),
            PVERoute(
                method: "GET", path: "/nodes/{node}/tasks/{upid}/status",
                parameters: ["node": node, "upid": .string(optional: false)],
                permission: anyone, handler: PVEHandlers.taskStatus),
            PVERoute(
                method: "GET", path: "/nodes/{node}/tasks/{upid}/log",
                parameters: [
                    "node": node, "upid": .string(optional: false), "start": .integer(minimum: 0),
                    "limit": .integer(minimum: 0), "download": .boolean(),
                ], permission: anyone, handler: PVEHandlers.taskLog),

            // qemu
            PVERoute(
                method: "POST", path: "\(qemu)/clone",
                parameters: vmParams.merging([
                    "newid": vmid, "name": .string(format: PVEFormats.dnsName), "description": .string(),
                    "pool": .string(format: PVEFormats.poolID), "snapname": .string(maxLength: 40),
                    "storage": .string(format: PVEFormats.storageID),
                    "format": .string(enumValues: ["raw", "qcow2", "vmdk"]),
                    "full": .boolean(), "target": .string(format: PVEFormats.node), "bwlimit": .integer(minimum: 0),
                ]) { a, _ in a },
                permission: PVEHandlers.clonePermission, handler: PVEHandlers.clone),
            PVERoute(method: "GET", path: qemu, parameters: vmParams, permission: anyone) { call throws(PVEError) in
                _ = try call.withState { (s: inout PVEState) throws(PVEError) -> Int in
                    try PVEHandlers.requireVM(s, call.vmid, on: call.node).vmid
                }
                return PVEHandlers.subdirs(["config", "pending", "status", "agent", "cloudinit", "resize", "clone"])
            },
            PVERoute(
                method: "GET", path: "\(qemu)/config",
                parameters: vmParams.merging(["current": .boolean(), "snapshot": .string()]) { a, _ in a },
                permission: vmPerm(["VM.Audit"]), handler: PVEHandlers.getConfig),
            PVERoute(
                method: "GET", path: "\(qemu)/pending", parameters: vmParams, permission: vmPerm(["VM.Audit"]),
                handler: PVEHandlers.getPending),
            PVERoute(
                method: "PUT", path: "\(qemu)/config", parameters: configUpdate,
                permission: vmPerm(configPrivileges, any: true)
            ) { call throws(PVEError) in try PVEHandlers.updateConfig(call, sync: true) },
            PVERoute(
                method: "POST", path: "\(qemu)/config", parameters: configUpdateAsync,
                permission: vmPerm(configPrivileges, any: true)
            ) { call throws(PVEError) in try PVEHandlers.updateConfig(call, sync: false) },
            PVERoute(
                method: "PUT", path: "\(qemu)/resize",
                parameters: vmParams.merging(skiplock) { a, _ in a }.merging([
                    "disk": .string(optional: false, enumValues: PVEQemuSchema.driveNames),
                    "size": .string(optional: false, pattern: #"\+?\d+(\.\d+)?[KMGT]?"#),
                    "digest": .string(maxLength: 40),
                ]) { a, _ in a },
                permission: vmPerm(["VM.Config.Disk"]), handler: PVEHandlers.resize),
            PVERoute(
                method: "DELETE", path: qemu,
                parameters: vmParams.merging(skiplock) { a, _ in a }.merging([
                    "purge": .boolean(), "destroy-unreferenced-disks": .boolean(),
                ]) { a, _ in a },
                permission: vmPerm(["VM.Allocate"]), handler: PVEHandlers.destroy),
            PVERoute(
                method: "GET", path: "\(qemu)/status/current", parameters: vmParams, permission: vmPerm(["VM.Audit"]),
                handler: PVEHandlers.statusCurrent),
            PVERoute(
                method: "POST", path: "\(qemu)/status/start",
                parameters: vmParams.merging(skiplock) { a, _ in a }.merging([
                    "timeout": .integer(minimum: 0, maximum: 86400), "machine": .string(), "force-cpu": .string(),
                ]) { a, _ in a },
                permission: vmPerm(["VM.PowerMgmt"]), handler: PVEHandlers.start),
            PVERoute(
                method: "POST", path: "\(qemu)/status/stop",
                parameters: vmParams.merging(skiplock) { a, _ in a }.merging([
                    "timeout": .integer(minimum: 0), "keepActive": .boolean(), "overrule-shutdown": .boolean(),
                ]) { a, _ in a },
                permission: vmPerm(["VM.PowerMgmt"]), handler: PVEHandlers.stop),
            PVERoute(
                method: "POST", path: "\(qemu)/status/shutdown",
                parameters: vmParams.merging(skiplock) { a, _ in a }.merging([
                    "timeout": .integer(minimum: 0), "forceStop": .boolean(), "keepActive": .boolean(),
                ]) { a, _ in a },
                permission: vmPerm(["VM.PowerMgmt"]), handler: PVEHandlers.shutdown),
            PVERoute(
                method: "POST", path: "\(qemu)/status/reboot",
                parameters: vmParams.merging(["timeout": .integer(minimum: 0)]) { a, _ in a },
                permission: vmPerm(["VM.PowerMgmt"]), handler: PVEHandlers.reboot),
            PVERoute(
                method: "GET", path: "\(qemu)/agent/network-get-interfaces", parameters: vmParams,
                permission: vmPerm(["VM.GuestAgent.Audit"]), handler: PVEHandlers.agentInterfaces),
            PVERoute(
                method: "GET", path: "\(qemu)/cloudinit/dump",
                parameters: vmParams.merging([
                    "type": .string(optional: false, enumValues: ["user", "network", "meta"])
                ]) {
                    a, _ in a
                }, permission: vmPerm(["VM.Audit"]), handler: PVEHandlers.cloudinitDump),
        ]
    }
}

/// The method implementations, grouped by area in `PVEHandlers+*.swift`.
enum PVEHandlers {
    /// A directory index (`[{"subdir": …}]`), as PVE answers for a path with children.
    static func subdirs(_ names: [String]) -> PVEResult {
        PVEResult(.array(names.map { obj([("subdir", .string($0))]) }))
    }
}
