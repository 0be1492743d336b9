import HLSCore
import HLSLanguage
import Kube

/// A wait on one API object, on the one `Poll` (progress with elapsed time, the timeout error,
/// Ctrl-C), fed by a watch instead of a sleep: the object is listed once (by
/// `metadata.name`), and each pause watches it from the last resourceVersion until an event
/// arrives or the pause ends, so a condition turning true is seen at once.
struct KubeObjectWait {
    var client: KubeClient
    var resource: KubeResource
    var name: String
    var namespace: String?

    /// What the watch has seen so far (the pause and the checks run on the caller's thread).
    private final class Seen {
        var object: Document?
        var version: String?
    }

    /// Runs `poll` until `check` of the object (nil: it does not exist) is ready.
    func until<Value>(
        _ poll: Poll, context: ExecutionContext, _ check: (Document?) throws -> Poll.Check<Value>
    ) throws -> Poll.Ready<Value> {
        let seen = Seen()
        let options = KubeListOptions(fieldSelector: "metadata.name=\(name)")
        var poll = poll
        let (client, resource, namespace, cancellation) = (client, resource, namespace, poll.cancellation)
        poll.pause = { (time: Duration) throws(HLSError) -> Void in
            _ = try client.watch(
                resource, namespace: namespace, options: options, resourceVersion: seen.version,
                deadline: .now + time, cancellation: cancellation
            ) { event in
                switch event {
                case .listed(let items, let version):
                    seen.object = items.first
                    seen.version = version
                case .added(let object), .modified(let object):
                    seen.object = object
                    seen.version = object.string("metadata", "resourceVersion") ?? seen.version
                case .deleted(let object):
                    seen.object = nil
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
                seen.object = list.items.first
                seen.version = list.resourceVersion
            }
            return try check(seen.object)
        }
    }
}
