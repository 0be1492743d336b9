import HLSCore
import HLSFormats

/// The `cert-manager` chart (jetstack) as `helm template` renders what matters of it: the six
/// CRDs (`installCRDs`/`crds.enabled`; names, short names, printer columns and status
/// subresources as the chart's CRDs declare them, schemas left open), the controller, cainjector
/// and webhook Deployments and their Services in the release namespace, and the
/// ValidatingWebhookConfiguration `<release>-webhook` whose webhook `webhook.cert-manager.io`
/// every create and update of cert-manager's objects must pass.
enum CertManagerChart {
    static let chart = SimulatedChart(name: "cert-manager", version: "v1.18.2") { release in
        crds() + workloads(release)
    }

    /// `(group, kind, plural, short names, namespaced, printer columns)` of each CRD.
    private static let definitions:
        [(group: String, kind: String, plural: String, short: [String], namespaced: Bool, columns: String)] = [
            (
                "cert-manager.io", "Certificate", "certificates", ["cert", "certs"], true,
                ready + "\n" + #"""
                    - {jsonPath: .spec.secretName, name: Secret, type: string}
                    - {jsonPath: .spec.issuerRef.name, name: Issuer, priority: 1, type: string}
                    - {jsonPath: '.status.conditions[?(@.type == "Ready")].message', name: Status, priority: 1, type: string}
                    """#
            ),
            (
                "cert-manager.io", "CertificateRequest", "certificaterequests", ["cr", "crs"], true,
                #"""
                - {jsonPath: '.status.conditions[?(@.type == "Approved")].status', name: Approved, type: string}
                - {jsonPath: '.status.conditions[?(@.type == "Denied")].status', name: Denied, type: string}
                """# + "\n" + ready + "\n" + #"""
                    - {jsonPath: .spec.issuerRef.name, name: Issuer, type: string}
                    - {jsonPath: .spec.username, name: Requester, type: string}
                    - {jsonPath: '.status.conditions[?(@.type == "Ready")].message', name: Status, priority: 1, type: string}
                    """#
            ),
            ("cert-manager.io", "Issuer", "issuers", ["iss"], true, ready + "\n" + readyStatus),
            ("cert-manager.io", "ClusterIssuer", "clusterissuers", ["ciss"], false, ready + "\n" + readyStatus),
            (
                "acme.cert-manager.io", "Order", "orders", [], true,
                """
                - {jsonPath: .status.state, name: State, type: string}
                - {jsonPath: .spec.issuerRef.name, name: Issuer, priority: 1, type: string}
                - {jsonPath: .status.reason, name: Reason, priority: 1, type: string}
                """
            ),
            (
                "acme.cert-manager.io", "Challenge", "challenges", [], true,
                """
                - {jsonPath: .status.state, name: State, type: string}
                - {jsonPath: .spec.dnsName, name: Domain, type: string}
                - {jsonPath: .status.reason, name: Reason, priority: 1, type: string}
                """
            ),
        ]

    private static let ready =
        #"- {jsonPath: '.status.conditions[?(@.type == "Ready")].status', name: Ready, type: string}"#
    private static let readyStatus =
        #"- {jsonPath: '.status.conditions[?(@.type == "Ready")].message', name: Status, priority: 1, type: string}"#

    private static func crds() -> [Document] {
        definitions.map { crd in
            let categories =
                crd.group == "acme.cert-manager.io" ? "[cert-manager, cert-manager-acme]" : "[cert-manager]"
            let columns = (crd.columns + "\n- {jsonPath: .metadata.creationTimestamp, name: Age, type: date}")
                .split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
            let yaml = """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata:
                  name: \(crd.plural).\(crd.group)
                  labels: {app: cert-manager, app.kubernetes.io/name: cert-manager, app.kubernetes.io/component: crds}
                spec:
                  group: \(crd.group)
                  names:
                    categories: \(categories)
                    kind: \(crd.kind)
                    listKind: \(crd.kind)List
                    plural: \(crd.plural)
                    shortNames: [\(crd.short.joined(separator: ", "))]
                    singular: \(crd.kind.lowercased())
                  scope: \(crd.namespaced ? "Namespaced" : "Cluster")
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    subresources: {status: {}}
                    schema:
                      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
                    additionalPrinterColumns:
                \(columns)
                """
            return try! YAMLCodec.decode(yaml)
        }
    }

    /// The three Deployments (`<release>`, `-cainjector`, `-webhook`), the controller's and the
    /// webhook's Services, and the ValidatingWebhookConfiguration.
    private static func workloads(_ release: SimulatedChartRelease) -> [Document] {
        let (name, namespace, version) = (release.name, release.namespace, release.version)
        func deployment(_ suffix: String, component: String, image: String, port: String) -> String {
            let app = component == "controller" ? "cert-manager" : component
            return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: \(name)\(suffix)
                  namespace: \(namespace)
                  labels: {app: \(app), app.kubernetes.io/name: \(app), app.kubernetes.io/instance: \(name), app.kubernetes.io/component: \(component), app.kubernetes.io/version: \(version)}
                spec:
                  replicas: 1
                  selector:
                    matchLabels: {app.kubernetes.io/name: \(app), app.kubernetes.io/instance: \(name), app.kubernetes.io/component: \(component)}
                  template:
                    metadata:
                      labels: {app: \(app), app.kubernetes.io/name: \(app), app.kubernetes.io/instance: \(name), app.kubernetes.io/component: \(component), app.kubernetes.io/version: \(version)}
                    spec:
                      containers:
                      - name: cert-manager-\(component)
                        image: quay.io/jetstack/cert-manager-\(image):\(version)
                        imagePullPolicy: IfNotPresent
                        ports: [\(port)]
                """
        }
        let documents = [
            deployment("-cainjector", component: "cainjector", image: "cainjector", port: ""),
            deployment(
                "", component: "controller", image: "controller", port: "{containerPort: 9402, name: http-metrics}"),
            deployment("-webhook", component: "webhook", image: "webhook", port: "{containerPort: 10250, name: https}"),
            """
            apiVersion: v1
            kind: Service
            metadata:
              name: \(name)
              namespace: \(namespace)
              labels: {app: cert-manager, app.kubernetes.io/name: cert-manager, app.kubernetes.io/instance: \(name), app.kubernetes.io/component: controller}
            spec:
              type: ClusterIP
              ports: [{name: tcp-prometheus-servicemonitor, port: 9402, protocol: TCP, targetPort: http-metrics}]
              selector: {app.kubernetes.io/name: cert-manager, app.kubernetes.io/instance: \(name), app.kubernetes.io/component: controller}
            """,
            """
            apiVersion: v1
            kind: Service
            metadata:
              name: \(name)-webhook
              namespace: \(namespace)
              labels: {app: webhook, app.kubernetes.io/name: webhook, app.kubernetes.io/instance: \(name), app.kubernetes.io/component: webhook}
            spec:
              type: ClusterIP
              ports: [{name: https, port: 443, protocol: TCP, targetPort: https}]
              selector: {app.kubernetes.io/name: webhook, app.kubernetes.io/instance: \(name), app.kubernetes.io/component: webhook}
            """,
            """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingWebhookConfiguration
            metadata:
              name: \(name)-webhook
              labels: {app: webhook, app.kubernetes.io/name: webhook, app.kubernetes.io/instance: \(name), app.kubernetes.io/component: webhook}
              annotations: {cert-manager.io/inject-ca-from-secret: \(namespace)/\(name)-webhook-ca}
            webhooks:
            - name: webhook.cert-manager.io
              namespaceSelector:
                matchExpressions: [{key: cert-manager.io/disable-validation, operator: NotIn, values: ["true"]}]
              rules:
              - apiGroups: [cert-manager.io, acme.cert-manager.io]
                apiVersions: [v1]
                operations: [CREATE, UPDATE]
                resources: ["*/*"]
              admissionReviewVersions: [v1]
              matchPolicy: Equivalent
              timeoutSeconds: 30
              failurePolicy: Fail
              sideEffects: None
              clientConfig:
                service: {name: \(name)-webhook, namespace: \(namespace), path: /validate}
            """,
        ]
        return documents.map { try! YAMLCodec.decode($0) }
    }
}
