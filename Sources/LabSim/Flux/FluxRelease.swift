public import HLSCore
import HLSCrypto
import HLSFormats

/// The pinned Flux release (flux2 v2.9.4) as its `install.yaml` asset holds it: the
/// `flux-system` Namespace, the CRDs of the default components, their ServiceAccounts, RBAC,
/// Services, Deployments and the release's NetworkPolicies and ResourceQuota, every object
/// labelled `app.kubernetes.io/part-of=flux`, `instance=flux-system`, `version=v2.9.4`. The lab
/// serves the text as the release asset; the client checks it against `sha256`.
public enum FluxRelease {
    public static let version = "v2.9.4"
    public static let namespace = "flux-system"

    /// The default components and the controller image each runs.
    static let components: [(name: String, image: String)] = [
        ("helm-controller", "ghcr.io/fluxcd/helm-controller:v1.6.1"),
        ("kustomize-controller", "ghcr.io/fluxcd/kustomize-controller:v1.9.1"),
        ("notification-controller", "ghcr.io/fluxcd/notification-controller:v1.9.0"),
        ("source-controller", "ghcr.io/fluxcd/source-controller:v1.9.1"),
    ]

    /// The text of `install.yaml`.
    public static let installYAML: String = {
        var parts = ["# Flux \(version)\n" + namespaceYAML]
        parts += FluxCRDs.all.map { YAMLCodec.encode(FluxCRDs.document($0, labels: labelsDocument)) }
        parts.append(rbacYAML)
        parts += components.map { componentYAML($0.name, image: $0.image) }
        parts.append(policiesYAML)
        return parts.map { "---\n" + $0 }.joined()
    }()

    /// The lowercase hex SHA-256 of `installYAML`, as the release's checksums list it.
    public static let sha256: String = Hex.encode(SHA.sha256(Array(installYAML.utf8)))

    /// The objects of `installYAML`, in its order.
    public static let documents: [Document] = {
        // The text is built here from well-formed parts; a failure is a defect of this file.
        do { return try YAMLCodec.decodeAll(installYAML, file: "install.yaml") } catch { fatalError("\(error)") }
    }()

    /// The release's asset URL (`https://github.com/fluxcd/flux2/releases/download/v2.9.4/install.yaml`).
    public static let installURL = "https://github.com/fluxcd/flux2/releases/download/\(version)/install.yaml"

    static let labels = """
            app.kubernetes.io/instance: flux-system
            app.kubernetes.io/part-of: flux
            app.kubernetes.io/version: \(version)
        """

    static let labelsDocument = Document.object([
        ("app.kubernetes.io/instance", .string("flux-system")), ("app.kubernetes.io/part-of", .string("flux")),
        ("app.kubernetes.io/version", .string(version)),
    ])

    private static let namespaceYAML = """
        apiVersion: v1
        kind: Namespace
        metadata:
          labels:
        \(labels)
            pod-security.kubernetes.io/warn: restricted
            pod-security.kubernetes.io/warn-version: latest
          name: flux-system

        """

    /// The head of one of the release's own objects: apiVersion, kind, the release's labels, the
    /// name and (when `namespaced`) the `flux-system` namespace.
    private static func head(_ apiVersion: String, _ kind: String, _ name: String, namespaced: Bool = false) -> String {
        """
        apiVersion: \(apiVersion)
        kind: \(kind)
        metadata:
          labels:
        \(labels)
          name: \(name)

        """ + (namespaced ? "  namespace: flux-system\n" : "")
    }

    /// A ClusterRoleBinding of `role` to the components' ServiceAccounts.
    private static func binding(_ name: String, role: String, _ accounts: [String]) -> String {
        head("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", name) + """
            roleRef:
              apiGroup: rbac.authorization.k8s.io
              kind: ClusterRole
              name: \(role)
            subjects:

            """ + accounts.map { "- kind: ServiceAccount\n  name: \($0)\n  namespace: flux-system\n" }.joined()
    }

    private static let rbacYAML = [
        head("rbac.authorization.k8s.io/v1", "ClusterRole", "crd-controller-flux-system") + """
            rules:
            - apiGroups: [source.toolkit.fluxcd.io, kustomize.toolkit.fluxcd.io, helm.toolkit.fluxcd.io, notification.toolkit.fluxcd.io]
              resources: ['*']
              verbs: ['*']
            - apiGroups: ['']
              resources: [namespaces, secrets, configmaps, serviceaccounts]
              verbs: [get, list, watch]
            - apiGroups: ['']
              resources: [events]
              verbs: [create, patch]
            - apiGroups: [coordination.k8s.io]
              resources: [leases]
              verbs: ['*']

            """,
        binding("cluster-reconciler-flux-system", role: "cluster-admin", ["kustomize-controller", "helm-controller"]),
        binding(
            "crd-controller-flux-system", role: "crd-controller-flux-system",
            ["kustomize-controller", "helm-controller", "source-controller", "notification-controller"]),
    ].joined(separator: "---\n")

