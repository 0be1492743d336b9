import Foundation

/// Manifests the Kubernetes tests apply, written once.
public enum KubeManifests {
    /// A namespaced CustomResourceDefinition, `widgets.example.com` (kind Widget, short name `wg`),
    /// whose objects keep any field, have a status subresource and print `.spec.size` as a `Size`
    /// column.
    public static let widgetCRD = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.com
        spec:
          group: example.com
          scope: Namespaced
          names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wg]}
          versions:
          - name: v1
            served: true
            storage: true
            subresources: {status: {}}
            schema:
              openAPIV3Schema:
                type: object
                x-kubernetes-preserve-unknown-fields: true
            additionalPrinterColumns:
            - {name: Size, type: string, jsonPath: .spec.size}
        """

    /// An app behind an Ingress with TLS, in `default`: the `kubernetes.io/tls` Secret `app-tls`
    /// holding `certificatePEM` and `keyPEM`, Service `app` (port 80) selecting `app=app`, the pod
    /// `app-1` it selects, and Ingress `app` for `app.home.example.com` (no class: the default's).
    public static func ingressApp(certificatePEM: String, keyPEM: String) -> String {
        """
        apiVersion: v1
        kind: Secret
        type: kubernetes.io/tls
        metadata: {name: app-tls, namespace: default}
        data:
          tls.crt: \(Data(certificatePEM.utf8).base64EncodedString())
          tls.key: \(Data(keyPEM.utf8).base64EncodedString())
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: app, namespace: default}
        spec: {selector: {app: app}, ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: app-1, namespace: default, labels: {app: app}}
        spec: {containers: [{name: app, image: nginx}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: app, namespace: default}
        spec:
          tls: [{hosts: [app.home.example.com], secretName: app-tls}]
          rules:
          - host: app.home.example.com
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: app, port: {number: 80}}}}
        """
    }
}
