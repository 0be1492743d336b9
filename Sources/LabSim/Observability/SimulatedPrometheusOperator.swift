import HLSCore

/// prometheus-operator (v0.86.2), run by kube-prometheus-stack's `<fullname>-operator`
/// Deployment: each `Prometheus` becomes the StatefulSet `prometheus-<name>` (one shard) and each
/// `Alertmanager` `alertmanager-<name>`, labelled and selected as the operator does, governed by
/// the headless Service `prometheus-operated` / `alertmanager-operated` of their namespace, with
/// the object's storage claim template or an emptyDir; the object's status then reports the
/// replicas and the `Available` condition (False `NoPodReady`, Degraded `SomePodsNotReady`,
/// True) and `Reconciled` True, as the operator's StatefulSet reporter words them.
struct SimulatedPrometheusOperator: SimulatedController {
    /// What the operator makes of one kind.
    struct Kind: Sendable {
        /// `prometheus`, `alertmanager`: the StatefulSet's prefix and `app.kubernetes.io/name`.
        var app: String
        var plural: String
        /// The main container's port (`portName`, by default `web`).
        var port: Int
        /// The governing Service's ports besides the web one.
        var meshPorts: [(name: String, proto: String)]
        /// Labels of the StatefulSet (and its pods) beyond the selector's.
        var modeLabels: [String: String]
        /// The selector labels (besides the managed-by and name ones) of an object named `name`.
        var selector: @Sendable (String) -> [String: String]
    }

    static let prometheus = Kind(
        app: "prometheus", plural: "prometheuses", port: 9090, meshPorts: [],
        modeLabels: ["operator.prometheus.io/mode": "server"],
        selector: { ["operator.prometheus.io/name": $0, "operator.prometheus.io/shard": "0", "prometheus": $0] })
    static let alertmanager = Kind(
        app: "alertmanager", plural: "alertmanagers", port: 9093,
        meshPorts: [("tcp-mesh", "TCP"), ("udp-mesh", "UDP")],
        modeLabels: [:], selector: { ["alertmanager": $0] })

    let kind: Kind
    /// The operator's Deployment (namespace and `<fullname>-operator`).
    let workload: SimulatedWorkload?

    var name: String { "prometheus-operator" }
    var resource: KubeResourceName {
        KubeResourceName(group: PrometheusOperatorCRDs.group, version: "v1", plural: kind.plural)
    }
    var owns: [KubeResourceName] { [.statefulSets] }

    /// The operator's controllers, acting while kube-prometheus-stack's release `release` in
    /// `namespace` runs the operator.
    static func controllers(namespace: String = "monitoring", release: String = "kube-prometheus-stack")
        -> [any SimulatedController]
    {
        let operatorName =
            SimulatedChartRelease(name: release, namespace: namespace, version: "", values: .null)
            .fullname("kube-prometheus-stack", limit: 26) + "-operator"
        let workload = SimulatedWorkload(kind: .deployment, namespace: namespace, name: operatorName)
        return [Self(kind: prometheus, workload: workload), Self(kind: alertmanager, workload: workload)]
    }

    func reconcile(_ object: Document, client: KubeInProcessClient) -> Duration? {
        guard object.at(["metadata", "deletionTimestamp"]) == nil, let name = object.text("metadata", "name"),
            let namespace = object.text("metadata", "namespace")
        else { return nil }
        let setName = "\(kind.app)-\(name)"
        let selector = kind.selector(name).merging([
            "app.kubernetes.io/managed-by": "prometheus-operator", "app.kubernetes.io/name": kind.app,
            "app.kubernetes.io/instance": name,
        ]) { $1 }
        guard (try? applyService(namespace: namespace, owner: object, client)) != nil,
            let set = try? client.apply(
                KubeResourceName.statefulSets.path(namespace: namespace, name: setName),
                statefulSet(object, name: setName, selector: selector))
        else { return KubeWorkloads.retry }
        return writeStatus(object, set: set, client)
    }

