import HLSCore
import Kube

/// Longhorn's two-node trap: a replica count above the number of schedulable Longhorn nodes
/// (with replica-soft-anti-affinity off, Longhorn's default) leaves a replica unscheduled and
/// the volume degraded for good. Longhorn's default of 3 is set twice — the `longhorn`
/// StorageClass's `numberOfReplicas` (Helm value `persistence.defaultClassReplicaCount`) and the
/// `default-replica-count` setting (`defaultSettings.defaultReplicaCount`) — and each volume has
/// its own `numberOfReplicas`.
enum VolumeReplicaCheck {
    /// One line per volume, StorageClass or setting whose replica count exceeds the schedulable
    /// nodes; none when replica-soft-anti-affinity is on.
    static func warnings(_ volumes: [LonghornVolume], client: KubeClient, cancellation: Cancellation) throws
        -> [String]
    {
        let setting = { (name: String) throws -> String? in
            try client.getIfPresent(Longhorn.settings, name, namespace: Longhorn.namespace, cancellation: cancellation)?
                .string("value")
        }
        if try setting("replica-soft-anti-affinity") == "true" { return [] }
        let nodes = try client.list(Longhorn.nodes, namespace: Longhorn.namespace, cancellation: cancellation).items
        let schedulable = nodes.filter { node in
            node.at("spec", "allowScheduling") != .bool(false)
                && ["Ready", "Schedulable"].allSatisfy { KubeCondition($0, of: node)?.status == "True" }
        }.count
        var counts: [(subject: String, replicas: Int)] = []
        if let storageClass = try client.getIfPresent(Longhorn.storageClasses, "longhorn", cancellation: cancellation),
            let replicas = Int(storageClass.string("parameters", "numberOfReplicas") ?? "")
        {
            counts.append(("StorageClass longhorn (numberOfReplicas)", replicas))
        }
        if let value = try setting("default-replica-count"), let replicas = replicaCount(value) {
            counts.append(("setting default-replica-count", replicas))
        }
        for volume in volumes {
            let claim = volume.pvc.isEmpty ? "" : " (\(volume.namespace)/\(volume.pvc))"
            counts.append(("volume \(volume.name)\(claim)", volume.wanted))
        }
        return counts.filter { $0.replicas > schedulable }.map { entry in
            guard schedulable > 0 else {
                return "\(entry.subject): no schedulable Longhorn node for \(entry.replicas) replicas: "
                    + "no replica can be placed"
            }
            let nodes = schedulable == 1 ? "1 schedulable node" : "\(schedulable) schedulable nodes"
            return "\(entry.subject): \(nodes) for \(entry.replicas) replicas: the volume stays degraded; set "
                + "persistence.defaultClassReplicaCount and defaultSettings.defaultReplicaCount to \(schedulable)"
        }
    }

    /// A replica-count setting's value: `3`, or per data engine `{"v1":"3","v2":"3"}` (the v1 one).
    static func replicaCount(_ value: String) -> Int? {
        if let count = Int(value) { return count }
        guard let start = value.split(separator: "\"v1\":", maxSplits: 1).dropFirst().first else { return nil }
        return Int(start.drop { !$0.isNumber }.prefix { $0.isNumber })
    }
}
