public import HLSCore

extension PVEClient {
    /// Starts the VM (`POST …/status/start`, task `qmstart`). Nil when PVE says it is already
    /// running, which counts as success.
    @discardableResult
    public func start(node: String, vmid: Int, cancellation: Cancellation = .never) throws(HLSError) -> UPID? {
        let path = Self.vmPath(node: node, vmid: vmid) + "/status/start"
        switch try call("POST", path, cancellation: cancellation) {
        case .data(let data): return try Self.upid(from: data, method: "POST", path: path)
        case .failure(let failure) where failure.searchableText.contains("already running"): return nil
        case .failure(let failure): throw failure.error()
        }
    }

    /// Powers the VM off at once, like pulling the plug (`POST …/status/stop`, task `qmstop`).
    @discardableResult
    public func stop(node: String, vmid: Int, cancellation: Cancellation = .never) throws(HLSError) -> UPID {
        try powerAction("stop", node: node, vmid: vmid, form: [], cancellation: cancellation)
    }

    /// Asks the guest to shut down (ACPI; `POST …/status/shutdown`, task `qmshutdown`).
    /// `timeout` is in seconds; with `forceStop` (default) the VM is stopped when it passes,
    /// otherwise the task fails then.
    @discardableResult
    public func shutdown(
        node: String, vmid: Int, timeout: Int? = nil, forceStop: Bool = true, cancellation: Cancellation = .never
    ) throws(HLSError) -> UPID {
        var form: [(String, String)] = []
        if let timeout { form.append(("timeout", String(timeout))) }
        if forceStop { form.append(("forceStop", "1")) }
        return try powerAction("shutdown", node: node, vmid: vmid, form: form, cancellation: cancellation)
    }

    /// Reboots the guest (ACPI shutdown, then start; `POST …/status/reboot`, task `qmreboot`).
    @discardableResult
    public func reboot(
        node: String, vmid: Int, timeout: Int? = nil, cancellation: Cancellation = .never
    ) throws(HLSError) -> UPID {
        try powerAction(
            "reboot", node: node, vmid: vmid, form: timeout.map { [("timeout", String($0))] } ?? [],
            cancellation: cancellation)
    }

    /// The VM's state now (`GET …/status/current`).
    public func currentStatus(node: String, vmid: Int, cancellation: Cancellation = .never) throws(HLSError)
        -> PVEVMStatus
    {
        let path = Self.vmPath(node: node, vmid: vmid) + "/status/current"
        let data = try get(path, cancellation: cancellation)
        let f = PVEFields(data, at: .request(method: "GET", url: path), what: "the VM status")
        return PVEVMStatus(
            vmid: f.optionalInt("vmid") ?? vmid, status: try f.string("status"),
            qmpStatus: f.optionalString("qmpstatus"),
            lock: f.optionalString("lock"), name: f.optionalString("name"), cpus: f.optionalInt("cpus"),
            maxMemory: f.optionalInt("maxmem"), maxDisk: f.optionalInt("maxdisk"), uptime: f.optionalInt("uptime"),
            agent: f.flag("agent"), tags: Self.splitTags(f.optionalString("tags")), isTemplate: f.flag("template"))
    }

    /// Destroys the VM (`DELETE /nodes/{node}/qemu/{vmid}?purge=1&destroy-unreferenced-disks=1`,
    /// task `qmdestroy`). The VM must be stopped. `purge` also removes it from backup jobs,
    /// replication and HA; `destroyUnreferencedDisks` removes disks of it that its config lost.
    @discardableResult
    public func destroy(
        node: String, vmid: Int, purge: Bool = true, destroyUnreferencedDisks: Bool = true,
        cancellation: Cancellation = .never
    ) throws(HLSError) -> UPID {
        let path = Self.vmPath(node: node, vmid: vmid)
        var query: [(String, String)] = []
        if purge { query.append(("purge", "1")) }
        query.append(("destroy-unreferenced-disks", destroyUnreferencedDisks ? "1" : "0"))
        let data = try delete(path, query: query, cancellation: cancellation)
        return try Self.upid(from: data, method: "DELETE", path: path)
    }

    private func powerAction(
        _ action: String, node: String, vmid: Int, form: [(String, String)], cancellation: Cancellation
    ) throws(HLSError) -> UPID {
        let path = Self.vmPath(node: node, vmid: vmid) + "/status/" + action
        let data = try post(path, form: form, cancellation: cancellation)
        return try Self.upid(from: data, method: "POST", path: path)
    }
}
