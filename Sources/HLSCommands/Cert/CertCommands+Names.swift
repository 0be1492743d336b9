import HLSLanguage
import Kube

extension CertCommands {
    /// Certificate names for completion, from the live API: in the namespace of `-n`, else the
    /// context's (every namespace with `-A`), through the context of `--context`, with their
    /// Ready status. Cached per verb and typed words.
    static let names = NameProvider(
        kind: "cert-certificate", ttl: .seconds(10), scope: { $0.joined(separator: " ") }, fetch: certificateNames)

    static func certificateNames(_ query: NameQuery) throws -> [NameCandidate] {
        guard let spec = [show, renew, wait, why].first(where: { $0.name == query.command }) else { return [] }
        let flags = spec.arguments(typed: query.words).flags
        let client = try KubeService.of(query.context).client(context: flags["context"], quiet: true)
        let namespace = flags["all-namespaces"] != nil ? nil : flags["namespace"] ?? client.endpoint.namespace
        return try client.list(certificates, namespace: namespace, cancellation: query.context.cancellation).items
            .compactMap { item in
                guard let name = item.string("metadata", "name") else { return nil }
                return NameCandidate(name, detail: KubeCondition("Ready", of: item).map { "Ready=\($0.status)" })
            }
    }
}
