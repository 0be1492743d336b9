import HLSCore
import HLSLanguage

extension LabCommands {
    static let doctor = CommandSpec(
        ["lab", "doctor"], summary: "Reach every endpoint of the lab and say in words what is wrong, with a hint",
        discussion: """
            One row per check: dns (the Proxmox endpoint's host resolves) and dns *.DOMAIN (whoami.DOMAIN, \
            as phase 4 probes it), tls (the Proxmox certificate verifies against the inventory's ca_file, a \
            pinned fingerprint or the system's CAs; expired, unknown CA and wrong name are said as such), \
            tls ingress (https://whoami.DOMAIN's certificate verifies), auth (the API token is accepted; \
            refused, it names the variable and what Proxmox said), ssh NODE (each node answers: a changed \
            host key names the known_hosts file and line, a first contact says how to accept it), kube context (the \
            kubeconfig, its context, the server answering and accepting the credentials), git remote (the \
            inventory's gitops.url answers git ls-remote with your SSH key, as flux bootstrap's push does), \
            age key (gitops.age_key_file exists with mode 0600, and its public key is the one --checkout's \
            .sops.yaml names and the cluster's sops-age Secret holds). State is ok, failed, pending (not \
            built yet: the detail names the runbook phase that builds it) or skipped (nothing to check, or \
            the credential the check needs is not set: the detail says which and where to set it; DNS and \
            TLS need none and always run). Each failed or pending row's hint names the command that fixes \
            it. No secret is ever shown, age keys only by their public key. The checks run at once, each \
            given --timeout. Exit status 1 when any check failed (pending and skipped do not fail it), after \
            every row is given, so a pipeline still gets them; 0 otherwise.
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
            return LabCheck.result(rows.map(LabDoctor.hinted), key: "check", hints: true, inv: inv)
        })
}
