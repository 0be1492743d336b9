import HLSCore

/// The Ingresses Traefik's kubernetesingress provider serves, read afresh for each request as
/// its informers would have them, and how a request picks one: by host (exact, or a `*.` wildcard
/// for one label), then the longest matching path, as Traefik orders its routers. A router whose
/// Ingress names a Middleware that does not exist (`router.middlewares`) is not built ("middleware
/// … does not exist" in Traefik's log), so its host answers 404; its TLS certificate still loads.
struct TraefikRoutes {
    /// A matched rule: the backend Service and the Ingress it came from.
    struct Backend {
        var namespace: String
        var service: String
        var port: Document?
    }

    let ingresses: [Document]
    /// The Ingresses whose routers Traefik builds: those whose middlewares all exist.
    let routed: [Document]

    static let middlewares = KubeResourceName(group: "traefik.io", version: "v1alpha1", plural: "middlewares")
    static let middlewaresAnnotation = "traefik.ingress.kubernetes.io/router.middlewares"

    init(client: KubeInProcessClient) {
        let defaultClass = Self.traefikIsDefaultClass(client: client)
        let all = (try? client.list(KubeResourceName.ingresses.path(namespace: nil))) ?? []
        ingresses = all.filter { Self.isTraefiks($0, defaultClass: defaultClass) }
        // The kubernetescrd provider names a Middleware `NAMESPACE-NAME@kubernetescrd`.
        let existing = Set(
            ((try? client.list(Self.middlewares.path(namespace: nil))) ?? []).map {
                "\($0.text("metadata", "namespace") ?? "")-\($0.text("metadata", "name") ?? "")@kubernetescrd"
            })
        routed = ingresses.filter { ingress in
            let named = (ingress.text("metadata", "annotations", Self.middlewaresAnnotation) ?? "")
                .split(separator: ",").map { String($0.filter { !$0.isWhitespace }) }.filter { !$0.isEmpty }
            return named.allSatisfy(existing.contains)
        }
    }

    /// Whether the IngressClass `traefik` is the cluster's default (its `is-default-class` annotation).
    static func traefikIsDefaultClass(client: KubeInProcessClient) -> Bool {
        let classes = (try? client.list(KubeResourceName.ingressClasses.path(namespace: nil))) ?? []
        return classes.contains {
            $0.text("metadata", "name") == "traefik"
                && $0.text("metadata", "annotations", "ingressclass.kubernetes.io/is-default-class") == "true"
        }
    }

    /// Whether Traefik serves `ingress`: its class is `traefik` (by `ingressClassName` or the
    /// older annotation), or it names none while `traefik` is the default class.
    static func isTraefiks(_ ingress: Document, defaultClass: Bool) -> Bool {
        if let name = ingress.text("spec", "ingressClassName") { return name == "traefik" }
        if let legacy = ingress.text("metadata", "annotations", "kubernetes.io/ingress.class") {
            return legacy == "traefik"
        }
        return defaultClass
    }

    /// The backend for a request to `host` and `path`; `tls` is whether it came to `websecure`.
    /// An Ingress with `spec.tls` makes TLS routers, which the `web` entry point does not serve.
    func backend(host: String, path: String, tls: Bool) -> Backend? {
        var best: (score: (Int, Int), backend: Backend)?
        for ingress in routed {
            if !tls, !(ingress.at(["spec", "tls"])?.items ?? []).isEmpty { continue }
            let namespace = ingress.text("metadata", "namespace") ?? "default"
            for rule in ingress.at(["spec", "rules"])?.items ?? [] {
                let ruleHost = rule.text("host")
                guard ruleHost.map({ Self.hostMatches($0, host) }) ?? true else { continue }
                for entry in rule.at(["http", "paths"])?.items ?? [] {
                    let prefix = entry.text("path") ?? "/"
                    guard Self.pathMatches(prefix, type: entry.text("pathType") ?? "Prefix", path),
                        let service = entry.text("backend", "service", "name")
                    else { continue }
                    let score = (ruleHost == nil ? 0 : 1, prefix.count)
                    if best.map({ score > $0.score }) ?? true {
                        best = (
                            score,
                            Backend(
                                namespace: namespace, service: service,
                                port: entry.at(["backend", "service", "port"]))
                        )
                    }
                }
            }
            if best == nil, let service = ingress.text("spec", "defaultBackend", "service", "name") {
                best = ((0, 0), Backend(namespace: namespace, service: service, port: nil))
            }
        }
        return best?.backend
    }

    /// The TLS Secret (namespace, name) of the Ingress whose `spec.tls` names `serverName`.
    func tlsSecret(for serverName: String) -> (namespace: String, name: String)? {
        for ingress in ingresses {
            for tls in ingress.at(["spec", "tls"])?.items ?? [] {
                guard let secret = tls.text("secretName"),
                    (tls.at(["hosts"])?.items ?? []).contains(where: {
                        $0.scalarText.map { Self.hostMatches($0, serverName) } ?? false
                    })
                else { continue }
                return (ingress.text("metadata", "namespace") ?? "default", secret)
            }
        }
        return nil
    }

    static func hostMatches(_ pattern: String, _ host: String) -> Bool {
        let pattern = pattern.lowercased()
        let host = host.lowercased()
        if pattern.hasPrefix("*.") {
            guard let dot = host.firstIndex(of: ".") else { return false }
            return host[dot...] == pattern.dropFirst() && dot > host.startIndex
        }
        return pattern == host
    }

    /// `Exact` matches the path itself; `Prefix` whole `/`-separated elements; Traefik reads
    /// `ImplementationSpecific` as a plain string prefix.
    static func pathMatches(_ prefix: String, type: String, _ path: String) -> Bool {
        switch type {
        case "Exact": return path == prefix
        case "ImplementationSpecific": return path.hasPrefix(prefix)
        default:
            let trimmed = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
            return trimmed.isEmpty || path == trimmed || path.hasPrefix(trimmed + "/")
        }
    }
}
