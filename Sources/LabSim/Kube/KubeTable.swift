import HLSCore

/// `meta.k8s.io/v1` Table answers (kubernetes `pkg/printers/internalversion/printers.go` for
/// the built-in column sets, a CRD's `additionalPrinterColumns` for custom resources, NAME and
/// AGE otherwise). Rows carry PartialObjectMetadata unless `includeObject` says otherwise.
enum KubeTable {
    struct Column: Sendable {
        var name: String
        var type = "string"
        var format = ""
        var priority = 0
        var description = ""
        var cell: @Sendable (Document) -> Document
    }

    static func table(
        _ type: KubeResourceType, _ objects: [Document], request: KubeHTTPRequest, revision: Int?,
        headers: Bool = true
    ) throws(KubeStatus) -> Document {
        let include = request.param("includeObject") ?? "Metadata"
        guard ["None", "Metadata", "Object"].contains(include) else {
            throw KubeStatus.badRequest(
                "includeObject: Unsupported value: \"\(include)\": supported values: \"None\", \"Metadata\", \"Object\""
            )
        }
        let columns = self.columns(type)
        let rows: [Document] = objects.map { object in
            var row: [(key: String, value: Document)] = [("cells", .array(columns.map { $0.cell(object) }))]
            switch include {
            case "Object": row.append(("object", KubeAPI.render(object, type)))
            case "Metadata":
                row.append(
                    (
                        "object",
                        .object([
                            ("kind", .string("PartialObjectMetadata")), ("apiVersion", .string("meta.k8s.io/v1")),
                            ("metadata", object["metadata"] ?? .object([])),
                        ])
                    ))
            default: break
            }
            return .object(row)
        }
        var metadata: [(key: String, value: Document)] = []
        if let revision { metadata.append(("resourceVersion", .string(String(revision)))) }
        var pairs: [(key: String, value: Document)] = [
            ("kind", .string("Table")), ("apiVersion", .string("meta.k8s.io/v1")), ("metadata", .object(metadata)),
        ]
        if headers {
            pairs.append(
                (
                    "columnDefinitions",
                    .array(
                        columns.map {
                            .object([
                                ("name", .string($0.name)), ("type", .string($0.type)), ("format", .string($0.format)),
                                ("description", .string($0.description)), ("priority", .int($0.priority)),
                            ])
                        })
                ))
        }
        pairs.append(("rows", .array(rows)))
        return .object(pairs)
    }

    static let name = Column(
        name: "Name", format: "name",
        description:
            "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
        cell: { .string($0.text("metadata", "name") ?? "") })
    static let age = Column(
        name: "Age",
        description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
        cell: { .string(KubeTime.age(since: $0.text("metadata", "creationTimestamp"))) })

    static func columns(_ type: KubeResourceType) -> [Column] {
        if !type.builtIn { return [name] + type.printerColumns.map(printerColumn) }
        switch (type.group, type.plural) {
        case ("", "nodes"): return nodeColumns
        case ("", "pods"): return podColumns
        case ("", "services"): return serviceColumns
        case ("", "namespaces"):
            return [name, Column(name: "Status", cell: { .string($0.text("status", "phase") ?? "") }), age]
        case ("apps", "deployments"): return deploymentColumns
        case ("apps", "replicasets"): return replicaSetColumns
        case ("apps", "daemonsets"): return daemonSetColumns
        case ("apps", "statefulsets"): return statefulSetColumns
        case ("policy", "poddisruptionbudgets"): return budgetColumns
        case ("", "configmaps"):
            return [
                name,
                Column(
                    name: "Data", type: "integer",
                    cell: { .int(($0["data"]?.pairs.count ?? 0) + ($0["binaryData"]?.pairs.count ?? 0)) }), age,
            ]
        case ("apiextensions.k8s.io", "customresourcedefinitions"):
            return [
                name,
                Column(
                    name: "Created At", type: "date", cell: { .string($0.text("metadata", "creationTimestamp") ?? "") }),
            ]
        default: return [name, age]
        }
    }

    private static func printerColumn(_ column: KubePrinterColumn) -> Column {
        return Column(
            name: column.name, type: column.type == "date" ? "date" : column.type, priority: column.priority,
            description: column.description,
            cell: { object in
                let value = evaluate(column.jsonPath, object)
                if column.type == "date" { return .string(KubeTime.age(since: value?.scalarText)) }
                return value ?? .null
            })
    }

