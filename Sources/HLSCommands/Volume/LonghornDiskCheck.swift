import HLSCore
import Kube

/// Longhorn disks that are not Ready (a data disk taken from the VM, unmounted or replaced):
/// Longhorn fails the replicas on them, so each volume that had one stays degraded (faulted
/// when none is left) until the disk is back or its replicas are rebuilt elsewhere — which a
/// node count alone does not show, the node itself staying Ready.
enum LonghornDiskCheck {
    /// One line per disk whose Ready condition is not True, with Longhorn's reason and the cause
    /// its message gives.
    static func warnings(_ nodes: [Document]) -> [String] {
        nodes.flatMap { node -> [String] in
            let nodeName = node.string("metadata", "name") ?? ""
            guard case .object(let disks)? = node.at("status", "diskStatus") else { return [] }
            return disks.compactMap { entry -> String? in
                let (name, disk) = entry
                guard let ready = readyCondition(disk), ready.string("status") != "True" else { return nil }
                let path = disk.string("diskPath") ?? ""
                let reason = ready.string("reason").map { $0.isEmpty ? "" : " (\($0))" } ?? ""
                // Longhorn's message repeats what the line says before its cause.
                var message = ready.string("message") ?? ""
                let known = "Disk \(name)(\(path)) on node \(nodeName) is not ready: "
                if message.hasPrefix(known) { message.removeFirst(known.count) }
                return "Longhorn disk \(name) (\(path)) on node \(nodeName) is not ready\(reason): \(message); "
                    + "its replicas have failed, so volumes with a replica there stay degraded until the disk "
                    + "is back or the replicas are rebuilt on another disk"
            }
        }
    }

    /// Whether a replica can be placed on the node's disks: some disk Ready and Schedulable (a
    /// node that reports no disk status yet is given the benefit of the doubt).
    static func hasUsableDisk(_ node: Document) -> Bool {
        guard case .object(let disks)? = node.at("status", "diskStatus"), !disks.isEmpty else { return true }
        return disks.contains { entry in
            let conditions = entry.1.at("conditions")?.elements ?? []
            return ["Ready", "Schedulable"].allSatisfy { type in
                conditions.contains { $0.string("type") == type && $0.string("status") == "True" }
            }
        }
    }

    private static func readyCondition(_ disk: Document) -> Document? {
        (disk.at("conditions")?.elements ?? []).first { $0.string("type") == "Ready" }
    }
}
