import HLSCore

/// A chart's CustomResourceDefinition as the simulated charts render it: its names and scope,
/// one served storage version with a status subresource and the chart's printer columns (then
/// Age, as most real ones end, unless the columns place it themselves), and an open schema, as the simulation writes only what the
/// real controllers write.
struct SimulatedCRD: Sendable {
    /// A printer column (`additionalPrinterColumns`).
    struct Column: Sendable {
        var name: String
        var type = "string"
        var jsonPath: String
        var description: String?
        /// 1 shows the column only with `-o wide`.
        var priority: Int?
    }

    var group: String
    var version: String
    var kind: String
    var plural: String
    var shortNames: [String] = []
    var categories: [String] = []
    var namespaced = true
    var labels: [String: String] = [:]
    var columns: [Column]

    /// The `apiextensions.k8s.io/v1` object.
    var document: Document {
        let age = Column(name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp")
        let all = columns.contains { $0.name == age.name } ? columns : columns + [age]
        let printed = all.map { column -> Document in
            var fields: [(key: String, value: Document)] = []
            if let description = column.description { fields.append(("description", .string(description))) }
            fields.append(("jsonPath", .string(column.jsonPath)))
            fields.append(("name", .string(column.name)))
            if let priority = column.priority { fields.append(("priority", .int(priority))) }
            fields.append(("type", .string(column.type)))
            return .object(fields)
        }
        var names: [(key: String, value: Document)] = []
        if !categories.isEmpty { names.append(("categories", .array(categories.map(Document.string)))) }
        names += [
            ("kind", .string(kind)), ("listKind", .string(kind + "List")), ("plural", .string(plural)),
            ("shortNames", .array(shortNames.map(Document.string))), ("singular", .string(kind.lowercased())),
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
                    ("labels", .object(labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
                ])
            ),
            (
                "spec",
                .object([
                    ("group", .string(group)), ("names", .object(names)),
                    ("scope", .string(namespaced ? "Namespaced" : "Cluster")),
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