    /// A printer column's JSONPath on an object: field steps (`.status.phase`), indexes (`[0]`)
    /// and the equality filter CRDs use (`.status.conditions[?(@.type=="Ready")].status`, the
    /// first match).
    static func evaluate(_ jsonPath: String, _ object: Document) -> Document? {
        var current: Document? = object
        var rest = Substring(jsonPath)
        while let next = rest.first, let value = current {
            if next == "." {
                rest = rest.dropFirst()
                let key = rest.prefix { $0 != "." && $0 != "[" }
                rest = rest.dropFirst(key.count)
                current = value[String(key)]
            } else if next == "[" {
                guard let close = rest.firstRange(of: "]") else { return nil }
                let inside = rest[rest.index(after: rest.startIndex)..<close.lowerBound]
                rest = rest[close.upperBound...]
                if let index = Int(inside) {
                    let items = value.items
                    current = index >= 0 && index < items.count ? items[index] : nil
                } else if inside.hasPrefix("?(@."), inside.hasSuffix(")"), let equals = inside.firstRange(of: "==") {
                    let field = String(inside[inside.index(inside.startIndex, offsetBy: 4)..<equals.lowerBound])
                    var wanted = String(inside[equals.upperBound...].dropLast())
                    if wanted.count >= 2, wanted.first == "\"" || wanted.first == "'" {
                        wanted = String(wanted.dropFirst().dropLast())
                    }
                    current = value.items.first { $0[field]?.scalarText == wanted }
                } else {
                    return nil
                }
            } else {
                return nil
            }
        }
        return current
    }

    private static let nodeColumns: [Column] = [
        name,
        Column(
            name: "Status",
            cell: { node in
                let ready = (node.at(["status", "conditions"])?.items ?? []).first { $0.text("type") == "Ready" }
                var status =
                    ready.map {
                        $0.text("status") == "True" ? "Ready" : $0.text("status") == "False" ? "NotReady" : "Unknown"
                    } ?? "Unknown"
                if node.at(["spec", "unschedulable"]) == .bool(true) { status += ",SchedulingDisabled" }
                return .string(status)
            }),
        Column(
            name: "Roles",
            cell: { node in
                var roles: Set<String> = []
                for (key, value) in (node.at(["metadata", "labels"]) ?? .object([])).stringMap {
                    if key.hasPrefix("node-role.kubernetes.io/") {
                        roles.insert(String(key.dropFirst("node-role.kubernetes.io/".count)))
                    } else if key == "kubernetes.io/role" {
                        roles.insert(value)
                    }
                }
                return .string(roles.isEmpty ? "<none>" : roles.sorted().joined(separator: ","))
            }),
        age,
        Column(name: "Version", cell: { .string($0.text("status", "nodeInfo", "kubeletVersion") ?? "") }),
        Column(name: "Internal-IP", priority: 1, cell: { address($0, "InternalIP") }),
        Column(name: "External-IP", priority: 1, cell: { address($0, "ExternalIP") }),
        Column(
            name: "OS-Image", priority: 1, cell: { .string($0.text("status", "nodeInfo", "osImage") ?? "<unknown>") }),
        Column(
            name: "Kernel-Version", priority: 1,
            cell: { .string($0.text("status", "nodeInfo", "kernelVersion") ?? "<unknown>") }),
        Column(
            name: "Container-Runtime", priority: 1,
            cell: { .string($0.text("status", "nodeInfo", "containerRuntimeVersion") ?? "<unknown>") }),
    ]

    private static func address(_ node: Document, _ kind: String) -> Document {
        let found = (node.at(["status", "addresses"])?.items ?? []).filter { $0.text("type") == kind }.compactMap {
            $0.text("address")
        }
        return .string(found.isEmpty ? "<none>" : found.joined(separator: ","))
    }

