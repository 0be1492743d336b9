import HLSLanguage

/// What `hlsh docs` says of hlsh itself in the man page and the reference; the verbs come from
/// the registry, the usage lines and options from `LaunchFlags`, as `hlsh --help` has them.
enum HLSHManual {

    static let manual = ProgramManual(
        summary: "the homelab shell: build, rebuild and run a small Kubernetes homelab",
        synopsis: LaunchFlags.usageLines,
        description: [
            "hlsh drives a homelab: Proxmox VE virtual machines over its API, the machines over SSH, "
                + "k3s, Flux, cert-manager and Longhorn through the Kubernetes API, secrets with age and SOPS. "
                + "Its commands are OBJECT VERB words (vm apply, node k3s, flux bootstrap) in .hls, a small "
                + "language whose values are numbers, durations, sizes, lists, records and tables; scripts of "
                + "named phases are runbooks that --resume continues and --dry-run rehearses.",
            "hlsh --sim runs everything against a simulated lab inside hlsh: the same protocols on loopback, "
                + "so a bootstrap can be rehearsed without hardware. Verbs that change the lab plan first and "
                + "honour --dry-run; a second run changes nothing.",
        ],
        options: LaunchFlags.all.map { .init($0.manualTerm, $0.help) },
        environment: [
            .init("HLSH_LAB", "The inventory to use when none is chosen with 'lab use' (else ./homelab.yaml)."),
            .init(
                "PROXMOX_VE_ENDPOINT",
                "The Proxmox VE API, https://HOST:8006/ (else proxmox.endpoint of the inventory)."),
            .init(
                "PROXMOX_VE_API_TOKEN",
                "The API token, USER@REALM!TOKENID=SECRET (else the variable named by proxmox.token_env)."),
            .init("PROXMOX_VE_USERNAME", "With PROXMOX_VE_PASSWORD: a ticket login instead of a token."),
            .init("PROXMOX_VE_PASSWORD", "The password of PROXMOX_VE_USERNAME."),
            .init("PROXMOX_VE_INSECURE", "true or 1: do not verify the API's certificate (else proxmox.insecure)."),
            .init("HLSH_PVE_CA_FILE", "The CA that signed the API's certificate (else proxmox.ca_file)."),
            .init(
                "HLSH_PVE_FINGERPRINT",
                "The API certificate's SHA-256 fingerprint, as pvenode cert info shows it (else proxmox.fingerprint)."),
            .init("HLSH_PVE_PUBLIC_KEY_PIN", "The API certificate's public key, pinned as sha256//BASE64."),
            .init("HLSH_PVE_ALLOW_HTTP", "true or 1: allow a plain http endpoint (else proxmox.allow_http)."),
            .init("HLSH_SSH_CONFIG", "The ssh_config hlsh and git read (else ~/.ssh/config)."),
            .init("SSH_AUTH_SOCK", "The SSH agent offered for logins and git."),
            .init(
                "HLSH_SSH_TRACE",
                "1: a line on stderr per SSH login and command with its phases' times (TCP, kex, auth, exec, close)."),
            .init("USER", "The SSH login when neither the inventory nor ssh_config names one."),
            .init("KUBECONFIG", "The kubeconfig files, colon-separated (else ~/.kube/config), as for kubectl."),
            .init("GITHUB_TOKEN", "flux bootstrap registers its deploy key through GitHub's API with it."),
            .init(
                "CLOUDFLARE_API_TOKEN",
                "flux scaffold encrypts it (SOPS) into the Secret cert-manager's DNS-01 solver uses."),
            .init(
                "SOPS_AGE_KEY_FILE",
                "The age identities secret decrypt reads without --key-file (else ~/.config/sops/age/keys.txt)."),
            .init("SOPS_AGE_KEY", "Age identities themselves, instead of a file."),
            .init("XDG_CONFIG_HOME", "Where sops/age/keys.txt is looked for (else ~/.config)."),
            .init("XDG_CACHE_HOME", "Where shell completion keeps live names between calls (else ~/.cache)."),
            .init("XDG_STATE_HOME", "Where hlsh keeps its history and runbook journal (else ~/.local/state)."),
            .init("HOME", "The home directory of the files above."),
            .init("TMPDIR", "Where git checkouts for flux are made (else /tmp)."),
            .init("FORCE_COLOR", "Colour even when not on a terminal (0, false or no: never)."),
            .init("NO_COLOR", "No colour (when FORCE_COLOR is not set)."),
            .init("TERM", "dumb: no colour; also the terminal type node ssh asks the node for."),
            .init("COLUMNS", "The width of tables when the output is not a terminal."),
            .init(
                "HLSH_SIM_LOOPBACK_ONLY", "Set by --sim and sim serve: SSH and Kubernetes calls reach only loopback."),
            .init(
                "HLSH_SIM_CONNECT_TO",
                "Set by a simulated lab: HOST:PORT:CONNECT-HOST:CONNECT-PORT entries that map its names to loopback."),
            .init(
                "HLSH_SIM_KUBE_CONNECT_TO", "Set by a simulated lab: the same mapping for its Kubernetes API servers."),
            .init(
                "HLSH_SIM_TIMINGS",
                "How long the simulated lab's tasks and boots take: proxmox (sim serve's default), demo (--sim's), test, or zero (no delay at all, for benchmarks)."
            ),
            .init("HLSH_SIM_CA_FILE", "Set by a simulated lab: the public roots its HTTPS servers chain to."),
        ],
        files: [
            .init("./homelab.yaml", "The inventory: Proxmox, VMs, nodes, k3s and GitOps settings (no secrets)."),
            .init(
                "~/.local/state/hlsh/history",
                "The interactive shell's history (mode 0600); a line that carries a secret, or that starts with a space, is never written to it."
            ),
            .init("~/.local/state/hlsh/journal/", "The phases each runbook completed, for --resume."),
            .init(
                "~/.cache/hlsh/completion-names.json",
                "Live names (VMs, nodes, …) that shell completion fetched, per lab, until they go stale (mode 0600)."),
            .init(
                "completions/hlsh.bash, completions/_hlsh, completions/hlsh.fish",
                "The shell completion scripts, as 'hlsh completions SHELL' prints them."),
            .init("~/.ssh/config, ~/.ssh/known_hosts", "How nodes are reached, and their host keys."),
            .init("~/.kube/config", "The kubeconfig node kubeconfig merges into and kube verbs read."),
            .init("~/.config/sops/age/keys.txt", "The age identity secret age-keygen writes and SOPS decrypts with."),
        ],
        seeAlso: ["ssh_config(5)", "kubectl(1)", "sops(1)", "age(1)", "docs/reference.md", "docs/language.md"])
}
