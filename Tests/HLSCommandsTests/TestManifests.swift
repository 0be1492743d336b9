/// Manifests more than one test applies.
enum TestManifests {
    /// A two-replica Deployment `web` in `default` whose pods carry `app: web`.
    static func webDeployment(image: String) -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: default}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: \(image)}]}
        """
    }
}
