import HLSCore
import Synchronization

/// One open watch: which objects it wants, and where their events go. `offer` is called with
/// the store locked, so events reach `emit` in revision order.
final class KubeWatcher: Sendable {
    let storeKey: String
    let namespace: String?
    let labels: KubeLabelSelector
    let fields: KubeFieldSelector
    /// Writes one event (type, object) to the stream.
    let emit: @Sendable (String, Document) -> Void

    init(
        storeKey: String, namespace: String?, labels: KubeLabelSelector, fields: KubeFieldSelector,
        emit: @escaping @Sendable (String, Document) -> Void
    ) {
        self.storeKey = storeKey
        self.namespace = namespace
        self.labels = labels
        self.fields = fields
        self.emit = emit
    }

    func matches(_ object: Document) -> Bool {
        if let namespace, object.text("metadata", "namespace") != namespace { return false }
        return labels.matches((object.at(["metadata", "labels"]) ?? .object([])).stringMap) && fields.matches(object)
    }

    /// A change as this watch sees it: an object that starts matching is ADDED, one that stops
    /// is DELETED (the watch cache's rule).
    func offer(_ change: KubeChange) {
        let now = matches(change.object)
        switch change.type {
        case "MODIFIED":
            let before = change.old.map(matches) ?? now
            if now && before {
                emit("MODIFIED", change.object)
            } else if now {
                emit("ADDED", change.object)
            } else if before {
                emit("DELETED", change.object)
            }
        default:
            if now { emit(change.type, change.object) }
        }
    }
}
