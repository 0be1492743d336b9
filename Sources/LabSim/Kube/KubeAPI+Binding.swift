import HLSCore

/// `POST pods/NAME/binding` (kubernetes `registry/core/pod/storage`'s BindingREST), what the
/// scheduler binds a pod with: sets `spec.nodeName` and the PodScheduled condition; a pod
/// already bound, or being deleted, is a 409.
extension KubeAPI {
    func bind(_ target: KubeTarget, _ request: KubeHTTPRequest) throws(KubeStatus) -> KubeHTTPResponse {
        let type = target.type
        let name = target.name ?? ""
        let body = try Self.body(request, accepted: Self.writeTypes, type: target.type)
        if let given = body.text("metadata", "name"), given != name {
            throw KubeStatus.badRequest("name in URL does not match name in Binding object")
        }
        guard let node = body.text("target", "name"), !node.isEmpty else {
            throw KubeStatus.invalid(type, name, [("target.name", "Required value")])
        }
        let manager = Self.manager(request)
        try store.transact { (state: inout KubeStoreState) throws(KubeStatus) in
            guard let pod = state.get(type, namespace: target.namespace, name: name) else {
                throw KubeStatus.notFound(type, name)
            }
            if pod.at(["metadata", "deletionTimestamp"]) != nil {
                throw KubeStatus.conflict(type, name, "pod \(name) is being deleted, cannot be assigned to a host")
            }
            if let bound = pod.text("spec", "nodeName"), !bound.isEmpty {
                throw KubeStatus.conflict(type, name, "pod \(name) is already assigned to node \"\(bound)\"")
            }
            var assigned = pod
            assigned.set(["spec", "nodeName"], .string(node))
            let stored = try state.update(
                type, existing: pod, proposed: assigned, subresource: "binding", manager: .update(manager))
            var scheduled = stored
            var conditions = (stored.at(["status", "conditions"])?.items ?? []).filter {
                $0.text("type") != "PodScheduled"
            }
            conditions.append(
                .object([
                    ("type", .string("PodScheduled")), ("status", .string("True")), ("lastProbeTime", .null),
                    ("lastTransitionTime", .string(KubeTime.rfc3339(KubeTime.now()))),
                ]))
            scheduled.set(["status", "conditions"], .array(conditions))
            _ = try state.update(
                type, existing: stored, proposed: scheduled, subresource: "status", manager: .update(manager))
        }
        return .json(201, KubeStatus.success(details: [], code: 201))
    }
}
