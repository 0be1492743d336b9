import HLSCore

/// Grafana Alloy (v1.11.3) in the `alloy` chart's pods, as far as its `loki.write` components go.
/// Each running Alloy pod reads the `config.alloy` of the ConfigMap its `config` volume mounts;
/// a push to an endpoint inside the cluster that cannot reach a Service fails as it would there,
/// and Alloy's client logs it (logfmt, on the `alloy` container) and retries, while the pod stays
/// Running and Ready: `no such host` when the cluster DNS has no Service of that name in that
/// namespace, `context deadline exceeded` when the Service has no such port. A push that
/// reaches a Service logs nothing, as the real client logs only failures. Endpoints outside the
/// cluster (`*.svc`, `*.svc.cluster.local` or a bare Service name are inside) are not judged.
///
/// A push that reaches a Service of Loki's pods delivers: the lines the containers of the pods on
/// the Alloy's node (`spec.nodeName`, as its `discovery.kubernetes` selects them) wrote since the
/// last push go into `loki`, each container's lines one stream, labelled as the configuration's
/// `discovery.relabel` rules say (`SimulatedAlloyRelabel`); then again every `tail`.
struct SimulatedAlloy: SimulatedController {
    let name = "alloy"
    let resource = KubeResourceName.pods
    let follows: [KubeResourceName] = [.services, .configMaps]
    /// Where pushes to Loki's Services land; nil: nowhere (nothing is read back).
    var loki: SimulatedLoki?
    /// How soon a failing push is tried again (Alloy's backoff starts at 500ms).
    static let retry = Duration.seconds(5)
    /// How soon the pods' new lines are pushed again (Alloy batches for a second).
    static let tail = Duration.seconds(1)

    init(loki: SimulatedLoki? = nil) { self.loki = loki }

    func reconcile(_ pod: Document, client: KubeInProcessClient) -> Duration? {
        guard pod.text("metadata", "labels", "app.kubernetes.io/name") == "alloy",
            pod.text("status", "phase") == "Running", pod.at(["metadata", "deletionTimestamp"]) == nil,
            let namespace = pod.text("metadata", "namespace"), let podName = pod.text("metadata", "name"),
            let configMap = (pod.at(["spec", "volumes"])?.items ?? []).first(where: { $0.text("name") == "config" })?
                .text("configMap", "name"),
            let config = try? client.get(KubeResourceName.configMaps.path(namespace: namespace, name: configMap))
        else { return nil }
        let text = config.text("data", "config.alloy") ?? ""
        let endpoints = Self.writeEndpoints(text)
        let failures = endpoints.compactMap { endpoint in
            Self.failure(endpoint.url, namespace: namespace, client).map { (endpoint, $0) }
        }
        // The next push comes when due by the wall clock (`SimulatedLoki.untilPush`): the requeue,
        // which the runner scales, asks for that wait in the lab's time.
        var nextPush: Duration?
        if let loki, endpoints.contains(where: { Self.reachesLoki($0.url, namespace: namespace, client) }) {
            nextPush = ship(from: pod, labelledBy: SimulatedAlloyRelabel(text), into: loki, client) / client.clock.scale
        }
        guard !failures.isEmpty else { return nextPush }
        let now = KubeTime.rfc3339(KubeTime.now())
        let lines = failures.map { endpoint, failure in
            let error = "Post \\\"\(endpoint.url)\\\": \(failure.error)"
            return "ts=\(now) level=warn msg=\"error sending batch, will retry\" component_path=/ "
                + "component_id=loki.write.\(endpoint.label) component=client host=\(failure.host) status=-1 "
                + "tenant=\"\" error=\"\(error)\""
        }
        client.api.store.transact {
            $0.appendLog(namespace: namespace, pod: podName, container: "alloy", lines.joined(separator: "\n"))
        }
        return Self.retry
    }

    /// Pushes the new lines of the containers on `alloy`'s node, one stream per container, if a
    /// push is due; returns how long (wall time) until the next one.
    private func ship(
        from alloy: Document, labelledBy relabel: SimulatedAlloyRelabel, into loki: SimulatedLoki,
        _ client: KubeInProcessClient
    ) -> Duration {
        guard let node = alloy.text("spec", "nodeName"), !relabel.rules.isEmpty else { return Self.tail }
        let pusher = "\(alloy.text("metadata", "namespace") ?? "")/\(alloy.text("metadata", "name") ?? "")"
        if let wait = loki.untilPush(from: pusher, interval: Self.tail) { return wait }
        let pods = ((try? client.list(KubeResourceName.pods.path(namespace: nil))) ?? []).filter {
            $0.text("spec", "nodeName") == node
        }
        for pod in pods {
            let namespace = pod.text("metadata", "namespace") ?? ""
            let name = pod.text("metadata", "name") ?? ""
            for container in (pod.at(["spec", "containers"])?.items ?? []).compactMap({ $0.text("name") }) {
                let key = KubeStoreState.logKey(namespace: namespace, pod: name, container: container)
                let lines = client.api.store.transact { $0.logs[key] ?? [] }
                let sent = loki.shippedLines(of: key)
                guard lines.count > sent else { continue }
                let labels = relabel.labels(pod: pod, container: container)
                loki.push(labels: labels, lines[sent...].map { (Int64($0.time * 1e9), $0.text) })
                _ = loki.shippedLines(of: key, now: lines.count)
            }
        }
        return Self.tail
    }

