import Dispatch
import HLSCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the simulated cluster's controllers on one thread, fed by the store's change stream (as
/// an informer feeds a real controller): every change to an object of a controller's resource
/// queues that object, a change to a resource it follows queues all of them, and a reconcile
/// that asks to look again is queued for then. A queued object is reconciled once however many
/// changes queued it, and always as it is at that moment (read afresh, skipped when gone).
final class KubeControllerRunner: Sendable {
    private struct Key: Hashable {
        var controller: Int
        var namespace: String?
        var name: String

        /// The key of a stored `object` of controller `controller`.
        init(_ controller: Int, _ object: Document) {
            self.init(
                controller: controller, namespace: object.text("metadata", "namespace"),
                name: object.text("metadata", "name") ?? "")
        }

        init(controller: Int, namespace: String?, name: String) {
            self.controller = controller
            self.namespace = namespace
            self.name = name
        }
    }

    /// An object of a resource controller `controller` follows selectively.
    private struct Followed: Hashable {
        var controller: Int
        var storeKey: String
        var namespace: String?
        var name: String

        init(_ controller: Int, _ resource: KubeResourceName, _ object: Document) {
            self.controller = controller
            storeKey = resource.storeKey
            namespace = object.text("metadata", "namespace")
            name = object.text("metadata", "name") ?? ""
        }
    }

    /// A change to a selectively followed object: the object as it is now (or was last, when
    /// deleted).
    private typealias FollowedChange = (followed: Followed, object: Document, deleted: Bool)

    private struct Queue {
        /// Objects to reconcile, and from when on.
        var due: [Key: ContinuousClock.Instant] = [:]
        /// Controllers all of whose objects are to be queued (a followed resource changed).
        var everything: Set<Int> = []
        /// Changes to selectively followed objects, oldest first, the worker to resolve (and
        /// whether each was a deletion).
        var changed: [FollowedChange] = []
        /// The objects each selectively followed object concerned when last resolved.
        var concerned: [Followed: Set<Key>] = [:]
        /// Whether each installed controller's workload was last seen available (read at start,
        /// then kept by the watch of it), which gates its reconciles.
        var available: [Int: Bool] = [:]
        var watchers: [Int] = []
        var started = false
        var stopping = false
        /// The runner's thread, once it runs: a `stop()` from a reconcile must not wait for itself.
        var thread: pthread_t?
        /// What last queued each object of a controller that `queuesOnlyNewGenerations`.
        var marks: [Key: Marks] = [:]
    }

    /// What queues an object of a controller that `queuesOnlyNewGenerations`: its generation,
    /// its reconcile request, and its deletion.
    private struct Marks: Equatable {
        var generation: Document?
        var requestedAt: String?
        var deleting: Bool

        init(_ object: Document) {
            generation = object.at(["metadata", "generation"])
            requestedAt = object.text("metadata", "annotations", "reconcile.fluxcd.io/requestedAt")
            deleting = object.at(["metadata", "deletionTimestamp"]) != nil
        }
    }

    private let api: KubeAPI
    private let controllers: [any SimulatedController]
    private let queue = Mutex(Queue())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    /// The factor on every requeue time a controller asks for (1: as asked).
    private let requeueScale: Double

    /// - Parameter requeueScale: the factor on every requeue time the controllers ask for
    ///   (`KubeAPISimulator.Options.requeueScale`).
    init(api: KubeAPI, controllers: [any SimulatedController], requeueScale: Double = 1) {
        self.api = api
        self.controllers = controllers
        self.requeueScale = requeueScale
    }

    /// Follows the store and queues every object the controllers already have. Only the first
    /// call does anything, and none after `stop()`.
    func start() {
        let first = queue.withLock { q -> Bool in
            defer { q.started = true }
            return !q.started && !q.stopping
        }
        guard first else { return }
        // Watching, and reading each workload and selectively followed object as it is now, in one
        // transaction: no change is missed.
        let (ids, available, existing) = api.store.transact {
            state -> ([Int], [Int: Bool], [FollowedChange]) in
            var ids: [Int] = []
            for watcher in controllers.indices.flatMap({ watchers(of: $0, types: state.types) }) {
                state.watchers[state.nextWatcher] = watcher
                ids.append(state.nextWatcher)
                state.nextWatcher += 1
            }
            var available: [Int: Bool] = [:]
            var existing: [FollowedChange] = []
            for (index, controller) in controllers.enumerated() {
                for resource in controller.followsSelectively {
                    for object in (state.objects[resource.storeKey] ?? [:]).values {
                        existing.append((Followed(index, resource, object), object, false))
                    }
                }
                guard let workload = controller.workload else { continue }
                let object = state.objects[workload.resource.storeKey]?[
                    KubeStoreState.key(namespace: workload.namespace, name: workload.name)]
                available[index] = object.map { SimulatedWorkload.isAvailable($0, kind: workload.kind) } ?? false
            }
            return (ids, available, existing)
        }
        queue.withLock { q in
            q.watchers = ids
            // What the watches already recorded is newer than the reads above.
            q.available.merge(available) { watched, _ in watched }
            q.changed = existing + q.changed
        }
        queue.withLock { $0.everything = Set(controllers.indices) }
        Threads.detach(name: "sim-controllers") { [self] in run() }
    }

    /// What controller `index` follows: its own resource (each change queues that object), the
    /// resources it follows (a change queues all its objects), those it owns (a change queues the
    /// owner), and its workload, whose turning available queues all its objects — not its other
    /// changes, nor those of other workloads.
    private func watchers(of index: Int, types: KubeTypeRegistry) -> [KubeWatcher] {
        let controller = controllers[index]
        func watch(
            _ resource: KubeResourceName, in namespace: String? = nil, fields: KubeFieldSelector = .everything,
            _ emit: @escaping @Sendable (String, Document) -> Void
        ) -> KubeWatcher {
            KubeWatcher(
                storeKey: resource.storeKey, namespace: namespace, labels: .everything, fields: fields, emit: emit)
        }
        var watchers = [
            watch(controller.resource) { [self] type, object in
                guard controller.queuesOnlyNewGenerations else { return enqueue(index, object) }
                let key = Key(index, object)
                let marks = Marks(object)
                let new = queue.withLock { q in
                    defer { q.marks[key] = type == "DELETED" ? nil : marks }
                    return type != "MODIFIED" || q.marks[key] != marks
                }
                if new { enqueue(key) }
            }
        ]
        watchers += controller.follows.map { watch($0) { [self] _, _ in enqueueAll(index) } }
        watchers += controller.followsSelectively.map { resource in
            watch(resource) { [self] type, object in
                let followed = Followed(index, resource, object)
                queue.withLock { $0.changed.append((followed, object, type == "DELETED")) }
                wake.signal()
            }
        }
        let resource = controller.resource
        // A custom resource whose CRD comes later (a chart's) has no kind yet: its owned objects
        // are then matched by the owner's API group (an owner of another kind of the group is
        // looked up in vain, which does no harm).
        let kind = types.type(group: resource.group, version: resource.version, plural: resource.plural)?.kind
        watchers += controller.owns.map {
            watch($0) { [self] _, object in
                let owner = (object.at(["metadata", "ownerReferences"])?.items ?? []).first {
                    guard $0.at(["controller"]) == .bool(true) else { return false }
                    if let kind { return $0.text("kind") == kind }
                    return $0.text("apiVersion")?.split(separator: "/").first.map(String.init) == resource.group
                }
                guard let name = owner?.text("name") else { return }
                enqueue(index, namespace: object.text("metadata", "namespace"), name: name)
            }
        }
        if let workload = controller.workload {
            var named = KubeFieldSelector()
            named.requirements = [.init(field: "metadata.name", value: workload.name, equals: true)]
            watchers.append(
                watch(workload.resource, in: workload.namespace, fields: named) { [self] type, object in
                    let available = type != "DELETED" && SimulatedWorkload.isAvailable(object, kind: workload.kind)
                    let turned = queue.withLock { $0.available.updateValue(available, forKey: index) != available }
                    if available && turned { enqueueAll(index) }
                })
        }
        return watchers
    }

    /// Stops following the store and waits for a reconcile under way to finish; called from a
    /// reconcile (whose end it cannot wait for), nothing runs after that reconcile returns.
    /// Before `start()` it only keeps the runner from starting. Only the first call does anything.
    func stop() {
        let stopped = queue.withLock { q -> (ids: [Int], wait: Bool)? in
            guard !q.stopping else { return nil }
            q.stopping = true
            let inside = q.thread.map { pthread_equal($0, pthread_self()) != 0 } ?? false
            return (q.watchers, q.started && !inside)
        }
        guard let stopped else { return }
        api.store.transact { state in for id in stopped.ids { state.watchers[id] = nil } }
        wake.signal()
        if stopped.wait { finished.wait() }
    }

    /// Queues one object of controller `index` now. Called with the store locked: only records.
    private func enqueue(_ index: Int, _ object: Document) { enqueue(Key(index, object)) }

    private func enqueue(_ index: Int, namespace: String?, name: String) {
        enqueue(Key(controller: index, namespace: namespace, name: name))
    }

    private func enqueue(_ key: Key) {
        queue.withLock { $0.due[key] = .now }
        wake.signal()
    }

    /// Queues every object of controller `index` (a followed resource changed). Called with the
    /// store locked: the worker lists them.
    private func enqueueAll(_ index: Int) {
        queue.withLock { _ = $0.everything.insert(index) }
        wake.signal()
    }

    /// The keys of every object controller `index` reconciles, as the store holds them now.
    private func keys(of index: Int) -> [Key] {
        let storeKey = controllers[index].resource.storeKey
        return api.store.transact { state in (state.objects[storeKey] ?? [:]).values.map { Key(index, $0) } }
    }

    /// The objects a change to a selectively followed object queues: those it concerns now
    /// (none once deleted) and those it concerned before.
    private func keys(concernedBy change: FollowedChange) -> Set<Key> {
        let index = change.followed.controller
        let controller = controllers[index]
        let now =
            change.deleted
            ? []
            : Set(
                api.store.transact { state in
                    (state.objects[controller.resource.storeKey] ?? [:]).values.filter {
                        controller.concerns(change.object, $0)
                    }
                }.map { Key(index, $0) })
        let before = queue.withLock { q in
            defer { q.concerned[change.followed] = change.deleted ? nil : now }
            return q.concerned[change.followed] ?? []
        }
        return now.union(before)
    }

    private func run() {
        queue.withLock { $0.thread = pthread_self() }
        while true {
            let (everything, changed) = queue.withLock { q in
                defer { (q.everything, q.changed) = ([], []) }
                return (q.everything, q.changed)
            }
            let listed = everything.flatMap(keys(of:)) + changed.flatMap(keys(concernedBy:))
            let (ready, next) = queue.withLock { q -> ([Key], ContinuousClock.Instant?) in
                guard !q.stopping else { return ([], nil) }
                let now = ContinuousClock.now
                for key in listed { q.due[key] = now }
                let ready = q.due.filter { $0.value <= now }.map(\.key)
                for key in ready { q.due[key] = nil }
                return (ready, q.due.values.min())
            }
            if queue.withLock({ $0.stopping }) { break }
            for key in ready where !queue.withLock({ $0.stopping }) { reconcile(key) }
            guard ready.isEmpty else { continue }
            if let next {
                let wait = max(0, (next - .now).inSeconds)
                _ = wake.wait(timeout: .now() + wait)
            } else {
                wake.wait()
            }
        }
        finished.signal()
    }

    private func reconcile(_ key: Key) {
        let controller = controllers[key.controller]
        let path = controller.resource.path(namespace: key.namespace, name: key.name)
        let client = KubeInProcessClient(api: api, manager: controller.name, clock: KubeLabClock(scale: requeueScale))
        // Not installed, or its pod not yet available (as the watch last saw it): its turning
        // available queues the object again.
        if controller.workload != nil, queue.withLock({ $0.available[key.controller] }) != true { return }
        guard let object = try? client.get(path) else { return }
        guard let again = controller.reconcile(object, client: client) else { return }
        queue.withLock { q in
            let at = ContinuousClock.now + (requeueScale == 1 ? again : again * requeueScale)
            if q.due[key].map({ $0 > at }) ?? true { q.due[key] = at }
        }
    }
}