    /// `<app>-operated`: headless, selecting every pod of the kind in the namespace.
    private func applyService(namespace: String, owner: Document, _ client: KubeInProcessClient) throws(KubeStatus) {
        let serviceName = "\(kind.app)-operated"
        let portName = owner.text("spec", "portName") ?? "web"
        let ports: [Document] =
            [servicePort(portName, kind.port, target: portName, proto: "TCP")]
            + kind.meshPorts.map { servicePort($0.name, 9094, target: Self.meshTarget($0.name), proto: $0.proto) }
        let service = Document.object([
            ("apiVersion", .string("v1")), ("kind", .string("Service")),
            (
                "metadata",
                .object([
                    ("name", .string(serviceName)), ("namespace", .string(namespace)),
                    (
                        "labels",
                        .stringMap([
                            "managed-by": "prometheus-operator", "app.kubernetes.io/managed-by": "prometheus-operator",
                            "operated-\(kind.app)": "true",
                        ])
                    ), ("ownerReferences", .array([reference(to: owner, controller: false)])),
                ])
            ),
            (
                "spec",
                .object([
                    ("clusterIP", .string("None")),
                    ("ports", .array(ports)), ("selector", .stringMap(["app.kubernetes.io/name": kind.app])),
                ])
            ),
        ])
        _ = try client.apply(KubeResourceName.services.path(namespace: namespace, name: serviceName), service)
    }

    private func servicePort(_ name: String, _ port: Int, target: String, proto: String) -> Document {
        .object([
            ("name", .string(name)), ("port", .int(port)), ("protocol", .string(proto)),
            ("targetPort", .string(target)),
        ])
    }

    /// The container port a mesh Service port targets (`tcp-mesh` → `mesh-tcp`).
    static func meshTarget(_ name: String) -> String { name == "udp-mesh" ? "mesh-udp" : "mesh-tcp" }

    private func reference(to owner: Document, controller: Bool) -> Document {
        .object([
            ("apiVersion", .string(owner.text("apiVersion") ?? "")), ("kind", .string(owner.text("kind") ?? "")),
            ("name", .string(owner.text("metadata", "name") ?? "")),
            ("uid", .string(owner.text("metadata", "uid") ?? "")), ("controller", .bool(controller)),
            ("blockOwnerDeletion", .bool(true)),
        ])
    }

    /// The StatefulSet the operator builds for `object`.
    private func statefulSet(_ object: Document, name: String, selector: [String: String]) -> Document {
        let objectName = object.text("metadata", "name") ?? ""
        let version = object.text("spec", "version") ?? ""
        let image = object.text("spec", "image") ?? "quay.io/prometheus/\(kind.app):\(version)"
        let portName = object.text("spec", "portName") ?? "web"
        var labels = (object.at(["metadata", "labels"]) ?? .object([])).stringMap
        labels.merge(kind.modeLabels) { $1 }
        labels.merge(selector) { $1 }
        labels["managed-by"] = "prometheus-operator"
        var podLabels = selector
        podLabels["app.kubernetes.io/version"] = version.hasPrefix("v") ? String(version.dropFirst()) : version
        podLabels.merge(kind.modeLabels) { $1 }
        let volume = "\(kind.app)-\(objectName)-db"
        var containerPorts: [Document] = [
            .object([("containerPort", .int(kind.port)), ("name", .string(portName)), ("protocol", .string("TCP"))])
        ]
        for (mesh, proto) in kind.meshPorts {
            containerPorts.append(
                .object([
                    ("containerPort", .int(9094)), ("name", .string(Self.meshTarget(mesh))),
                    ("protocol", .string(proto)),
                ]))
        }
        let reloader = Document.object([
            ("name", .string("config-reloader")),
            (
                "image",
                .string(
                    "quay.io/prometheus-operator/prometheus-config-reloader:\(KubePrometheusStackChart.operatorVersion)"
                )
            ),
            ("ports", .array([.object([("containerPort", .int(8080)), ("name", .string("reloader-web"))])])),
        ])
        var pod: [(key: String, value: Document)] = [
            (
                "containers",
                .array([
                    .object([
                        ("name", .string(kind.app)), ("image", .string(image)), ("ports", .array(containerPorts)),
                        (
                            "volumeMounts",
                            .array([.object([("name", .string(volume)), ("mountPath", .string("/\(kind.app)"))])])
                        ),
                    ]), reloader,
                ])
            )
        ]
        if let account = object.text("spec", "serviceAccountName") {
            pod.insert(("serviceAccountName", .string(account)), at: 0)
        }
        var spec: [(key: String, value: Document)] = [
            ("replicas", .int(KubeWorkloads.int(object, "spec", "replicas") ?? 1)),
            ("serviceName", .string("\(kind.app)-operated")), ("podManagementPolicy", .string("Parallel")),
            ("updateStrategy", .object([("type", .string("RollingUpdate"))])),
            ("selector", .object([("matchLabels", .stringMap(selector))])),
        ]
        if let claim = object.at(["spec", "storage", "volumeClaimTemplate"]) {
            var template = claim
            template.set(["metadata", "name"], .string(volume))
            spec.append(("volumeClaimTemplates", .array([template])))
        } else {
            pod.append(("volumes", .array([.object([("name", .string(volume)), ("emptyDir", .object([]))])])))
        }
        spec.insert(
            (
                "template",
                .object([
                    (
                        "metadata",
                        .object([
                            ("labels", .stringMap(podLabels)),
                            ("annotations", .stringMap(["kubectl.kubernetes.io/default-container": kind.app])),
                        ])
                    ), ("spec", .object(pod)),
                ])
            ), at: spec.count - (spec.last?.key == "volumeClaimTemplates" ? 1 : 0))
        return .object([
            ("apiVersion", .string("apps/v1")), ("kind", .string("StatefulSet")),
            (
                "metadata",
                .object([
                    ("name", .string(name)), ("namespace", object["metadata"]?["namespace"] ?? .null),
                    ("labels", .stringMap(labels)),
                    ("ownerReferences", .array([reference(to: object, controller: true)])),
                ])
            ), ("spec", .object(spec)),
        ])
    }

