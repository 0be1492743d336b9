import HLSCore
import HLSLanguage
import Kube

/// A wait on one API object, or on every object of a type in a namespace (`name` nil), on the
/// one `Poll` (progress with elapsed time, the timeout error, Ctrl-C), fed by a watch instead of
/// a sleep: the objects are listed once (by `metadata.name` for one), and each pause watches
/// them from the last resourceVersion until an event arrives or the pause ends, so a condition
/// turning true is seen at once.
struct KubeObjectWait {
    var client: KubeClient
    var resource: KubeResource
    var name: String?
    var namespace: String?

    /// What the watch has seen so far (the pause and the checks run on the caller's thread).
    private final class Seen {
        var objects: [String: Document] = [:]
        var version: String?

        func set(_ items: [Document]) {
            objects = [:]
            for item in items { objects[item.string("metadata", "name") ?? ""] = item }
        }
    }

    /// Runs `poll` until `check` of the object (nil: it does not exist) is ready.
    func until<Value>(
        _ poll: Poll, context: ExecutionContext, _ check: (Document?) throws -> Poll.Check<Value>
    ) throws -> Poll.Ready<Value> {
        try untilEvery(poll, context: context) { try check($0.first) }
    }

    /// Runs `poll` until `check` of the objects there are (sorted by name) is ready.
    func untilEvery<Value>(
        _ poll: Poll, context: ExecutionContext, _ check: ([Document]) throws -> Poll.Check<Value>
    ) throws -> Poll.Ready<Value> {
        let seen = Seen()
        let options = name.map { KubeListOptions(fieldSelector: "metadata.name=\($0)") } ?? KubeListOptions()
        var poll = poll
        let (client, resource, namespace, cancellation) = (client, resource, namespace, poll.cancellation)
        poll.pause = { (time: Duration) throws(HLSError) -> Void in
            _ = try client.watch(
                resource, namespace: namespace, options: options, resourceVersion: seen.version,
                deadline: .now + time, cancellation: cancellation
            ) { event in
                switch event {
                case .listed(let items, let version):
                    seen.set(items)
                    seen.version = version
                case .added(let object), .modified(let object):
                    seen.objects[object.string("metadata", "name") ?? ""] = object
                    seen.version = object.string("metadata", "resourceVersion") ?? seen.version
                case .deleted(let object):
                    seen.objects[object.string("metadata", "name") ?? ""] = nil
                    seen.version = object.string("metadata", "resourceVersion") ?? seen.version
                case .bookmark(let version):
                    seen.version = version
                    return .continue
                }
                return .stop
            }
        }
        return try poll.until(showingOn: context) { () throws -> Poll.Check<Value> in
            if seen.version == nil {
                let list = try client.list(resource, namespace: namespace, options: options, cancellation: cancellation)
                seen.set(list.items)
                seen.version = list.resourceVersion
            }
            return try check(seen.objects.keys.sorted().compactMap { seen.objects[$0] })
        }
    }
}
