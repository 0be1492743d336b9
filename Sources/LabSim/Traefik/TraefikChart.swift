import HLSCore

extension SimulatedChart {
    /// Traefik's chart (traefik/traefik 27, Traefik v2.11, the generation k3s 1.31 bundles) as far
    /// as this lab needs it: its ServiceAccount and cluster RBAC, the `traefik` Deployment (which
    /// `SimulatedTraefik` runs as), the LoadBalancer Service with the `web` (80) and `websecure`
    /// (443) ports, and the `traefik` IngressClass, the cluster's default unless
    /// `ingressClass.isDefaultClass` is false, after the chart's `traefik.io/v1alpha1` CRDs
    /// (`traefikCRDs`): of those, the simulated Traefik reads Middlewares.
    static let traefik = SimulatedChart(name: "traefik", version: "27.0.2") { release in
        traefikCRDs.map(\.document) + traefikObjects(release)
    }

    /// The CustomResourceDefinitions chart 27.0.2 ships in `crds/` for `traefik.io/v1alpha1`
    /// (namespaced, no short names or printer columns of their own).
    static let traefikCRDs: [SimulatedCRD] = [
        ("IngressRoute", "ingressroutes"), ("IngressRouteTCP", "ingressroutetcps"),
        ("IngressRouteUDP", "ingressrouteudps"), ("Middleware", "middlewares"), ("MiddlewareTCP", "middlewaretcps"),
        ("ServersTransport", "serverstransports"), ("ServersTransportTCP", "serverstransporttcps"),
        ("TLSOption", "tlsoptions"), ("TLSStore", "tlsstores"), ("TraefikService", "traefikservices"),
    ].map { SimulatedCRD(group: "traefik.io", version: "v1alpha1", kind: $0.0, plural: $0.1, columns: []) }

    private static func traefikObjects(_ release: SimulatedChartRelease) -> [Document] {
        let ns = release.namespace
        let name = release.name
        let instance = "\(name)-\(ns)"
        let labels = Document.object([
            ("app.kubernetes.io/name", .string("traefik")), ("app.kubernetes.io/instance", .string(instance)),
        ])
        let chartLabels = Document.object(
            labels.pairs + [
                ("helm.sh/chart", .string("traefik-\(release.version)")),
                ("app.kubernetes.io/managed-by", .string("Helm")),
            ])
        func meta(_ objectName: String, namespaced: Bool = true, annotations: Document? = nil) -> Document {
            var pairs: [(key: String, value: Document)] = [("name", .string(objectName))]
            if namespaced { pairs.append(("namespace", .string(ns))) }
            pairs.append(("labels", chartLabels))
            if let annotations { pairs.append(("annotations", annotations)) }
            return .object(pairs)
        }
        func strings(_ items: [String]) -> Document { .array(items.map(Document.string)) }
        func rule(_ groups: [String], _ resources: [String], _ verbs: [String]) -> Document {
            .object([("apiGroups", strings(groups)), ("resources", strings(resources)), ("verbs", strings(verbs))])
        }
        let isDefault = release.values.at(["ingressClass", "isDefaultClass"]) != .bool(false)
        let replicas = release.values.at(["deployment", "replicas"]) ?? .int(1)
        let ports: [(String, Int, Int)] = [("web", 8000, 80), ("websecure", 8443, 443)]
        let container = Document.object([
            ("name", .string("traefik")), ("image", .string("docker.io/traefik:v2.11.2")),
            ("imagePullPolicy", .string("IfNotPresent")),
            (
                "args",
                strings([
                    "--global.checknewversion", "--global.sendanonymoususage",
                    "--entrypoints.metrics.address=:9100/tcp",
                    "--entrypoints.traefik.address=:9000/tcp", "--entrypoints.web.address=:8000/tcp",
                    "--entrypoints.websecure.address=:8443/tcp", "--api.dashboard=true", "--ping=true",
                    "--metrics.prometheus=true", "--metrics.prometheus.entrypoint=metrics",
                    "--providers.kubernetescrd", "--providers.kubernetesingress",
                    "--providers.kubernetesingress.ingressendpoint.publishedservice=\(ns)/\(name)",
                    "--entrypoints.websecure.http.tls=true",
                ])
            ),
            (
                "ports",
                .array(
                    (ports + [("traefik", 9000, 0), ("metrics", 9100, 0)]).map {
                        .object([
                            ("name", .string($0.0)), ("containerPort", .int($0.1)), ("protocol", .string("TCP")),
                        ])
                    })
            ),
        ])
        return [
            .object([("apiVersion", .string("v1")), ("kind", .string("ServiceAccount")), ("metadata", meta(name))]),
            .object([
                ("apiVersion", .string("rbac.authorization.k8s.io/v1")), ("kind", .string("ClusterRole")),
                ("metadata", meta(instance, namespaced: false)),
                (
                    "rules",
                    .array([
                        rule(
                            ["extensions", "networking.k8s.io"], ["ingressclasses", "ingresses"],
                            ["get", "list", "watch"]),
                        rule([""], ["services", "endpoints", "secrets"], ["get", "list", "watch"]),
                        rule(["extensions", "networking.k8s.io"], ["ingresses/status"], ["update"]),
                    ])
                ),
            ]),
            .object([
                ("apiVersion", .string("rbac.authorization.k8s.io/v1")), ("kind", .string("ClusterRoleBinding")),
                ("metadata", meta(instance, namespaced: false)),
                (
                    "roleRef",
                    .object([
                        ("apiGroup", .string("rbac.authorization.k8s.io")), ("kind", .string("ClusterRole")),
                        ("name", .string(instance)),
                    ])
                ),
                (
                    "subjects",
                    .array([
                        .object([
                            ("kind", .string("ServiceAccount")), ("name", .string(name)), ("namespace", .string(ns)),
                        ])
                    ])
                ),
            ]),
            .object([
                ("apiVersion", .string("apps/v1")), ("kind", .string("Deployment")), ("metadata", meta(name)),
                (
                    "spec",
                    .object([
                        ("replicas", replicas), ("selector", .object([("matchLabels", labels)])),
                        (
                            "template",
                            .object([
                                ("metadata", .object([("labels", chartLabels)])),
                                (
                                    "spec",
                                    .object([
                                        ("serviceAccountName", .string(name)),
                                        ("terminationGracePeriodSeconds", .int(60)),
                                        ("containers", .array([container])),
                                    ])
                                ),
                            ])
                        ),
                    ])
                ),
            ]),
            .object([
                ("apiVersion", .string("v1")), ("kind", .string("Service")), ("metadata", meta(name)),
                (
                    "spec",
                    .object([
                        ("type", .string("LoadBalancer")), ("selector", labels),
                        (
                            "ports",
                            .array(
                                ports.map {
                                    .object([
                                        ("name", .string($0.0)), ("port", .int($0.2)),
                                        ("targetPort", .string($0.0)), ("protocol", .string("TCP")),
                                    ])
                                })
                        ),
                    ])
                ),
            ]),
            .object([
                ("apiVersion", .string("networking.k8s.io/v1")), ("kind", .string("IngressClass")),
                (
                    "metadata",
                    meta(
                        "traefik", namespaced: false,
                        annotations: .object([
                            ("ingressclass.kubernetes.io/is-default-class", .string(isDefault ? "true" : "false"))
                        ]))
                ),
                ("spec", .object([("controller", .string("traefik.io/ingress-controller"))])),
            ]),
        ]
    }
}
