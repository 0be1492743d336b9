import HLSLanguage
import Kube

extension KubeCommands {
    /// Resource type names for completion, from the server's discovery (plural and short names).
    static let kinds = NameProvider(kind: "kube-kind", ttl: .seconds(60)) { query in
        let client = try KubeService.of(query.context).client()
        var seen = Set<String>()
        return try client.discovery(cancellation: query.context.cancellation).resources.flatMap { resource in
            ([resource.name] + resource.shortNames).filter { seen.insert($0).inserted }.map {
                NameCandidate($0, detail: "\(resource.kind) \(resource.apiVersion)")
            }
        }
    }

    /// Namespace names for completion, from the live API.
    static let namespaces = NameProvider(kind: "kube-namespace", ttl: .seconds(15)) { query in
        let client = try KubeService.of(query.context).client()
        return try client.list(.namespaces, cancellation: query.context.cancellation).items.compactMap { item in
            guard case .string(let name)? = item["metadata"]?["name"] else { return nil }
            var phase: String?
            if case .string(let value)? = item["status"]?["phase"] { phase = value }
            return NameCandidate(name, detail: phase)
        }
    }
}