    private static let policiesYAML = [
        head("v1", "ResourceQuota", "critical-pods-flux-system", namespaced: true) + """
            spec:
              hard:
                pods: "1000"
              scopeSelector:
                matchExpressions:
                - operator: In
                  scopeName: PriorityClass
                  values: [system-node-critical, system-cluster-critical]

            """,
        head("networking.k8s.io/v1", "NetworkPolicy", "allow-egress", namespaced: true) + """
            spec:
              egress:
              - {}
              ingress:
              - from:
                - podSelector: {}
              podSelector: {}
              policyTypes: [Ingress, Egress]

            """,
        head("networking.k8s.io/v1", "NetworkPolicy", "allow-scraping", namespaced: true) + """
            spec:
              ingress:
              - from:
                - namespaceSelector: {}
                ports:
                - port: 8080
                  protocol: TCP
              podSelector: {}
              policyTypes: [Ingress]

            """,
        head("networking.k8s.io/v1", "NetworkPolicy", "allow-webhooks", namespaced: true) + """
            spec:
              ingress:
              - from:
                - namespaceSelector: {}
              podSelector:
                matchLabels:
                  app: notification-controller
              policyTypes: [Ingress]

            """,
    ].joined(separator: "---\n")

    /// A component's ServiceAccount, Service(s) and Deployment, as the release renders them.
    private static func componentYAML(_ name: String, image: String) -> String {
        let meta = """
            metadata:
              labels:
                app.kubernetes.io/component: \(name)
            \(labels)
            """
        func port(_ number: Int, _ name: String) -> String {
            "- containerPort: \(number)\n          name: \(name)\n          protocol: TCP"
        }
        let events = "--events-addr=http://notification-controller.flux-system.svc.cluster.local./"
        var services: [(name: String, port: String)] = []
        var ports = [port(8080, "http-prom")]
        var args = [
            "--watch-all-namespaces=true", "--log-level=info", "--log-encoding=json", "--enable-leader-election",
        ]
        switch name {
        case "source-controller":
            services = [("source-controller", "http")]
            ports.insert(port(9090, "http"), at: 0)
            args =
                [events] + args + [
                    "--storage-path=/data",
                    "--storage-adv-addr=source-controller.$(RUNTIME_NAMESPACE).svc.cluster.local.",
                ]
        case "notification-controller":
            services = [("notification-controller", "http"), ("webhook-receiver", "http-webhook")]
            ports.insert(contentsOf: [port(9090, "http"), port(9292, "http-webhook")], at: 0)
        default: args.insert(events, at: 0)
        }
        ports.append(port(9440, "healthz"))
        var text = """
            apiVersion: v1
            kind: ServiceAccount
            \(meta)
              name: \(name)
              namespace: flux-system

            """
        for service in services {
            text += """
                ---
                apiVersion: v1
                kind: Service
                \(meta)
                    control-plane: controller
                  name: \(service.name)
                  namespace: flux-system
                spec:
                  ports:
                  - name: http
                    port: 80
                    protocol: TCP
                    targetPort: \(service.port)
                  selector:
                    app: \(name)
                  type: ClusterIP

                """
        }
        text += """
            ---
            apiVersion: apps/v1
            kind: Deployment
            \(meta)
                control-plane: controller
              name: \(name)
              namespace: flux-system
            spec:
              replicas: 1
              selector:
                matchLabels:
                  app: \(name)
              template:
                metadata:
                  annotations:
                    prometheus.io/port: "8080"
                    prometheus.io/scrape: "true"
                  labels:
                    app: \(name)
                spec:
                  containers:
                  - args:
            \(args.map { "        - " + $0 }.joined(separator: "\n"))
                    env:
                    - name: RUNTIME_NAMESPACE
                      valueFrom:
                        fieldRef:
                          fieldPath: metadata.namespace
                    image: \(image)
                    imagePullPolicy: IfNotPresent
                    livenessProbe:
                      httpGet:
                        path: /healthz
                        port: healthz
                    name: manager
                    ports:
                    \(ports.joined(separator: "\n        "))
                    readinessProbe:
                      httpGet:
                        path: /readyz
                        port: healthz
                    resources:
                      limits:
                        cpu: 1000m
                        memory: 1Gi
                      requests:
                        cpu: 100m
                        memory: 64Mi
                    securityContext:
                      allowPrivilegeEscalation: false
                      capabilities:
                        drop: [ALL]
                      readOnlyRootFilesystem: true
                      runAsNonRoot: true
                      seccompProfile:
                        type: RuntimeDefault
                  nodeSelector:
                    kubernetes.io/os: linux
                  priorityClassName: system-cluster-critical
                  securityContext:
                    fsGroup: 1337
                  serviceAccountName: \(name)
                  terminationGracePeriodSeconds: 10

            """
        return text
    }
}
