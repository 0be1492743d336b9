import HLSCore

/// The CustomResourceDefinitions of the Longhorn chart that the simulation uses, with the
/// printer columns and status subresource of the real ones (deploy/longhorn.yaml); their
/// schemas keep unknown fields, as the simulation writes only what Longhorn writes.
extension Longhorn {
    static let customResourceDefinitions: [Document] = [
        crd(
            "volumes", "Volume", short: "lhv",
            columns: [
                .init(name: "Data Engine", jsonPath: ".spec.dataEngine", description: "The data engine of the volume"),
                .init(name: "State", jsonPath: ".status.state", description: "The state of the volume"),
                .init(name: "Robustness", jsonPath: ".status.robustness", description: "The robustness of the volume"),
                .init(
                    name: "Scheduled", jsonPath: ".status.conditions[?(@.type=='Schedulable')].status",
                    description: "The scheduled condition of the volume"),
                .init(name: "Size", jsonPath: ".spec.size", description: "The size of the volume"),
                .init(
                    name: "Node", jsonPath: ".status.currentNodeID",
                    description: "The node that the volume is currently attaching to"),
            ]),
        crd(
            "replicas", "Replica", short: "lhr",
            columns: instanceColumns("replica") + [
                .init(name: "Disk", jsonPath: ".spec.diskID", description: "The disk that the replica is on"),
                .init(
                    name: "InstanceManager", jsonPath: ".status.instanceManagerName",
                    description: "The instance manager of the replica"),
                .init(name: "Image", jsonPath: ".status.currentImage", description: "The current image of the replica"),
            ]),
        crd(
            "engines", "Engine", short: "lhe",
            columns: instanceColumns("engine") + [
                .init(
                    name: "InstanceManager", jsonPath: ".status.instanceManagerName",
                    description: "The instance manager of the engine"),
                .init(name: "Image", jsonPath: ".status.currentImage", description: "The current image of the engine"),
            ]),
        crd(
            "nodes", "Node", short: "lhn",
            columns: [
                .init(
                    name: "Ready", jsonPath: ".status.conditions[?(@.type=='Ready')].status",
                    description: "Indicate whether the node is ready"),
                .init(
                    name: "AllowScheduling", type: "boolean", jsonPath: ".spec.allowScheduling",
                    description: "Indicate whether the user disabled/enabled replica scheduling for the node"),
                .init(
                    name: "Schedulable", jsonPath: ".status.conditions[?(@.type=='Schedulable')].status",
                    description: "Indicate whether Longhorn can schedule replicas on the node"),
            ]),
        crd(
            "settings", "Setting", short: "lhs",
            columns: [
                .init(name: "Value", jsonPath: ".value", description: "The value of the setting"),
                .init(
                    name: "Applied", type: "boolean", jsonPath: ".status.applied", description: "The setting is applied"
                ),
            ]),
        crd(
            "instancemanagers", "InstanceManager", short: "lhim",
            columns: [
                .init(
                    name: "Data Engine", jsonPath: ".spec.dataEngine",
                    description: "The data engine of the instance manager"),
                .init(
                    name: "State", jsonPath: ".status.currentState", description: "The state of the instance manager"),
                .init(
                    name: "Type", jsonPath: ".spec.type",
                    description: "The type of the instance manager (engine or replica)"),
                .init(
                    name: "Node", jsonPath: ".spec.nodeID",
                    description: "The node that the instance manager is running on"),
            ]),
    ]

    private static func instanceColumns(_ what: String) -> [SimulatedCRD.Column] {
        [
            .init(name: "Data Engine", jsonPath: ".spec.dataEngine", description: "The data engine of the \(what)"),
            .init(name: "State", jsonPath: ".status.currentState", description: "The current state of the \(what)"),
            .init(name: "Node", jsonPath: ".spec.nodeID", description: "The node that the \(what) is on"),
        ]
    }

    private static func crd(
        _ plural: String, _ kind: String, short: String, columns: [SimulatedCRD.Column]
    ) -> Document {
        SimulatedCRD(
            group: group, version: version, kind: kind, plural: plural, shortNames: [short],
            labels: ["app.kubernetes.io/name": "longhorn", "longhorn-manager": ""], columns: columns
        ).document
    }
}
