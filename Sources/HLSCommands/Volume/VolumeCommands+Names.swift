import HLSLanguage
import Kube

extension VolumeCommands {
    /// Volume names for completion, from the live API: the claims of the namespace of `-n`
    /// (else the context's) that have a Longhorn volume, and the volumes' own names, through the
    /// context of `--context`; `all` for `volume wait`.
    static let names = NameProvider(
        kind: "longhorn-volume", ttl: .seconds(10), scope: { $0.joined(separator: " ") }, fetch: volumeNames)

    static func volumeNames(_ query: NameQuery) throws -> [NameCandidate] {
        guard let spec = [show, wait].first(where: { $0.name == query.command }) else { return [] }
        let flags = spec.arguments(typed: query.words).flags
        let client = try KubeService.of(query.context).client(context: flags["context"], quiet: true)
        let namespace = flags["namespace"] ?? client.endpoint.namespace
        let volumes = try loadAll(client: client, cancellation: query.context.cancellation)
        let claims = volumes.filter { $0.namespace == namespace && !$0.pvc.isEmpty }.map {
            NameCandidate($0.pvc, detail: "\($0.name) \($0.state) \($0.robustness)")
        }
        let own = volumes.map { NameCandidate($0.name, detail: $0.pvc.isEmpty ? nil : "\($0.namespace)/\($0.pvc)") }
        return claims + own + (spec.name == wait.name ? [NameCandidate("all", detail: "every attached volume")] : [])
    }
}
