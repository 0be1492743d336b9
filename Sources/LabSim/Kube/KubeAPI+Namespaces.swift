import HLSCore
import NIOCore

/// Namespace deletion as the namespace registry and controller do it: the DELETE marks it
/// Terminating (200 with the object); the controller then deletes everything in it, clears
/// `spec.finalizers` and the namespace goes with a DELETED event.
extension KubeAPI {
    func deleteNamespace(_ name: String) throws(KubeStatus) -> KubeHTTPResponse {
        let type = KubeStoreState.namespaces
        if ["default", "kube-system", "kube-public"].contains(name) {
            throw KubeStatus.forbidden(type, name, "this namespace may not be deleted")
        }
        let marked = try store.transact { (state: inout KubeStoreState) throws(KubeStatus) -> Document in
            guard let existing = state.get(type, namespace: nil, name: name) else {
                throw KubeStatus.notFound(type, name)
            }
            if existing.at(["metadata", "deletionTimestamp"]) != nil {
                throw KubeStatus.conflict(
                    type, name,
                    "The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system."
                )
            }
            var marked = existing
            marked.set(["metadata", "deletionTimestamp"], .string(KubeTime.rfc3339(KubeTime.now())))
            marked.set(["status", "phase"], .string("Terminating"))
            return state.put(type, marked, event: "MODIFIED", old: existing)
        }
        let delay = config.namespaceCleanupDelay
        controllers.scheduleTask(in: .nanoseconds(Int64(delay * 1e9))) { [self] in
            self.purgeNamespace(name)
        }
        return .json(200, marked)
    }

    /// The namespace controller's pass: delete the contents, finalize, delete the namespace.
    func purgeNamespace(_ name: String) {
        store.transact { state in
            for type in state.types.types where type.namespaced {
                guard state.types.anyVersion(group: type.group, plural: type.plural) == type else { continue }
                for (_, object) in state.list(type, namespace: name) {
                    state.remove(type, namespace: name, name: object.text("metadata", "name") ?? "")
                }
            }
            let type = KubeStoreState.namespaces
            guard var namespace = state.get(type, namespace: nil, name: name),
                namespace.at(["metadata", "deletionTimestamp"]) != nil
            else { return }
            let before = namespace
            namespace.set(["spec", "finalizers"], .array([]))
            namespace = state.put(type, namespace, event: "MODIFIED", old: before)
            if (namespace.at(["metadata", "finalizers"])?.items ?? []).isEmpty {
                state.remove(type, namespace: nil, name: name)
            }
        }
    }

    /// `PUT namespaces/NAME/finalize`: replaces `spec.finalizers`; an emptied terminating
    /// namespace goes at once.
    func finalize(_ target: KubeTarget, _ body: Document) throws(KubeStatus) -> KubeHTTPResponse {
        let name = target.name ?? ""
        let result = try store.transact { (state: inout KubeStoreState) throws(KubeStatus) -> Document in
            let type = KubeStoreState.namespaces
            guard let existing = state.get(type, namespace: nil, name: name) else {
                throw KubeStatus.notFound(type, name)
            }
            var updated = existing
            updated.set(["spec", "finalizers"], body.at(["spec", "finalizers"]) ?? .array([]))
            let stored = state.put(type, updated, event: "MODIFIED", old: existing)
            if existing.at(["metadata", "deletionTimestamp"]) != nil,
                (updated.at(["spec", "finalizers"])?.items ?? []).isEmpty
            {
                state.remove(type, namespace: nil, name: name)
            }
            return stored
        }
        return .json(200, result)
    }
}
