public import HLSCore
import HLSFormats
import HLSTransport

extension PVEClient {
    /// The cluster's nodes (`GET /nodes`).
    public func nodes(cancellation: Cancellation = .never) throws(HLSError) -> [PVENode] {
        let path = "/nodes"
        let data = try get(path, cancellation: cancellation)
        var nodes: [PVENode] = []
        for item in data.pveItems {
            let f = PVEFields(item, at: .request(method: "GET", url: path), what: "a node")
            nodes.append(
                PVENode(
                    name: try f.string("node"), status: f.optionalString("status") ?? "unknown",
                    cpu: f.optionalDouble("cpu"), maxCPU: f.optionalInt("maxcpu"), memory: f.optionalInt("mem"),
                    maxMemory: f.optionalInt("maxmem"), uptime: f.optionalInt("uptime"),
                    sslFingerprint: f.optionalString("ssl_fingerprint")))
        }
        return nodes.sorted { $0.name < $1.name }
    }

    /// Every QEMU VM and template in the cluster (`GET /cluster/resources?type=vm`, LXC
    /// containers left out), ordered by VMID. Templates are kept, flagged `isTemplate`.
    public func vmResources(cancellation: Cancellation = .never) throws(HLSError) -> [PVEVMResource] {
        let path = "/cluster/resources"
        let data = try get(path, query: [("type", "vm")], cancellation: cancellation)
        var vms: [PVEVMResource] = []
        for item in data.pveItems {
            let f = PVEFields(item, at: .request(method: "GET", url: path), what: "a VM resource")
            let type = f.optionalString("type") ?? (f.optionalString("id")?.hasPrefix("qemu/") == true ? "qemu" : "")
            guard type == "qemu" else { continue }
            let vmid = try f.int("vmid")
            vms.append(
                PVEVMResource(
                    vmid: vmid, name: f.optionalString("name") ?? "VM \(vmid)", node: try f.string("node"),
                    status: f.optionalString("status") ?? "unknown", isTemplate: f.flag("template"),
                    maxCPU: f.optionalInt("maxcpu"), maxMemory: f.optionalInt("maxmem"),
                    maxDisk: f.optionalInt("maxdisk"),
                    memory: f.optionalInt("mem"), cpu: f.optionalDouble("cpu"), uptime: f.optionalInt("uptime"),
                    tags: Self.splitTags(f.optionalString("tags")), lock: f.optionalString("lock"),
                    pool: f.optionalString("pool")))
        }
        return vms.sorted { $0.vmid < $1.vmid }
    }

    /// A free VMID (`GET /cluster/nextid`; PVE answers with a string). With `preferred`, asks
    /// whether that id is free: PVE answers 400 when it is taken.
    public func nextID(preferred: Int? = nil, cancellation: Cancellation = .never) throws(HLSError) -> Int {
        let path = "/cluster/nextid"
        let data = try get(path, query: preferred.map { [("vmid", String($0))] } ?? [], cancellation: cancellation)
        guard let id = data.pveInt else {
            throw HLSError(
                .failed, "unexpected answer from Proxmox VE: nextid is not a number",
                at: .request(method: "GET", url: path),
                cause: JSONCodec.encode(data))
        }
        return id
    }

    /// Finds a VM (or template) by VMID or name without knowing its node.
    ///
    /// A name that several VMs share is an error listing them (use the VMID); an unknown one is
    /// an error suggesting the nearest names.
    public func resolveVM(_ nameOrID: String, cancellation: Cancellation = .never) throws(HLSError) -> PVEVMRef {
        let vms = try vmResources(cancellation: cancellation)
        guard let ref = try Self.findVM(nameOrID, in: vms) else { throw Self.noSuchVM(nameOrID, in: vms) }
        return ref
    }

    /// The VM (or template) of `vms` with this VMID or name; nil when none has it. A name that
    /// several VMs share is an error listing them (use the VMID).
    public static func findVM(_ nameOrID: String, in vms: [PVEVMResource]) throws(HLSError) -> PVEVMRef? {
        let key = nameOrID.trimmingWhitespace()
        func ref(_ vm: PVEVMResource) -> PVEVMRef {
            PVEVMRef(node: vm.node, vmid: vm.vmid, name: vm.name, status: vm.status, isTemplate: vm.isTemplate)
        }
        if let vmid = Int(key), key.allSatisfy(\.isNumber) {
            return vms.first(where: { $0.vmid == vmid }).map(ref)
        }
        let matches = vms.filter { $0.name == key }
        if matches.count > 1 {
            throw HLSError(
                .failed, "the name '\(key)' is ambiguous: \(matches.count) VMs have it",
                hint: "use the VMID: "
                    + matches.map { "\($0.vmid) on \($0.node)\($0.isTemplate ? " (template)" : "")" }.joined(
                        separator: ", "))
        }
        return matches.first.map(ref)
    }

    /// The error for a VMID or name no VM of `vms` has: the VMIDs in use, or the nearest names
    /// of the cluster and of `declared` (the VMs an inventory, named `declaredIn`, declares).
    public static func noSuchVM(
        _ nameOrID: String, in vms: [PVEVMResource], declared: [String] = [], declaredIn: String? = nil
    ) -> HLSError {
        let key = nameOrID.trimmingWhitespace()
        if let vmid = Int(key), key.allSatisfy(\.isNumber) {
            return HLSError(
                .failed, "no VM with VMID \(vmid) in the cluster",
                hint: vms.isEmpty
                    ? "the cluster has no VMs" : "VMIDs in use: " + vms.map { String($0.vmid) }.joined(separator: ", "))
        }
        let known = vms.map(\.name) + declared
        let nearest = PVENameSuggestions.nearest(to: key, in: known)
        return HLSError(
            .failed, "no VM named '\(key)' in the cluster" + (declaredIn.map { " or in \($0)" } ?? ""),
            hint: nearest.isEmpty
                ? PVENameSuggestions.listed(known, declaredIn: declaredIn)
                : "did you mean " + nearest.map { "'\($0)'" }.joined(separator: ", ") + "?")
    }

    static func splitTags(_ text: String?) -> [String] {
        guard let text else { return [] }
        return text.split(whereSeparator: { $0 == ";" || $0 == "," || $0 == " " }).map(String.init)
    }
}

/// "Did you mean" for VM names: the closest few by edit distance.
enum PVENameSuggestions {
    /// The names to choose from when none is close: `VMs: a, b, c` (the first `limit`, in name
    /// order, and how many more), or that there are none.
    static func listed(_ names: [String], declaredIn: String?, limit: Int = 12) -> String {
        let sorted = Set(names).sorted()
        guard !sorted.isEmpty else {
            return "the cluster has no VMs" + (declaredIn.map { " and \($0) declares none" } ?? "")
        }
        let more = sorted.count > limit ? " and \(sorted.count - limit) more (vm list)" : ""
        return "VMs: " + sorted.prefix(limit).joined(separator: ", ") + more
    }

    static func nearest(to name: String, in names: [String], limit: Int = 3) -> [String] {
        let wanted = name.lowercased()
        let threshold = max(2, wanted.count / 3)
        var scored: [(String, Int)] = []
        for candidate in Set(names) {
            let lower = candidate.lowercased()
            var score = Suggest.distance(wanted, lower)
            if lower.hasPrefix(wanted) || wanted.hasPrefix(lower) || lower.contains(wanted) {
                score = min(score, 1)
            }
            if score <= threshold { scored.append((candidate, score)) }
        }
        return scored.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(limit).map(\.0)
    }
}
