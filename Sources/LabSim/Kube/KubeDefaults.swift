import HLSCore

/// What the built-in registries' strategies add on create and keep on update: a namespace's
/// finalizer, phase and name label; a Secret's Opaque type and its `stringData` merged into `data`; a pod's
/// Pending phase; a workload's replicas and strategy; a service's cluster IP and node ports; a CRD's
/// acceptance (which also registers its resources).
enum KubeDefaults {
    static func onCreate(_ type: KubeResourceType, _ object: inout Document, _ state: inout KubeStoreState)
        throws(KubeStatus)
    {
        switch (type.group, type.plural) {
        case ("", "namespaces"):
            let name = object.text("metadata", "name") ?? ""
            if object.at(["spec", "finalizers"]) == nil {
                object.set(["spec", "finalizers"], .array([.string("kubernetes")]))
            }
            object.set(["metadata", "labels", "kubernetes.io/metadata.name"], .string(name))
            object.set("status", .object([("phase", .string("Active"))]))
        case ("", "pods"):
            if object.at(["spec", "restartPolicy"]) == nil {
                object.set(["spec", "restartPolicy"], .string("Always"))
            }
            if object.at(["spec", "schedulerName"]) == nil {
                object.set(["spec", "schedulerName"], .string("default-scheduler"))
            }
            object.set("status", .object([("phase", .string("Pending")), ("qosClass", .string("BestEffort"))]))
        case ("", "secrets"):
            if object.at(["type"]) == nil { object.set("type", .string("Opaque")) }
            mergeStringData(&object)
        case ("", "services"):
            if object.at(["spec", "type"]) == nil { object.set(["spec", "type"], .string("ClusterIP")) }
            if object.at(["spec", "clusterIP"]) == nil, object.text("spec", "type") != "ExternalName" {
                let n = state.revision
                let ip = "10.43.\(n / 250 % 250).\(n % 250 + 2)"
                object.set(["spec", "clusterIP"], .string(ip))
                object.set(["spec", "clusterIPs"], .array([.string(ip)]))
            }
            try KubeNodePorts.assign(&object, existing: nil, state: state)
            object.set("status", .object([("loadBalancer", .object([]))]))
        case ("apiextensions.k8s.io", "customresourcedefinitions"):
            try KubeCRDs.accept(&object, &state)
        case ("apps", let plural):
            KubeWorkloadDefaults.apply(plural, &object)
        default:
            break
        }
    }

    static func onUpdate(
        _ type: KubeResourceType, _ existing: Document, _ object: inout Document, _ state: inout KubeStoreState
    ) throws(KubeStatus) {
        switch (type.group, type.plural) {
        case ("", "namespaces"):
            object.set(["spec", "finalizers"], existing.at(["spec", "finalizers"]))
            object.set(
                ["metadata", "labels", "kubernetes.io/metadata.name"], .string(existing.text("metadata", "name") ?? ""))
        case ("", "services"):
            try KubeNodePorts.assign(&object, existing: existing, state: state)
        case ("", "secrets"):
            mergeStringData(&object)
        case ("apiextensions.k8s.io", "customresourcedefinitions"):
            try KubeCRDs.accept(&object, &state)
        case ("apps", let plural):
            KubeWorkloadDefaults.apply(plural, &object)
        default:
            break
        }
    }

    /// A Secret's `stringData`, merged into `data` (base64, overwriting what was there) and
    /// dropped, as the API server converts it on every write: it is never read back.
    static func mergeStringData(_ secret: inout Document) {
        guard let strings = secret["stringData"] else { return }
        for (key, value) in strings.pairs {
            secret.set(["data", key], .string(Base64.encode(Array((value.scalarText ?? "").utf8))))
        }
        secret.set("stringData", nil)
    }

    /// A new namespace's `default` ServiceAccount, as the service account controller makes it.
    static func populateNamespace(_ namespace: String, _ state: inout KubeStoreState) {
        guard let type = state.types.type(group: "", version: "v1", plural: "serviceaccounts") else { return }
        _ = try? state.create(
            type,
            .object([("metadata", .object([("name", .string("default")), ("namespace", .string(namespace))]))]),
            namespace: namespace, manager: .recorded)
    }
}

/// The objects a fresh k3s cluster has before anyone writes.
enum KubeSeed {
    static func populate(_ state: inout KubeStoreState) {
        let namespaces = KubeStoreState.namespaces
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            _ = try? state.create(
                namespaces, .object([("metadata", .object([("name", .string(name))]))]), namespace: nil,
                manager: .update("k3s"))
        }
        if let services = state.types.type(group: "", version: "v1", plural: "services") {
            let service = Document.object([
                (
                    "metadata",
                    .object([
                        ("name", .string("kubernetes")), ("namespace", .string("default")),
                        (
                            "labels",
                            .object([("component", .string("apiserver")), ("provider", .string("kubernetes"))])
                        ),
                    ])
                ),
                (
                    "spec",
                    .object([
                        ("clusterIP", .string("10.43.0.1")), ("clusterIPs", .array([.string("10.43.0.1")])),
                        ("type", .string("ClusterIP")),
                        (
                            "ports",
                            .array([
                                .object([
                                    ("name", .string("https")), ("port", .int(443)), ("protocol", .string("TCP")),
                                    ("targetPort", .int(6443)),
                                ])
                            ])
                        ),
                    ])
                ),
            ])
            _ = try? state.create(services, service, namespace: "default", manager: .update("k3s"))
        }
    }
}
