import HLSCore

/// Cluster- and node-level reads: version, nodes, resources, next free VMID, storages.
extension PVEHandlers {
    static func version(_ call: PVECall) throws(PVEError) -> PVEResult {
        let v = call.api.config.version
        let release = v.split(separator: ".").prefix(2).joined(separator: ".")
        return PVEResult(
            obj([("release", .string(release)), ("repoid", .string("5e7e50b1")), ("version", .string(v))]))
    }

    static func nodes(_ call: PVECall) throws(PVEError) -> PVEResult {
        let list = try call.withState { (s: inout PVEState) throws(PVEError) -> [Document] in
            s.nodes.map { n in
                let load = nodeLoad(s, n.config.name, now: call.now)
                return obj([
                    ("node", .string(n.config.name)), ("status", .string("online")), ("cpu", perlNumber(load.cpu)),
                    ("level", .string("")), ("maxcpu", .int(n.config.maxcpu)), ("mem", .int(load.mem)),
                    ("maxmem", .int(n.config.maxmem)), ("disk", .int(n.config.maxdisk / 5)),
                    ("maxdisk", .int(n.config.maxdisk)), ("uptime", .int(Int(call.now - n.bootTime))),
                    ("id", .string("node/\(n.config.name)")), ("type", .string("node")),
                    ("ssl_fingerprint", .string(n.sslFingerprint)),
                ])
            }
        }
        return PVEResult(.array(list))
    }

    static func nodeStatus(_ call: PVECall) throws(PVEError) -> PVEResult {
        try call.withState { (s: inout PVEState) throws(PVEError) -> PVEResult in
            let n = try requireNode(s, call.node)
            let load = nodeLoad(s, n.config.name, now: call.now)
            let total = n.config.maxmem
            return PVEResult(
                obj([
                    ("uptime", .int(Int(call.now - n.bootTime))), ("cpu", perlNumber(load.cpu)),
                    (
                        "memory",
                        obj([("total", .int(total)), ("used", .int(load.mem)), ("free", .int(total - load.mem))])
                    ),
                    (
                        "cpuinfo",
                        obj([
                            ("cpus", .int(n.config.maxcpu)), ("model", .string("Simulated CPU")), ("sockets", .int(1)),
                        ])
                    ),
                    ("pveversion", .string("pve-manager/\(call.api.config.version)/5e7e50b1")),
                    ("kversion", .string("Linux 6.8.12-4-pve #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-4")),
                    ("loadavg", .array([.string("0.12"), .string("0.08"), .string("0.05")])),
                ]))
        }
    }

    static func qemuList(_ call: PVECall) throws(PVEError) -> PVEResult {
        try call.withState { (s: inout PVEState) throws(PVEError) -> PVEResult in
            _ = try requireNode(s, call.node)
            let list = s.vms.values.filter { $0.node == call.node }.sorted { $0.vmid < $1.vmid }
                .filter { call.api.auth.has(call.authid, "/vms/\($0.vmid)", "VM.Audit") }
                .map { vm -> Document in
                    var pairs = statusFields(vm, now: call.now, bootDelay: call.api.config.timings.bootDelay)
                    pairs.insert(("vmid", .int(vm.vmid)), at: 0)
                    return .object(pairs)
                }
            return PVEResult(.array(list))
        }
    }

    static func storageList(_ call: PVECall) throws(PVEError) -> PVEResult {
        try call.withState { (s: inout PVEState) throws(PVEError) -> PVEResult in
            _ = try requireNode(s, call.node)
            let wanted = call.string("content").map(PVESchema.splitList)
            let list = s.storages.filter { s.storageAvailable($0.id, on: call.node) }
                .filter { st in wanted.map { $0.allSatisfy(st.content.contains) } ?? true }
                .filter { call.string("storage") == nil || call.string("storage") == $0.id }
                .filter {
                    call.api.auth.has(call.authid, "/storage/\($0.id)", "Datastore.Audit")
                        || call.api.auth.has(call.authid, "/storage/\($0.id)", "Datastore.AllocateSpace")
                }
                .map { st -> Document in
                    let used = s.used(storage: st, node: call.node)
                    return obj([
                        ("storage", .string(st.id)), ("type", .string(st.type)),
                        ("content", .string(st.content.joined(separator: ","))),
                        ("active", .int(1)), ("enabled", .int(1)), ("shared", .int(st.shared ? 1 : 0)),
                        ("total", .int(st.total)), ("used", .int(used)), ("avail", .int(st.total - used)),
                        ("used_fraction", perlNumber(Double(used) / Double(max(st.total, 1)))),
                    ])
                }
            return PVEResult(.array(list))
        }
    }

