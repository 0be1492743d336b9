import HLSCore

/// The `scale` subresource of Deployments, ReplicaSets and StatefulSets (apiserver's
/// ScaleREST): an `autoscaling/v1` Scale with `spec.replicas` and, in its status, the
/// replicas counted and the selector as a string. GET answers it; PUT takes one, PATCH patches
/// it; either sets the workload's `spec.replicas` (what `kubectl scale` sends).
extension KubeAPI {
    func scale(_ target: KubeTarget, _ request: KubeHTTPRequest) throws(KubeStatus) -> KubeHTTPResponse {
        let type = target.type
        let name = target.name ?? ""
        let manager = Self.manager(request)
        let body = request.method == "GET" ? nil : try Self.patchBody(request, type)
        let contentType = request.header("Content-Type")?.split(separator: ";").first.map { String($0).trimmingSpaces }
        let scaled = try store.transact { (state: inout KubeStoreState) throws(KubeStatus) -> Document in
            guard let existing = state.get(type, namespace: target.namespace, name: name) else {
                throw KubeStatus.notFound(type, name)
            }
            guard let body else { return existing }
            let current = Self.scaleObject(of: existing)
            let wanted: Document
            switch (request.method, contentType) {
            case ("PUT", _): wanted = body
            case (_, "application/json-patch+json"): wanted = try KubePatches.jsonPatch(current, body)
            default: wanted = KubePatches.mergePatch(current, body)
            }
            guard case .int(let replicas) = wanted.at(["spec", "replicas"]) ?? .null, replicas >= 0 else {
                throw KubeStatus.invalid(
                    type, name, [("spec.replicas", "Invalid value: must be greater than or equal to 0")])
            }
            var updated = existing
            updated.set(["spec", "replicas"], .int(replicas))
            return try state.update(
                type, existing: existing, proposed: updated, subresource: "scale", manager: .update(manager),
                dryRun: request.param("dryRun") == "All")
        }
        return .json(200, Self.scaleObject(of: scaled))
    }

    /// The request body of a PUT or PATCH, as JSON (or YAML).
    private static func patchBody(_ request: KubeHTTPRequest, _ type: KubeResourceType) throws(KubeStatus)
        -> Document
    {
        try body(
            KubeHTTPRequest(
                method: request.method, path: request.path, query: request.query,
                headers: [("Content-Type", "application/json")], body: request.body, certificateUser: nil,
                document: request.document),
            accepted: ["application/json"], type: type)
    }

    /// A workload's `autoscaling/v1` Scale.
    static func scaleObject(of object: Document) -> Document {
        var metadata = Document.object([])
        for key in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            metadata.set(key, object.at(["metadata", key]))
        }
        let labels = (object.at(["spec", "selector", "matchLabels"]) ?? .object([])).stringMap
        let selector = labels.keys.sorted().map { "\($0)=\(labels[$0] ?? "")" }.joined(separator: ",")
        var replicas = 0
        if case .int(let n) = object.at(["status", "replicas"]) ?? .null { replicas = n }
        return .object([
            ("kind", .string("Scale")), ("apiVersion", .string("autoscaling/v1")), ("metadata", metadata),
            ("spec", .object([("replicas", object.at(["spec", "replicas"]) ?? .int(1))])),
            ("status", .object([("replicas", .int(replicas)), ("selector", .string(selector))])),
        ])
    }
}
