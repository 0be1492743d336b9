import HLSCore
import Synchronization

/// One change to the store, as watches replay it.
struct KubeChange: Sendable {
    var type: String
    var storeKey: String
    var object: Document
    /// The object before a MODIFIED, so a selector that stops or starts matching turns the event
    /// into DELETED or ADDED as the watch cache does.
    var old: Document?
    var revision: Int
}

/// Everything the simulated API holds, behind one lock: the objects of every resource (keyed by
/// group/resource, then `namespace/name`), the one global revision counter, a bounded history
/// of changes for watches that resume, the open watches, the served resource types, and the
/// containers' logs.
struct KubeStoreState {
    var revision = 1
    var objects: [String: [String: Document]] = [:]
    var history: [KubeChange] = []
    /// Revisions up to this one are compacted: a watch from an older one gets 410 Expired.
    var compacted = 1
    var watchers: [Int: KubeWatcher] = [:]
    var types = KubeTypeRegistry()
    var nextWatcher = 1
    /// What each container wrote, by `namespace/pod/container` (`KubePodLogs`).
    var logs: [String: [KubeLogLine]] = [:]
    /// Open `follow=true` log streams, by id.
    var logFollowers: [Int: KubeLogFollower] = [:]
    /// The admission webhooks the simulator serves, by name (`KubeSimulatedWebhook`).
    var webhooks: [String: KubeSimulatedWebhook] = [:]
    /// The servers behind pods the simulator runs in process (Loki), for the service proxy.
    var serviceBackends: [KubeServiceBackend] = []
    static let historyLimit = 20_000

    static func key(namespace: String?, name: String) -> String {
        if let namespace, !namespace.isEmpty { return namespace + "/" + name }
        return name
    }

    func get(_ type: KubeResourceType, namespace: String?, name: String) -> Document? {
        objects[type.storeKey]?[Self.key(namespace: type.namespaced ? namespace : nil, name: name)]
    }

    /// The objects of a resource (in one namespace, or all), ordered as etcd keys are.
    func list(_ type: KubeResourceType, namespace: String?) -> [(key: String, object: Document)] {
        let all = objects[type.storeKey] ?? [:]
        let prefix = namespace.map { $0 + "/" }
        // Into an array first: `Dictionary.filter` builds (and hashes) a second dictionary.
        let selected = all.compactMap { entry in
            prefix == nil || entry.key.hasPrefix(prefix!) ? (key: entry.key, object: entry.value) : nil
        }
        return selected.sorted { $0.key < $1.key }
    }

    /// Stores `object` at a new revision and tells the watches; returns it with its resourceVersion.
    @discardableResult
    mutating func put(_ type: KubeResourceType, _ object: Document, event: String, old: Document? = nil)
        -> Document
    {
        revision += 1
        var stored = object
        stored.set(["metadata", "resourceVersion"], .string(String(revision)))
        let key = Self.key(namespace: stored.text("metadata", "namespace"), name: stored.text("metadata", "name") ?? "")
        objects[type.storeKey, default: [:]][key] = stored
        record(KubeChange(type: event, storeKey: type.storeKey, object: stored, old: old, revision: revision))
        return stored
    }

    /// Removes an object at a new revision (the DELETED event carries it with that revision).
    /// Every way a pod goes (delete, eviction, its last finalizer, its namespace) passes here,
    /// so its kubelet stops it here too (`podRemoved`).
    @discardableResult
    mutating func remove(_ type: KubeResourceType, namespace: String?, name: String) -> Document? {
        let key = Self.key(namespace: type.namespaced ? namespace : nil, name: name)
        guard var object = objects[type.storeKey]?.removeValue(forKey: key) else { return nil }
        if type.storeKey == Self.pods.storeKey { podRemoved(object) }
        revision += 1
        object.set(["metadata", "resourceVersion"], .string(String(revision)))
        record(KubeChange(type: "DELETED", storeKey: type.storeKey, object: object, old: nil, revision: revision))
        return object
    }

    private mutating func record(_ change: KubeChange) {
        history.append(change)
        if history.count > Self.historyLimit {
            let drop = history.count - Self.historyLimit / 2
            compacted = history[drop - 1].revision
            history.removeFirst(drop)
        }
        for watcher in watchers.values where watcher.storeKey == change.storeKey { watcher.offer(change) }
    }

    /// Forgets the history: every watch resuming from an earlier revision gets 410.
    mutating func compact() {
        history.removeAll()
        compacted = revision
    }
}

/// The lock around `KubeStoreState`.
final class KubeStore: Sendable {
    private let state = Mutex(KubeStoreState())

    func transact<T: Sendable, E: Error>(_ body: (inout KubeStoreState) throws(E) -> T) throws(E) -> T {
        try state.withLock { (s: inout KubeStoreState) throws(E) -> T in try body(&s) }
    }
}
