import HLSCore
import HLSLanguage
import Inventory
import Proxmox

/// The writes behind `vm apply` and the power verbs, each waiting for its Proxmox task with a
/// progress line (elapsed time, what is awaited) and naming the VM and step when PVE refuses.
struct VMSteps {
    let client: PVEClient
    let context: ExecutionContext
    /// The VM's name, for progress lines and errors.
    let name: String

    /// How long a single task may take before hlsh stops waiting.
    static let taskTimeout: Duration = .seconds(900)

    func create(
        _ vm: VMSpec, from template: PVEVMResource, desired: VMDesiredConfig, storage: String,
        cancellation: Cancellation
    ) throws {
        let clone = try step("clone \(template.name)") {
            try client.clone(
                node: template.node, template: template.vmid, newID: vm.vmid, name: vm.name, full: true,
                storage: storage,
                description: "managed by hlsh (\(desired.lab.name))", cancellation: cancellation)
        }
        try wait(clone.upid, "cloning \(template.name) → \(vm.name) (VM \(clone.vmid))", cancellation)
        var set = desired.settings
        if let data = desired.dataDiskAllocation { set.append(("scsi1", data)) }
        try configure(node: vm.host, vmid: clone.vmid, set: set, digest: nil, async: true, cancellation: cancellation)
        try resize(node: vm.host, vmid: clone.vmid, disk: "scsi0", to: vm.osDisk, cancellation: cancellation)
        try start(node: vm.host, vmid: clone.vmid, cancellation: cancellation)
    }

    func configure(
        node: String, vmid: Int, set: [(String, String)], digest: String?, async: Bool, cancellation: Cancellation
    ) throws {
        let upid = try step("configure") {
            try client.updateConfig(
                node: node, vmid: vmid, set: set, digest: digest, async: async, cancellation: cancellation)
        }
        if let upid { try wait(upid, "configuring \(name)", cancellation) }
    }

    func resize(node: String, vmid: Int, disk: String, to bytes: Int64, cancellation: Cancellation) throws {
        let size = bytes % (1 << 30) == 0 ? "\(bytes >> 30)G" : "\(bytes >> 20)M"
        let upid = try step("resize \(disk)") {
            try client.resize(node: node, vmid: vmid, disk: disk, size: size, cancellation: cancellation)
        }
        if let upid { try wait(upid, "resizing \(disk) of \(name) to \(ByteSize.format(bytes))", cancellation) }
    }

    func start(node: String, vmid: Int, cancellation: Cancellation) throws {
        let upid = try step("start") { try client.start(node: node, vmid: vmid, cancellation: cancellation) }
        if let upid { try wait(upid, "starting \(name)", cancellation) }
    }

    /// Runs one API call, naming the VM and the step if it fails.
    func step<T>(_ name: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as HLSError {
            throw named(error, step: name)
        }
    }

    /// Waits for a task with a progress line; a failure names the VM and the step.
    func wait(_ upid: UPID, _ what: String, _ cancellation: Cancellation) throws {
        let progress = Progress(what, context: context)
        defer { progress.stop() }
        do {
            let result = try client.waitTask(
                upid, timeout: Self.taskTimeout, every: .milliseconds(500), cancellation: cancellation
            ) { _, status in
                progress.update("\(what) — task \(status.text)")
            }
            if result.warnings > 0 { context.err("warning: \(name): \(what) finished with \(result.exitStatus)\n") }
        } catch {
            throw named(error, step: what)
        }
    }

    func named(_ error: HLSError, step: String) -> HLSError {
        var e = error
        if !e.message.contains(name) { e.message = "\(name): \(step): \(e.message)" }
        return e
    }
}
