import HLSCore
import HLSLanguage

extension LabCommands {
    static let doctor = CommandSpec(
        ["lab", "doctor"], summary: "Reach every endpoint of the lab and say in words what is wrong, with a hint",
        discussion: """
            One row per check: dns (the Proxmox endpoint's host resolves), tls (its certificate verifies \
            against the inventory's ca_file, a pinned fingerprint or the system's CAs; expired, unknown CA \
            and wrong name are said as such), auth (the API token is accepted; refused, it names the \
            variable and what Proxmox said), ssh NODE (each node answers: a changed host key names the \
            known_hosts file and line, a first contact says how to accept it), kube context (the \
            kubeconfig, its context, the server answering and accepting the credentials), git remote (the \
            inventory's gitops.url answers git ls-remote with your SSH key, as flux bootstrap's push does), \
            age key (gitops.age_key_file exists with mode 0600, and its public key is the one --checkout's \
            .sops.yaml names and the cluster's sops-age Secret holds). State is ok, failed or skipped; no \
            secret is ever shown, age keys only by their public key. The checks run at once, each given \
            --timeout; the verb fails only on bad usage.
            """,
        flags: [
            Flag("checkout", .path, "a GitOps checkout whose .sops.yaml the age key must match"),
            Flag("timeout", .duration, "how long each check may take", default: .duration(.seconds(10))),
        ],
        columns: ["check", "state", "detail", "hint"],
        examples: [
            Example("lab doctor", "what stands between hlsh and the lab in use", needsLab: true),
            Example(
                #"lab doctor --checkout ~/homelab | where state == "failed" | select check hint"#,
                "what to fix, against a GitOps checkout", needsLab: true),
        ],
        implementation: .query { inv in
            let lab = try LabState.require(inv)
            let doctor = LabDoctor(lab: lab, context: inv.context, checkout: inv.string("checkout"))
            let rows = try LabCheck.concurrently(
                doctor.checks, timeout: inv.duration(defaulted: "timeout"), failure: .failed,
                cancellation: inv.context.cancellation)
            return .list(rows.map { $0.record(key: "check", hints: true) })
        })
}