    static func resources(_ call: PVECall) throws(PVEError) -> PVEResult {
        let type = call.string("type")
        return try call.withState { (s: inout PVEState) throws(PVEError) -> PVEResult in
            var list: [Document] = []
            if type == nil || type == "vm" {
                for vm in s.vms.values.sorted(by: { $0.vmid < $1.vmid })
                where call.api.auth.has(call.authid, "/vms/\(vm.vmid)", "VM.Audit") {
                    let running = vm.running
                    var pairs: [(String, Document?)] = [
                        ("id", .string("qemu/\(vm.vmid)")), ("type", .string("qemu")), ("vmid", .int(vm.vmid)),
                        ("name", vm.name.map(Document.string)), ("node", .string(vm.node)),
                        ("status", .string(running ? "running" : "stopped")),
                        ("template", .int(vm.isTemplate ? 1 : 0)), ("maxcpu", .int(vm.cpus)),
                        ("maxmem", .int(vm.maxmem)),
                        ("maxdisk", .int(vm.maxdisk)), ("disk", .int(0)), ("mem", .int(guestMem(vm, now: call.now))),
                        ("cpu", perlNumber(running ? 0.012 : 0)), ("uptime", .int(uptime(vm, now: call.now))),
                        ("netin", .int(running ? 123_456 : 0)), ("netout", .int(running ? 65_432 : 0)),
                        ("diskread", .int(running ? 987_654 : 0)), ("diskwrite", .int(running ? 45_678 : 0)),
                        ("hastate", nil), ("tags", vm.config["tags"].map(Document.string)),
                        ("lock", vm.lock.map(Document.string)), ("pool", s.poolOf(vm.vmid).map(Document.string)),
                    ]
                    pairs.removeAll { $0.1 == nil }
                    list.append(obj(pairs))
                }
            }
            if type == nil || type == "node" {
                for n in s.nodes {
                    let load = nodeLoad(s, n.config.name, now: call.now)
                    list.append(
                        obj([
                            ("id", .string("node/\(n.config.name)")), ("type", .string("node")),
                            ("node", .string(n.config.name)),
                            ("status", .string("online")), ("cpu", perlNumber(load.cpu)),
                            ("maxcpu", .int(n.config.maxcpu)),
                            ("mem", .int(load.mem)), ("maxmem", .int(n.config.maxmem)),
                            ("disk", .int(n.config.maxdisk / 5)),
                            ("maxdisk", .int(n.config.maxdisk)), ("uptime", .int(Int(call.now - n.bootTime))),
                            ("level", .string("")), ("cgroup-mode", .int(2)),
                        ]))
                }
            }
            if type == nil || type == "storage" {
                for n in s.nodes {
                    for st in s.storages where s.storageAvailable(st.id, on: n.config.name) {
                        list.append(
                            obj([
                                ("id", .string("storage/\(n.config.name)/\(st.id)")), ("type", .string("storage")),
                                ("storage", .string(st.id)), ("node", .string(n.config.name)),
                                ("status", .string("available")), ("plugintype", .string(st.type)),
                                ("content", .string(st.content.joined(separator: ","))),
                                ("shared", .int(st.shared ? 1 : 0)),
                                ("disk", .int(s.used(storage: st, node: n.config.name))), ("maxdisk", .int(st.total)),
                            ]))
                    }
                }
            }
            return PVEResult(.array(list))
        }
    }

    /// `GET /cluster/nextid`: the first free VMID from 100, as a string (PVE's JSON has it so).
    static func nextID(_ call: PVECall) throws(PVEError) -> PVEResult {
        try call.withState { (s: inout PVEState) throws(PVEError) -> PVEResult in
            if let wanted = call.int("vmid") {
                if s.vms[wanted] != nil { throw PVEError.parameter("vmid", "VM \(wanted) already exists") }
                return PVEResult(.string(String(wanted)))
            }
            var id = 100
            while s.vms[id] != nil { id += 1 }
            return PVEResult(.string(String(id)))
        }
    }