    /// The object's status from its StatefulSet's pods (`StatefulSetReporter.Update`).
    private func writeStatus(_ object: Document, set: Document, _ client: KubeInProcessClient) -> Duration? {
        guard let all = KubeWorkloads.pods(in: object.text("metadata", "namespace"), client) else {
            return KubeWorkloads.retry
        }
        let pods = KubeWorkloads.controlled(all, by: set)
        let ready = pods.filter(KubeAPI.isReady).count
        let revision = set.text("status", "updateRevision")
        let updated = pods.filter { $0.text("metadata", "labels", "controller-revision-hash") == revision }.count
        let expected = KubeWorkloads.int(object, "spec", "replicas") ?? 1
        let generation = object.at(["metadata", "generation"]) ?? .int(1)
        let (status, reason): (String, String) =
            ready >= expected ? ("True", "") : ready == 0 ? ("False", "NoPodReady") : ("Degraded", "SomePodsNotReady")
        let old = object.at(["status", "conditions"])?.items ?? []
        func condition(_ type: String, _ status: String, _ reason: String) -> Document {
            let previous = old.first { $0.text("type") == type }
            let since =
                previous?.text("status") == status ? previous?["lastTransitionTime"] : nil
            return .object([
                ("type", .string(type)), ("status", .string(status)),
                ("lastTransitionTime", since ?? .string(KubeTime.rfc3339(KubeTime.now()))),
                ("reason", .string(reason)), ("message", .string("")), ("observedGeneration", generation),
            ])
        }
        let selector = (set.at(["spec", "selector", "matchLabels"]) ?? .object([])).stringMap
            .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        var fields: [(String, Document?)] = [
            ("availableReplicas", .int(ready)),
            ("conditions", .array([condition("Available", status, reason), condition("Reconciled", "True", "")])),
            ("paused", .bool(object.at(["spec", "paused"]) == .bool(true))), ("replicas", .int(pods.count)),
            ("selector", .string(selector)),
        ]
        if kind.app == "prometheus" {
            fields.append(
                (
                    "shardStatuses",
                    .array([
                        .object([
                            ("availableReplicas", .int(ready)), ("replicas", .int(pods.count)),
                            ("shardID", .string("0")),
                            ("unavailableReplicas", .int(pods.count - ready)), ("updatedReplicas", .int(updated)),
                        ])
                    ])
                ))
            fields.append(("shards", .int(1)))
        }
        fields += [("unavailableReplicas", .int(pods.count - ready)), ("updatedReplicas", .int(updated))]
        return KubeWorkloads.write(status: KubeWorkloads.status(fields), of: object, resource, client)
    }
}
