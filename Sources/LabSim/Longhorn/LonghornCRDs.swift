import HLSCore

/// The CustomResourceDefinitions of the Longhorn chart that the simulation uses, with the
/// printer columns and status subresource of the real ones (deploy/longhorn.yaml); their
/// schemas keep unknown fields, as the simulation writes only what Longhorn writes.
extension Longhorn {
    /// A printer column: name, type, jsonPath, description.
    typealias Column = (name: String, type: String, path: String, description: String)

    static let customResourceDefinitions: [Document] = [
        crd(
            "volumes", "Volume", short: "lhv",
            columns: [
                ("Data Engine", "string", ".spec.dataEngine", "The data engine of the volume"),
                ("State", "string", ".status.state", "The state of the volume"),
                ("Robustness", "string", ".status.robustness", "The robustness of the volume"),
                (
                    "Scheduled", "string", ".status.conditions[?(@.type=='Schedulable')].status",
                    "The scheduled condition of the volume"
                ),
                ("Size", "string", ".spec.size", "The size of the volume"),
                ("Node", "string", ".status.currentNodeID", "The node that the volume is currently attaching to"),
            ]),
        crd(
            "replicas", "Replica", short: "lhr",
            columns: instanceColumns("replica") + [
                ("Disk", "string", ".spec.diskID", "The disk that the replica is on"),
                ("InstanceManager", "string", ".status.instanceManagerName", "The instance manager of the replica"),
                ("Image", "string", ".status.currentImage", "The current image of the replica"),
            ]),
        crd(
            "engines", "Engine", short: "lhe",
            columns: instanceColumns("engine") + [
                ("InstanceManager", "string", ".status.instanceManagerName", "The instance manager of the engine"),
                ("Image", "string", ".status.currentImage", "The current image of the engine"),
            ]),
        crd(
            "nodes", "Node", short: "lhn",
            columns: [
                (
                    "Ready", "string", ".status.conditions[?(@.type=='Ready')].status",
                    "Indicate whether the node is ready"
                ),
                (
                    "AllowScheduling", "boolean", ".spec.allowScheduling",
                    "Indicate whether the user disabled/enabled replica scheduling for the node"
                ),
                (
                    "Schedulable", "string", ".status.conditions[?(@.type=='Schedulable')].status",
                    "Indicate whether Longhorn can schedule replicas on the node"
                ),
            ]),
        crd(
            "settings", "Setting", short: "lhs",
            columns: [
                ("Value", "string", ".value", "The value of the setting"),
                ("Applied", "boolean", ".status.applied", "The setting is applied"),
            ]),
        crd(
            "instancemanagers", "InstanceManager", short: "lhim",
            columns: [
                ("Data Engine", "string", ".spec.dataEngine", "The data engine of the instance manager"),
                ("State", "string", ".status.currentState", "The state of the instance manager"),
                ("Type", "string", ".spec.type", "The type of the instance manager (engine or replica)"),
                ("Node", "string", ".spec.nodeID", "The node that the instance manager is running on"),
            ]),
    ]

    private static func instanceColumns(_ what: String) -> [Column] {
        [
            ("Data Engine", "string", ".spec.dataEngine", "The data engine of the \(what)"),
            ("State", "string", ".status.currentState", "The current state of the \(what)"),
            ("Node", "string", ".spec.nodeID", "The node that the \(what) is on"),
        ]
    }

    private static func crd(_ plural: String, _ kind: String, short: String, columns: [Column]) -> Document {
        let printed =
            columns.map { column in
                Document.object([
                    ("description", .string(column.description)), ("jsonPath", .string(column.path)),
                    ("name", .string(column.name)), ("type", .string(column.type)),
                ])
            } + [
                .object([
                    ("jsonPath", .string(".metadata.creationTimestamp")), ("name", .string("Age")),
                    ("type", .string("date")),
                ])
            ]
        let schema = Document.object([
            ("type", .string("object")), ("x-kubernetes-preserve-unknown-fields", .bool(true)),
        ])
        return .object([
            ("apiVersion", .string("apiextensions.k8s.io/v1")), ("kind", .string("CustomResourceDefinition")),
            (
                "metadata",
                .object([
                    ("name", .string("\(plural).\(group)")),
                    (
                        "labels",
                        .object([("app.kubernetes.io/name", .string("longhorn")), ("longhorn-manager", .string(""))])
                    ),
                ])
            ),
            (
                "spec",
                .object([
                    ("group", .string(group)),
                    (
                        "names",
                        .object([
                            ("kind", .string(kind)), ("listKind", .string(kind + "List")), ("plural", .string(plural)),
                            ("shortNames", .array([.string(short)])), ("singular", .string(kind.lowercased())),
                        ])
                    ),
                    ("scope", .string("Namespaced")),
                    (
                        "versions",
                        .array([
                            .object([
                                ("additionalPrinterColumns", .array(printed)), ("name", .string(version)),
                                ("schema", .object([("openAPIV3Schema", schema)])), ("served", .bool(true)),
                                ("storage", .bool(true)), ("subresources", .object([("status", .object([]))])),
                            ])
                        ])
                    ),
                ])
            ),
        ])
    }
}
