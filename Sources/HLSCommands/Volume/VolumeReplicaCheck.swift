import HLSCore
import Kube

/// Longhorn's two-node trap: a replica count above the number of schedulable Longhorn nodes
/// (with replica-soft-anti-affinity off, Longhorn's default) leaves a replica unscheduled and
/// the volume degraded for good. Longhorn's default of 3 is set twice — the `longhorn`
/// StorageClass's `numberOfReplicas` (Helm value `persistence.defaultClassReplicaCount`) and the
/// `default-replica-count` setting (`defaultSettings.defaultReplicaCount`) — and each volume has
/// its own `numberOfReplicas`.
enum VolumeReplicaCheck {
    /// One line per Longhorn disk that is not Ready (`LonghornDiskCheck`), then per volume,
    /// StorageClass or setting whose replica count exceeds the schedulable nodes (none of those
    /// when replica-soft-anti-affinity is on).
    static func warnings(_ volumes: [LonghornVolume], client: KubeClient, cancellation: Cancellation) throws
        -> [String]
    {
        let setting = { (name: String) throws -> String? in
            try client.getIfPresent(Longhorn.settings, name, namespace: Longhorn.namespace, cancellation: cancellation)?
                .string("value")
        }
        let nodes = try client.list(Longhorn.nodes, namespace: Longhorn.namespace, cancellation: cancellation).items
        if try setting("replica-soft-anti-affinity") == "true" { return LonghornDiskCheck.warnings(nodes) }
        let isSchedulable = { (node: Document) in
            node.at("spec", "allowScheduling") != .bool(false)
                && ["Ready", "Schedulable"].allSatisfy { KubeCondition($0, of: node)?.status == "True" }
                && LonghornDiskCheck.hasUsableDisk(node)
        }
        let schedulable = nodes.filter(isSchedulable).count
        let away = nodes.filter { !isSchedulable($0) }.compactMap { $0.string("metadata", "name") }.sorted()
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
        let short = counts.filter { $0.replicas > schedulable }
        // Enough Longhorn nodes, some of them cordoned, down or rebooting: degraded until they are
        // back, and the replica count is right as it is.
        let waiting = short.filter { $0.replicas <= nodes.count }
        var lines = LonghornDiskCheck.warnings(nodes)
        if let most = waiting.map(\.replicas).max(), !away.isEmpty {
            let nodes = schedulable == 1 ? "1 schedulable node" : "\(schedulable) schedulable nodes"
            lines.append(
                "\(away.joined(separator: ", ")) \(away.count == 1 ? "is" : "are") not schedulable for Longhorn "
                    + "(not Ready, cordoned, scheduling disabled or no disk ready): \(nodes) for \(most) replicas, so volumes stay "
                    + "degraded until \(away.count == 1 ? "it is" : "they are") back")
        }
        return lines
            + short.filter { $0.replicas > nodes.count }.map { entry in
                guard schedulable > 0 else {
                    return "\(entry.subject): no schedulable Longhorn node for \(entry.replicas) replicas: "
                        + "no replica can be placed"
                }
                // More replicas than Longhorn has nodes at all: the count is what to change.
                let kind = schedulable == nodes.count ? "schedulable" : "Longhorn"
                let count = nodes.count == 1 ? "1 \(kind) node" : "\(nodes.count) \(kind) nodes"
                return "\(entry.subject): \(count) for \(entry.replicas) replicas: the volume stays degraded; set "
                    + "persistence.defaultClassReplicaCount and defaultSettings.defaultReplicaCount to \(nodes.count)"
            }
    }

    /// A replica-count setting's value: `3`, or per data engine `{"v1":"3","v2":"3"}` (the v1 one).
    static func replicaCount(_ value: String) -> Int? {
        if let count = Int(value) { return count }
        guard let start = value.split(separator: "\"v1\":", maxSplits: 1).dropFirst().first else { return nil }
        return Int(start.drop { !$0.isNumber }.prefix { $0.isNumber })
    }
}
