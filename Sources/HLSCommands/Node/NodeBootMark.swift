import HLSCore
import HLSLanguage
import Kube

/// The boot a Kubernetes Node reported when hlsh stopped, shut down, rebooted or destroyed its VM,
/// kept in the Node's annotation `hlsh.dev/stopped-boot-id`.
///
/// The API server keeps a Node whose kubelet went silent Ready for the node monitor grace period
/// (50 s), so a VM stopped and started within it still shows the Ready of its previous boot while
/// it boots. `node wait --for ready` takes a Node whose boot id is the one recorded here for not
/// back yet, and removes the annotation once the kubelet reports a new boot.
enum NodeBootMark {
    static let annotation = "hlsh.dev/stopped-boot-id"
    /// How long the power verbs give the API to answer before they stop the VM anyway.
    static let budget = Duration.seconds(5)

    /// Records the boot id of the Node named `vm` before its VM goes down. Best effort: no
    /// kubeconfig or context yet, or no such Node, records nothing; an API that does not answer
    /// within `budget` gets a warning, and the VM is stopped all the same.
    static func record(vm name: String, verb: String, _ context: ExecutionContext, cancellation: Cancellation) {
        guard let service = try? KubeService.of(context), !service.kubeconfig.lacksContext(),
            let client = try? service.client(quiet: true)
        else { return }
        let token = Cancellation(parent: cancellation, expiringAfter: budget)
        do throws(HLSError) {
            guard let node = try client.getIfPresent(.nodes, name, cancellation: token) else { return }
            let bootID = ClusterNode(node).bootID
            guard !bootID.isEmpty else { return }
            try client.mergePatch(
                .nodes, name, patch: patch(.string(bootID)), cancellation: token)
        } catch {
            guard !cancellation.isCancelled else { return }
            let cause = token.hasExpired ? "no answer within \(budget.text)" : error.message
            context.err(
                "warning: \(verb): cannot record the boot id of Kubernetes node \(name) (\(cause)); "
                    + "`node wait \(name) --for ready` may see the Ready of its previous boot for up to 50 s\n")
        }
    }

    /// Whether `node` still reports the boot recorded before hlsh stopped its VM.
    static func isPreviousBoot(_ node: ClusterNode) -> Bool {
        guard let recorded = node.annotations[annotation], !recorded.isEmpty else { return false }
        return recorded == node.bootID
    }

    /// Whether `node` carries a mark (of a boot it has since left).
    static func isMarked(_ node: ClusterNode) -> Bool { node.annotations[annotation] != nil }

    /// Removes the mark once the Node reported a new boot. Best effort: a failure only leaves an
    /// annotation that no longer matches any boot.
    static func clear(_ name: String, client: KubeClient, cancellation: Cancellation) {
        _ = try? client.mergePatch(.nodes, name, patch: patch(.null), cancellation: cancellation)
    }

    private static func patch(_ value: Document) -> Document {
        .object([("metadata", .object([("annotations", .object([(annotation, value)]))]))])
    }
}
