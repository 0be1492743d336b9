import HLSCore
import HLSLanguage

extension LabCommands {
    static let status = CommandSpec(
        ["lab", "status"], summary: "Every layer of the lab at a glance: ok, degraded or missing, with why",
        discussion: """
            One row per layer, bottom up: hosts (the inventory's Proxmox nodes online), vms (each VM of the \
            inventory exists and runs), nodes (each answers on SSH and its Kubernetes Node is Ready), \
            kubernetes (the kubeconfig's API answers, with the inventory's k3s version), flux (every \
            Kustomization and HelmRelease Ready, those that are not named with why), certificates (every \
            Certificate Ready, the soonest expiry), volumes (every Longhorn volume healthy, no replica count \
            above the schedulable nodes), apps (the apps Kustomization Ready and each HTTPS host of its \
            Ingresses answering, its certificate verified). A layer not built yet (no kubeconfig before \
            phase 2, no Flux before phase 3) is missing with the reason. Exit status 1 when any layer is \
            degraded (missing does not fail it), after every row is given, so a pipeline still gets them; \
            0 otherwise. The layers are read at once, each given --timeout. Rows keep the keys layer, \
            state, detail under -o json; lab doctor says more about an endpoint that does not answer.
            """,
        flags: [Flag("timeout", .duration, "how long each layer may take", default: .duration(.seconds(10)))],
        columns: ["layer", "state", "detail"],
        examples: [
            Example("lab status", "every layer of the lab in use", needsLab: true),
            Example(#"lab status | where state != "ok""#, "only the layers that need attention", needsLab: true),
        ],
        implementation: .query { inv in
            let lab = try LabState.require(inv)
            let status = LabStatus(lab: lab, context: inv.context)
            let rows = try LabCheck.concurrently(
                status.layers, timeout: inv.duration(defaulted: "timeout"), cancellation: inv.context.cancellation)
            return LabCheck.result(rows, key: "layer", hints: false, inv: inv)
        })
}
