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

    /// The chart's CRDs, as its templates declare them.
    private static func crds() -> [Document] {
        let ready = column("Ready", condition: "Ready", field: "status")
        let status = column("Status", condition: "Ready", field: "message", wide: true)
        func issuer(wide: Bool) -> SimulatedCRD.Column {
            .init(name: "Issuer", jsonPath: ".spec.issuerRef.name", priority: wide ? 1 : nil)
        }
        let acmeColumns = { (second: SimulatedCRD.Column) -> [SimulatedCRD.Column] in
            [
                .init(name: "State", jsonPath: ".status.state"), second,
                .init(name: "Reason", jsonPath: ".status.reason", priority: 1),
            ]
        }
        let definitions = [
            crd(
                "Certificate", "certificates", short: ["cert", "certs"],
                columns: [ready, .init(name: "Secret", jsonPath: ".spec.secretName"), issuer(wide: true), status]),
            crd(
                "CertificateRequest", "certificaterequests", short: ["cr", "crs"],
                columns: [
                    column("Approved", condition: "Approved", field: "status"),
                    column("Denied", condition: "Denied", field: "status"), ready, issuer(wide: false),
                    .init(name: "Requester", jsonPath: ".spec.username"), status,
                ]),
            crd("Issuer", "issuers", short: ["iss"], columns: [ready, status]),
            crd("ClusterIssuer", "clusterissuers", short: ["ciss"], namespaced: false, columns: [ready, status]),
            crd("Order", "orders", acme: true, columns: acmeColumns(issuer(wide: true))),
            crd(
                "Challenge", "challenges", acme: true,
                columns: acmeColumns(.init(name: "Domain", jsonPath: ".spec.dnsName"))),
        ]
        return definitions.map(\.document)
    }

    /// A column showing `field` of the condition `condition`.
    private static func column(_ name: String, condition: String, field: String, wide: Bool = false)
        -> SimulatedCRD.Column
    {
        .init(
            name: name, jsonPath: ".status.conditions[?(@.type == \"\(condition)\")].\(field)", priority: wide ? 1 : nil
        )
    }

    private static func crd(
        _ kind: String, _ plural: String, short: [String] = [], acme: Bool = false, namespaced: Bool = true,
        columns: [SimulatedCRD.Column]
    ) -> SimulatedCRD {
        SimulatedCRD(
            group: acme ? "acme.cert-manager.io" : "cert-manager.io", version: "v1", kind: kind, plural: plural,
            shortNames: short, categories: acme ? ["cert-manager", "cert-manager-acme"] : ["cert-manager"],
            namespaced: namespaced,
            labels: [
                "app": "cert-manager", "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/component": "crds",
            ], columns: columns)
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
