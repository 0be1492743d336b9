import HLSCore

/// A server the simulated cluster runs in process behind its pods (Loki): which pod ports it
/// answers on, and how it answers an HTTP request sent to one of them.
struct KubeServiceBackend: Sendable {
    /// Whether it listens on `port` of `pod`.
    var serves: @Sendable (_ pod: Document, _ port: Int, _ state: KubeStoreState) -> Bool
    /// The answer to `method path?query` (the path as the pod sees it).
    var answer:
        @Sendable (
            _ method: String, _ path: String, _ query: [(name: String, value: String)], _ pod: Document,
            _ state: KubeStoreState
        ) -> KubeHTTPResponse
}

/// The apiserver's service proxy, `/api/v1/namespaces/NS/services/[SCHEME:]NAME[:PORT]/proxy/PATH`
/// (pkg/registry/core/service/storage: ResourceLocation): the Service's port by name or number
/// (its only port when none is given), a ready endpoint pod of its selector, the port's
/// `targetPort` on it (a container port's name or a number), and the request passed to what
/// listens there. No Service: 404; no such port or no ready pod: 503 in the apiserver's words;
/// nothing listening on the pod: 503 with the dial's refusal.
extension KubeAPI {
    /// The Service and the rest of the path, when `path` is a service proxy path.
    static func serviceProxy(_ path: String) -> (namespace: String, service: String, rest: String)? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // "", "api", "v1", "namespaces", NS, "services", NAME, "proxy", …
        guard parts.count >= 8, Array(parts[1...3]) == ["api", "v1", "namespaces"], parts[5] == "services",
            parts[7] == "proxy"
        else { return nil }
        let rest = parts.count > 8 ? "/" + parts[8...].joined(separator: "/") : "/"
        return (parts[4], parts[6], rest)
    }

    func proxy(_ target: (namespace: String, service: String, rest: String), _ request: KubeHTTPRequest)
        throws(KubeStatus) -> KubeHTTPResponse
    {
        var words = target.service.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if words.count == 3 { words.removeFirst() }  // the scheme: http or https
        let name = words[0]
        let portWord = words.count > 1 ? words[1] : ""
        let (service, pods, backends) = store.transact { state in
            (
                state.get(KubeStoreState.services, namespace: target.namespace, name: name),
                state.list(KubeStoreState.pods, namespace: target.namespace).map(\.object),
                state.serviceBackends
            )
        }
        guard let service else { throw KubeStatus.notFound(KubeStoreState.services, name) }
        let ports = service.at(["spec", "ports"])?.items ?? []
        let port =
            portWord.isEmpty
            ? (ports.count == 1 ? ports[0] : nil)
            : ports.first { $0.text("name") == portWord || $0.at(["port"]).flatMap(\.scalarText) == portWord }
        guard let port else {
            throw KubeStatus(
                code: 503, reason: "ServiceUnavailable",
                message: "no service port \"\(portWord)\" found for service \"\(name)\"")
        }
        let selector = (service.at(["spec", "selector"]) ?? .object([])).stringMap
        let ready = pods.filter { pod in
            let labels = (pod.at(["metadata", "labels"]) ?? .object([])).stringMap
            return !selector.isEmpty && selector.allSatisfy { labels[$0.key] == $0.value }
                && pod.at(["metadata", "deletionTimestamp"]) == nil && pod.text("status", "phase") == "Running"
                && (pod.at(["status", "conditions"])?.items ?? []).contains {
                    $0.text("type") == "Ready" && $0.text("status") == "True"
                }
        }
        guard let pod = ready.first else {
            throw KubeStatus(
                code: 503, reason: "ServiceUnavailable", message: "no endpoints available for service \"\(name)\"")
        }
        let podPort = Self.targetPort(port, of: pod)
        let state = store.transact { $0 }
        // A pod whose machine is down (its kubelet stopped: the VM was stopped or lost) still has
        // its endpoint until the node controller takes it away; the API server's dial fails.
        if let nodeName = pod.text("spec", "nodeName"),
            let node = state.get(KubeStoreState.nodes, namespace: nil, name: nodeName),
            !KubeStoreState.kubeletRuns(on: node)
        {
            throw KubeStatus(
                code: 503, reason: "ServiceUnavailable",
                message:
                    "error trying to reach service: dial tcp \(pod.text("status", "podIP") ?? ""):\(podPort): connect: no route to host"
            )
        }
        guard let backend = backends.first(where: { $0.serves(pod, podPort, state) }) else {
            throw KubeStatus(
                code: 503, reason: "ServiceUnavailable",
                message:
                    "error trying to reach service: dial tcp \(pod.text("status", "podIP") ?? ""):\(podPort): connect: connection refused"
            )
        }
        return backend.answer(request.method, target.rest, request.query, pod, state)
    }

    /// The pod port a Service port sends to: `targetPort` as a number, or the container port of
    /// that name; `port` when it has none.
    static func targetPort(_ port: Document, of pod: Document) -> Int {
        let number = { (value: Document?) -> Int? in if case .int(let n)? = value { n } else { nil } }
        if let target = number(port["targetPort"]) { return target }
        if let name = port.text("targetPort") {
            for container in pod.at(["spec", "containers"])?.items ?? [] {
                for containerPort in container["ports"]?.items ?? [] where containerPort.text("name") == name {
                    if let found = number(containerPort["containerPort"]) { return found }
                }
            }
            if let numeric = Int(name) { return numeric }
        }
        return number(port["port"]) ?? 0
    }
}