    /// kube-apiserver's Service columns (`printService`); EXTERNAL-IP as `getServiceExternalIP`
    /// gives it: a LoadBalancer's ingress (sorted, each once) then `spec.externalIPs`, `<pending>`
    /// while it has neither; `spec.externalIPs` or `<none>` for ClusterIP and NodePort;
    /// `spec.externalName` for ExternalName. PORT(S) is `80:30080/TCP` with a node port.
    private static let serviceColumns: [Column] = [
        name,
        Column(name: "Type", cell: { .string($0.text("spec", "type") ?? "ClusterIP") }),
        Column(name: "Cluster-IP", cell: { .string($0.text("spec", "clusterIP") ?? "<none>") }),
        Column(
            name: "External-IP",
            cell: { service in
                let external = (service.at(["spec", "externalIPs"])?.items ?? []).compactMap(\.scalarText)
                switch service.text("spec", "type") ?? "ClusterIP" {
                case "ClusterIP", "NodePort":
                    return .string(external.isEmpty ? "<none>" : external.joined(separator: ","))
                case "ExternalName": return .string(service.text("spec", "externalName") ?? "")
                case "LoadBalancer":
                    let ingress = (service.at(["status", "loadBalancer", "ingress"])?.items ?? []).compactMap {
                        $0.text("ip") ?? $0.text("hostname")
                    }
                    let all = Array(Set(ingress)).sorted() + external
                    return .string(all.isEmpty ? "<pending>" : all.joined(separator: ","))
                default: return .string("<unknown>")
                }
            }),
        Column(
            name: "Port(s)",
            cell: { service in
                let ports = (service.at(["spec", "ports"])?.items ?? []).map { port in
                    let node = port.at(["nodePort"])?.scalarText.map { ":" + $0 } ?? ""
                    return (port.at(["port"])?.scalarText ?? "") + node + "/" + (port.text("protocol") ?? "TCP")
                }
                return .string(ports.isEmpty ? "<none>" : ports.joined(separator: ","))
            }),
        age,
        Column(
            name: "Selector", priority: 1,
            cell: { service in
                let selector = (service.at(["spec", "selector"]) ?? .object([])).stringMap.sorted { $0.key < $1.key }
                return .string(
                    selector.isEmpty ? "<none>" : selector.map { "\($0.key)=\($0.value)" }.joined(separator: ","))
            }),
    ]

    private static let podColumns: [Column] = [
        name,
        Column(
            name: "Ready",
            cell: { pod in
                let total = pod.at(["spec", "containers"])?.items.count ?? 0
                let ready = (pod.at(["status", "containerStatuses"])?.items ?? []).filter { $0["ready"] == .bool(true) }
                    .count
                return .string("\(ready)/\(total)")
            }),
        Column(
            name: "Status",
            cell: { pod in
                if pod.at(["metadata", "deletionTimestamp"]) != nil { return .string("Terminating") }
                return .string(pod.text("status", "reason") ?? pod.text("status", "phase") ?? "")
            }),
        Column(
            name: "Restarts", type: "string",
            cell: { pod in
                let count = (pod.at(["status", "containerStatuses"])?.items ?? []).reduce(0) {
                    if case .int(let n) = $1["restartCount"] ?? .int(0) { return $0 + n }
                    return $0
                }
                return .string(String(count))
            }),
        age,
        Column(name: "IP", priority: 1, cell: { .string($0.text("status", "podIP") ?? "<none>") }),
        Column(name: "Node", priority: 1, cell: { .string($0.text("spec", "nodeName") ?? "<none>") }),
        Column(
            name: "Nominated Node", priority: 1, cell: { .string($0.text("status", "nominatedNodeName") ?? "<none>") }),
        Column(name: "Readiness Gates", priority: 1, cell: { _ in .string("<none>") }),
    ]

    private static let deploymentColumns: [Column] = [
        name, readyOfWanted,
        Column(name: "Up-to-date", type: "integer", cell: { d in d.at(["status", "updatedReplicas"]) ?? .int(0) }),
        Column(name: "Available", type: "integer", cell: { d in d.at(["status", "availableReplicas"]) ?? .int(0) }),
        age,
        Column(
            name: "Containers", priority: 1,
            cell: { d in
                .string(
                    (d.at(["spec", "template", "spec", "containers"])?.items ?? []).compactMap { $0.text("name") }
                        .joined(separator: ","))
            }),
        Column(
            name: "Images", priority: 1,
            cell: { d in
                .string(
                    (d.at(["spec", "template", "spec", "containers"])?.items ?? []).compactMap { $0.text("image") }
                        .joined(separator: ","))
            }),
        Column(
            name: "Selector", priority: 1,
            cell: { d in
                .string(
                    (d.at(["spec", "selector", "matchLabels"]) ?? .object([])).stringMap.sorted { $0.key < $1.key }.map
                    { "\($0.key)=\($0.value)" }.joined(separator: ","))
            }),
    ]
}
