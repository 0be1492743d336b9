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
}
