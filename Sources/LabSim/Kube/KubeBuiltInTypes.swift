import HLSCore

/// The resources built into the simulated server: what the seed's phases and kubectl's verbs use.
enum KubeBuiltInTypes {
    static let all: [KubeResourceType] = core + apps + others

    private static let core: [KubeResourceType] = [
        type(
            "", "v1", "namespaces", "Namespace", cluster: true, short: ["ns"], sub: ["status", "finalize"], gen: false),
        type("", "v1", "nodes", "Node", cluster: true, short: ["no"], sub: ["status"], gen: false),
        type(
            "", "v1", "pods", "Pod", short: ["po"], categories: ["all"], sub: ["status", "binding", "eviction", "log"]),
        type("", "v1", "services", "Service", short: ["svc"], categories: ["all"], sub: ["status"], gen: false),
        type("", "v1", "endpoints", "Endpoints", short: ["ep"], gen: false),
        type("", "v1", "configmaps", "ConfigMap", short: ["cm"], gen: false),
        type("", "v1", "secrets", "Secret", gen: false),
        type("", "v1", "events", "Event", short: ["ev"], gen: false),
        type("", "v1", "serviceaccounts", "ServiceAccount", short: ["sa"], gen: false),
        type("", "v1", "resourcequotas", "ResourceQuota", short: ["quota"], sub: ["status"], gen: false),
        type("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", short: ["pvc"], sub: ["status"], gen: false),
        type(
            "", "v1", "persistentvolumes", "PersistentVolume", cluster: true, short: ["pv"], sub: ["status"], gen: false
        ),
    ]

    private static let apps: [KubeResourceType] = [
        type(
            "apps", "v1", "deployments", "Deployment", short: ["deploy"], categories: ["all"], sub: ["status", "scale"]),
        type("apps", "v1", "daemonsets", "DaemonSet", short: ["ds"], categories: ["all"], sub: ["status"]),
        type(
            "apps", "v1", "statefulsets", "StatefulSet", short: ["sts"], categories: ["all"], sub: ["status", "scale"]),
        type("apps", "v1", "replicasets", "ReplicaSet", short: ["rs"], categories: ["all"], sub: ["status", "scale"]),
    ]

    private static let others: [KubeResourceType] = [
        type("batch", "v1", "jobs", "Job", categories: ["all"], sub: ["status"]),
        type("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", short: ["pdb"], sub: ["status"]),
        type(
            "apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", cluster: true,
            short: ["crd", "crds"], categories: ["api-extensions"], sub: ["status"]),
        type("coordination.k8s.io", "v1", "leases", "Lease", gen: false),
        type(
            "admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration",
            cluster: true),
        type("networking.k8s.io", "v1", "ingresses", "Ingress", short: ["ing"], sub: ["status"]),
        type("networking.k8s.io", "v1", "ingressclasses", "IngressClass", cluster: true),
        type("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", short: ["netpol"]),
        type("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", cluster: true, gen: false),
        type("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", cluster: true, gen: false),
        type("rbac.authorization.k8s.io", "v1", "roles", "Role", gen: false),
        type("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", gen: false),
        type("storage.k8s.io", "v1", "storageclasses", "StorageClass", cluster: true, short: ["sc"], gen: false),
    ]

    private static func type(
        _ group: String, _ version: String, _ plural: String, _ kind: String, cluster: Bool = false,
        short: [String] = [], categories: [String] = [], sub: [String] = [], gen: Bool = true
    ) -> KubeResourceType {
        KubeResourceType(
            group: group, version: version, plural: plural, singular: kind.lowercased(), kind: kind,
            namespaced: !cluster, shortNames: short, categories: categories, subresources: sub, generation: gen)
    }
}

/// The built-in resources the store's own code names, and what it reads of their objects.
extension KubeStoreState {
    static let namespaces = builtIn("namespaces")
    static let pods = builtIn("pods")
    static let nodes = builtIn("nodes")
    static let services = builtIn("services")
    static let events = builtIn("events")
    static let secrets = builtIn("secrets")

    private static func builtIn(_ plural: String) -> KubeResourceType {
        KubeBuiltInTypes.all.first { $0.group.isEmpty && $0.plural == plural }!
    }

    /// Whether the object's condition `type` has status `True` (`Ready` of a Node or a Pod).
    static func conditionIsTrue(_ object: Document, _ type: String) -> Bool {
        (object.at(["status", "conditions"])?.items ?? []).contains {
            $0.text("type") == type && $0.text("status") == "True"
        }
    }

    /// Whether a node's kubelet posts Ready.
    static func kubeletRuns(on node: Document) -> Bool { conditionIsTrue(node, "Ready") }

    /// A Node's `InternalIP` address.
    static func internalIP(of node: Document) -> String? {
        (node.at(["status", "addresses"])?.items ?? []).first { $0.text("type") == "InternalIP" }?.text("address")
    }
}