    static func clusterStatus(_ call: PVECall) throws(PVEError) -> PVEResult {
        try call.withState { (s: inout PVEState) throws(PVEError) -> PVEResult in
            var list: [Document] = [
                obj([
                    ("type", .string("cluster")), ("id", .string("cluster")),
                    ("name", .string(call.api.config.clusterName)),
                    ("nodes", .int(s.nodes.count)), ("quorate", .int(1)), ("version", .int(s.nodes.count + 1)),
                ])
            ]
            for (i, n) in s.nodes.enumerated() {
                list.append(
                    obj([
                        ("type", .string("node")), ("id", .string("node/\(n.config.name)")),
                        ("name", .string(n.config.name)),
                        ("nodeid", .int(i + 1)), ("ip", .string("127.0.0.1")), ("online", .int(1)),
                        ("local", .int(n.config.name == call.api.localNode ? 1 : 0)), ("level", .string("")),
                    ]))
            }
            return PVEResult(.array(list))
        }
    }

    // MARK: Shared pieces

    /// pveproxy must resolve a node before it can forward to it; an unknown name fails there.
    static func requireNode(_ s: PVEState, _ name: String) throws(PVEError) -> PVENodeState {
        guard let n = s.node(name) else {
            throw PVEError.failed(
                "hostname lookup '\(name)' failed - failed to get address info for: \(name): Name or service not known")
        }
        return n
    }

    /// `load_config` on the node in the URL: a VM on another node "does not exist" here.
    static func requireVM(_ s: PVEState, _ vmid: Int, on node: String) throws(PVEError) -> PVEVM {
        _ = try requireNode(s, node)
        guard let vm = s.vms[vmid], vm.node == node else {
            throw PVEError.failed("Configuration file 'nodes/\(node)/qemu-server/\(vmid).conf' does not exist")
        }
        return vm
    }

    static func uptime(_ vm: PVEVM, now: Double) -> Int {
        guard vm.running, let started = vm.startedAt else { return 0 }
        return max(0, Int(now - started))
    }

    static func guestMem(_ vm: PVEVM, now: Double) -> Int {
        guard vm.running else { return 0 }
        return vm.maxmem / 100 * (uptime(vm, now: now) > 10 ? 38 : 12)
    }

    /// The fields `vmstatus` reports for a VM (`GET …/qemu` and `…/status/current`).
    static func statusFields(_ vm: PVEVM, now: Double, bootDelay: Double) -> [(key: String, value: Document)] {
        var pairs: [(String, Document?)] = [
            ("name", vm.name.map(Document.string)), ("status", .string(vm.running ? "running" : "stopped")),
            ("cpus", .int(vm.cpus)), ("maxmem", .int(vm.maxmem)), ("maxdisk", .int(vm.maxdisk)), ("disk", .int(0)),
            ("mem", .int(guestMem(vm, now: now))), ("cpu", perlNumber(vm.running ? 0.012 : 0)),
            ("uptime", .int(uptime(vm, now: now))), ("netin", .int(vm.running ? 123_456 : 0)),
            ("netout", .int(vm.running ? 65_432 : 0)), ("diskread", .int(vm.running ? 987_654 : 0)),
            ("diskwrite", .int(vm.running ? 45_678 : 0)), ("pid", vm.running ? vm.pid.map(Document.int) : nil),
            ("tags", vm.config["tags"].map(Document.string)), ("lock", vm.lock.map(Document.string)),
            ("template", vm.isTemplate ? .int(1) : nil), ("serial", vm.config["serial0"] != nil ? .int(1) : nil),
        ]
        pairs.removeAll { $0.1 == nil }
        return pairs.map { ($0.0, $0.1!) }
    }

    static func nodeLoad(_ s: PVEState, _ node: String, now: Double) -> (cpu: Double, mem: Int) {
        let running = s.vms.values.filter { $0.node == node && $0.running }
        let mem = (3 << 30) + running.reduce(0) { $0 + guestMem($1, now: now) }
        return (0.02 + 0.01 * Double(running.count), mem)
    }

    /// A number as Perl's JSON writes it: whole values without a fraction (`0`, not `0.0`).
    static func perlNumber(_ d: Double) -> Document {
        d == d.rounded() && abs(d) < 1e15 ? .int(Int(d)) : .double(d)
    }

    /// An object from pairs, dropping nil values.
    static func obj(_ pairs: [(String, Document?)]) -> Document {
        .object(pairs.compactMap { k, v in v.map { (k, $0) } })
    }

}
