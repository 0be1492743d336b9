import HLSCore
import HLSLanguage
import Inventory
import Proxmox

extension VMCommands {
    /// What the cluster and the inventory know of a VM name or VMID given to a verb.
    enum Known {
        /// The cluster has it.
        case inCluster(PVEVMRef)
        /// Only the inventory declares it: not created yet, or destroyed.
        case declared(VMSpec, in: Lab)
    }

    /// Checks a VM name or VMID against the cluster, then the inventory, before a verb acts or
    /// waits. A name neither knows fails at once, suggesting the nearest names of both; a
    /// refused or unreachable Proxmox fails with its cause and API call.
    static func lookUp(_ nameOrID: String, _ inv: Invocation, client: PVEClient) throws -> Known {
        let vms = try client.vmResources(cancellation: inv.context.cancellation)
        if let ref = try PVEClient.findVM(nameOrID, in: vms) { return .inCluster(ref) }
        let lab = LabState.of(inv.context).lab
        if let lab,
            let spec = lab.vm(named: nameOrID) ?? lab.vms.first(where: { $0.vmid.map(String.init) == nameOrID })
        {
            return .declared(spec, in: lab)
        }
        throw PVEClient.noSuchVM(nameOrID, in: vms, declared: lab?.vms.map(\.name) ?? [], declaredIn: lab?.file)
    }

    /// The cluster's VM for a name or VMID (see `lookUp`); one only the inventory declares is
    /// an error saying how to create it.
    static func resolve(_ nameOrID: String, _ inv: Invocation, client: PVEClient) throws -> PVEVMRef {
        switch try lookUp(nameOrID, inv, client: client) {
        case .inCluster(let ref): return ref
        case .declared(let spec, let lab):
            throw inv.failure(
                "\(spec.name) is declared in \(lab.file) but the cluster has no such VM",
                hint: "vm apply \(spec.name) creates it")
        }
    }
}
