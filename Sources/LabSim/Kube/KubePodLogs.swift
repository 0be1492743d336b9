import HLSCore
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One line a container wrote, and when (seconds since the epoch).
struct KubeLogLine: Sendable {
    var time: Double
    var text: String
}

/// An open `follow=true` log stream: the lines of one container as they come.
final class KubeLogFollower: Sendable {
    let key: String
    let stream: KubeStream

    init(key: String, stream: KubeStream) {
        self.key = key
        self.stream = stream
    }
}

/// The containers' logs (what the kubelet serves at `/containerLogs`, which the apiserver's
/// `pods/log` proxies): lines appended by the simulated components, read with `tailLines`,
/// `sinceSeconds`/`sinceTime`, and followed.
extension KubeStoreState {
    static func logKey(namespace: String, pod: String, container: String) -> String {
        "\(namespace)/\(pod)/\(container)"
    }

    /// Appends a line to a container's log and hands it to the streams following it.
    mutating func appendLog(namespace: String, pod: String, container: String, _ text: String) {
        let key = Self.logKey(namespace: namespace, pod: pod, container: container)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            logs[key, default: []].append(KubeLogLine(time: Date().timeIntervalSince1970, text: line))
            for follower in logFollowers.values where follower.key == key {
                follower.stream.send(Array((line + "\n").utf8))
            }
        }
    }

    /// Forgets a deleted pod's logs and ends the streams following them (its containers are gone).
    mutating func dropLogs(of pod: Document) {
        let prefix = "\(pod.text("metadata", "namespace") ?? "")/\(pod.text("metadata", "name") ?? "")/"
        for key in logs.keys where key.hasPrefix(prefix) { logs[key] = nil }
        for (id, follower) in logFollowers where follower.key.hasPrefix(prefix) {
            logFollowers[id] = nil
            // Finished on its loop, after the store's lock is released (finishing removes it again).
            let stream = follower.stream
            stream.eventLoop.execute { stream.finish() }
        }
    }
}

extension KubeAPI {
    /// `GET pods/NAME/log`: the apiserver's container choice and its errors (`LogLocation` in
    /// `pkg/registry/core/pod/strategy.go`), an empty log for a pod not yet bound to a node,
    /// the kubelet's error for a container that has not started, then the lines as `text/plain`.
    func podLog(_ target: KubeTarget, _ request: KubeHTTPRequest) throws(KubeStatus) -> KubeReply {
        let name = target.name ?? ""
        let namespace = target.namespace ?? "default"
        guard let pod = store.transact({ $0.get(target.type, namespace: namespace, name: name) }) else {
            throw KubeStatus.notFound(target.type, name)
        }
        let container = try Self.logContainer(of: pod, asked: request.param("container") ?? "")
        guard !(pod.text("spec", "nodeName") ?? "").isEmpty else { return .complete(Self.text("")) }
        if let reason = Self.waitingReason(pod, container) {
            throw KubeStatus.badRequest(
                "container \"\(container)\" in pod \"\(name)\" is waiting to start: \(reason)")
        }
        let key = KubeStoreState.logKey(namespace: namespace, pod: name, container: container)
        let since: Double? =
            if let seconds = request.param("sinceSeconds").flatMap(Double.init) {
                Date().timeIntervalSince1970 - seconds
            } else {
                request.param("sinceTime").flatMap(KubeTime.parse).map(Double.init)
            }
        let tail = request.param("tailLines").flatMap(Int.init)
        let select: @Sendable ([KubeLogLine]) -> String = { lines in
            var chosen = lines.filter { since == nil || $0.time >= since! }
            if let tail { chosen = Array(chosen.suffix(max(0, tail))) }
            return chosen.map { $0.text + "\n" }.joined()
        }
        guard request.flag("follow") else {
            return .complete(Self.text(store.transact { select($0.logs[key] ?? []) }))
        }
        let api = self
        return .stream(delay: 0, contentType: "text/plain") { stream in
            let id = api.store.transact { state -> Int in
                stream.send(Array(select(state.logs[key] ?? []).utf8))
                let id = state.nextWatcher
                state.nextWatcher += 1
                state.logFollowers[id] = KubeLogFollower(key: key, stream: stream)
                return id
            }
            stream.onEnd { api.store.transact { _ = $0.logFollowers.removeValue(forKey: id) } }
        }
    }

    private static func text(_ text: String) -> KubeHTTPResponse {
        KubeHTTPResponse(status: 200, body: Array(text.utf8), contentType: "text/plain")
    }

    /// The container a log request reads: the one named (which must exist), else the only one.
    static func logContainer(of pod: Document, asked: String) throws(KubeStatus) -> String {
        let name = pod.text("metadata", "name") ?? ""
        let containers = (pod.at(["spec", "containers"])?.items ?? []).compactMap { $0.text("name") }
        let initContainers = (pod.at(["spec", "initContainers"])?.items ?? []).compactMap { $0.text("name") }
        if !asked.isEmpty {
            guard containers.contains(asked) || initContainers.contains(asked) else {
                throw KubeStatus.badRequest("container \(asked) is not valid for pod \(name)")
            }
            return asked
        }
        switch containers.count {
        case 1: return containers[0]
        case 0: throw KubeStatus.badRequest("a container name must be specified for pod \(name)")
        default:
            var message =
                "a container name must be specified for pod \(name), choose one of: [\(containers.joined(separator: " "))]"
            if !initContainers.isEmpty {
                message += " or one of the init containers: [\(initContainers.joined(separator: " "))]"
            }
            throw KubeStatus.badRequest(message)
        }
    }

    /// Why a container has no log yet, as the kubelet says it (`validateContainerLogStatus`):
    /// its waiting reason, `ContainerCreating` before it has a status; nil once it ran.
    static func waitingReason(_ pod: Document, _ container: String) -> String? {
        let statuses =
            (pod.at(["status", "containerStatuses"])?.items ?? [])
            + (pod.at(["status", "initContainerStatuses"])?.items ?? [])
        guard let status = statuses.first(where: { $0.text("name") == container }) else { return "ContainerCreating" }
        if status.at(["state", "running"]) != nil || status.at(["state", "terminated"]) != nil
            || status.at(["lastState", "terminated"]) != nil
        {
            return nil
        }
        return status.text("state", "waiting", "reason") ?? "ContainerCreating"
    }
}