    /// Whether `url` reaches a Service whose pods are Loki's (the loki chart's gateway or single binary).
    static func reachesLoki(_ url: String, namespace: String, _ client: KubeInProcessClient) -> Bool {
        guard failure(url, namespace: namespace, client) == nil, let service = service(of: url, namespace: namespace),
            let found = try? client.get(
                KubeResourceName.services.path(namespace: service.namespace, name: service.name))
        else { return false }
        return found.text("spec", "selector", "app.kubernetes.io/name") == "loki"
    }

    /// Each `loki.write "LABEL" { endpoint { url = "…" } }` of an Alloy configuration: its label
    /// and the URL of each endpoint.
    static func writeEndpoints(_ config: String) -> [(label: String, url: String)] {
        let text = config.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("//") }.joined(separator: "\n")
        var found: [(String, String)] = []
        var rest = Substring(text)
        while let start = rest.firstRange(of: "loki.write \"") {
            let afterLabel = rest[start.upperBound...]
            guard let quote = afterLabel.firstIndex(of: "\""), let open = afterLabel.firstIndex(of: "{") else { break }
            let label = String(afterLabel[..<quote])
            var depth = 0
            var end = afterLabel.endIndex
            for index in afterLabel[open...].indices {
                if afterLabel[index] == "{" { depth += 1 }
                if afterLabel[index] == "}" {
                    depth -= 1
                    if depth == 0 {
                        end = index
                        break
                    }
                }
            }
            for line in afterLabel[open..<end].split(separator: "\n") {
                let words = line.split(separator: "=", maxSplits: 1)
                guard words.count == 2, words[0].trimmingWhitespace() == "url" else { continue }
                let value = words[1].trimmingWhitespace()
                guard value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") else { continue }
                found.append((label, String(value.dropFirst().dropLast())))
            }
            rest = afterLabel[end...]
        }
        return found
    }

    /// Why a push to `url` from a pod in `namespace` fails, as Go's HTTP client says it, and the
    /// `host` the client names; nil when it reaches a Service, or the URL is outside the cluster.
    static func failure(_ url: String, namespace: String, _ client: KubeInProcessClient) -> (
        host: String, error: String
    )? {
        guard let service = service(of: url, namespace: namespace), let port = service.port else { return nil }
        let (authority, hostName) = (service.authority, service.host)
        guard
            let found = try? client.get(
                KubeResourceName.services.path(namespace: service.namespace, name: service.name))
        else {
            return (String(authority), "dial tcp: lookup \(hostName) on 10.43.0.10:53: no such host")
        }
        let ports = (found.at(["spec", "ports"])?.items ?? []).compactMap { $0.at(["port"]) }
        return ports.contains(.int(port)) ? nil : (String(authority), "context deadline exceeded")
    }
}

extension SimulatedAlloy {
    /// The in-cluster Service a URL names (a bare name in `namespace`, `NAME.NS.svc`,
    /// `NAME.NS.svc.cluster.local`) with the URL's authority, host and port (nil when not a
    /// number); nil for a URL outside the cluster.
    static func service(of url: String, namespace: String) -> (
        name: String, namespace: String, authority: String, host: String, port: Int?
    )? {
        let scheme = url.hasPrefix("https://") ? "https" : "http"
        guard url.hasPrefix(scheme + "://") else { return nil }
        let authority = url.dropFirst(scheme.count + 3).prefix { $0 != "/" }
        let hostName = String(authority.prefix { $0 != ":" })
        let port =
            authority.contains(":") ? Int(authority.drop { $0 != ":" }.dropFirst()) : (scheme == "https" ? 443 : 80)
        let labels = hostName.split(separator: ".").map(String.init)
        if labels.count == 1 { return (labels[0], namespace, String(authority), hostName, port) }
        if labels.count == 3 && labels[2] == "svc" || labels.count == 5 && labels[2...] == ["svc", "cluster", "local"] {
            return (labels[0], labels[1], String(authority), hostName, port)
        }
        return nil
    }
}
