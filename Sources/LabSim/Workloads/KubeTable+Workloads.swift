import HLSCore

/// The printer columns the apiserver serves for ReplicaSets, DaemonSets, StatefulSets and
/// PodDisruptionBudgets (kubernetes `pkg/printers/internalversion`), read from what their
/// controllers write.
extension KubeTable {
    private static func count(_ name: String, _ path: String...) -> Column {
        Column(name: name, type: "integer", cell: { $0.at(path) ?? .int(0) })
    }

    static let replicaSetColumns: [Column] = [
        name, count("Desired", "spec", "replicas"), count("Current", "status", "replicas"),
        count("Ready", "status", "readyReplicas"), age,
    ]

    static let daemonSetColumns: [Column] = [
        name, count("Desired", "status", "desiredNumberScheduled"),
        count("Current", "status", "currentNumberScheduled"), count("Ready", "status", "numberReady"),
        count("Up-to-date", "status", "updatedNumberScheduled"), count("Available", "status", "numberAvailable"),
        Column(
            name: "Node Selector",
            cell: { set in
                let selector = (set.at(["spec", "template", "spec", "nodeSelector"]) ?? .object([])).stringMap
                return .string(
                    selector.isEmpty
                        ? "<none>" : selector.keys.sorted().map { "\($0)=\(selector[$0] ?? "")" }.joined(separator: ",")
                )
            }),
        age,
    ]

    /// READY of Deployments and StatefulSets: `readyReplicas/replicas`.
    static let readyOfWanted = Column(
        name: "Ready",
        cell: { set in
            let want = set.at(["spec", "replicas"])?.scalarText ?? "1"
            return .string("\(set.at(["status", "readyReplicas"])?.scalarText ?? "0")/\(want)")
        })

    static let statefulSetColumns: [Column] = [name, readyOfWanted, age]

    static let budgetColumns: [Column] = [
        name,
        Column(name: "Min Available", cell: { .string($0.at(["spec", "minAvailable"])?.scalarText ?? "N/A") }),
        Column(name: "Max Unavailable", cell: { .string($0.at(["spec", "maxUnavailable"])?.scalarText ?? "N/A") }),
        count("Allowed Disruptions", "status", "disruptionsAllowed"), age,
    ]
}
