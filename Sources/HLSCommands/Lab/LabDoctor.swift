import HLSCore
import HLSLanguage
import HLSTransport
import Inventory
import Kube
import Proxmox
import Secrets

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `lab doctor`'s checks: each endpoint of the lab reached the way the verbs reach it (the
/// Proxmox settings and client, the SSH connections, the kubeconfig, `FluxGit`, the age key
/// and `.sops.yaml`), and what is wrong said in words with what to do. No secret is shown:
/// tokens and keys are named by the variable or file that holds them, age keys by their
/// public key.
struct LabDoctor: Sendable {
    let lab: Lab
    let context: ExecutionContext
    /// A GitOps checkout whose `.sops.yaml` the age key must match.
    let checkout: String?

    var environment: [String: String] { context.environment }

    /// The checks; those that need no credential (DNS, TLS) run whatever credential is missing,
    /// and one that needs a missing credential is `skipped`, saying which and where it is set.
    var checks: [(name: String, run: @Sendable (Cancellation) throws -> [LabCheck])] {
        [
            ("dns", { [self] _ in try dns() }), ("tls", { [self] in [try tls($0)] }),
            ("tls ingress", { [self] in [ingressTLS($0)] }), ("auth", { [self] in [try auth($0)] }),
            ("ssh", { [self] in try ssh($0) }), ("kube context", { [self] in [try kubeContext($0)] }),
            ("git remote", { [self] _ in [try gitRemote()] }), ("age key", { [self] in [try ageKey($0)] }),
        ]
    }

    /// `row`, and when it failed without a hint (an error no check foresaw, a check that timed
    /// out), the runbook's section on what the check needs: every failed row says where to go.
    static func hinted(_ row: LabCheck) -> LabCheck {
        guard row.state == .failed, (row.hint ?? "").trimmingWhitespace().isEmpty else { return row }
        var hinted = row
        hinted.hint = "see docs/runbook.md#" + section(of: row.name)
        return hinted
    }

    /// The runbook's section (its anchor) on what the check `name` needs.
    static func section(of name: String) -> String {
        let sections: [(prefix: String, anchor: String)] = [
            ("dns *.", "dns-for-the-labs-names"), ("dns", "the-inventory"), ("tls ingress", "dns-for-the-labs-names"),
            ("tls", "trusting-the-proxmox-certificate"),
            ("auth", "a-proxmox-api-token-and-the-privileges-each-verb-needs"),
            ("ssh", "ssh-keys-config-and-first-contact"), ("git remote", "the-gitops-remote-and-its-deploy-key"),
            ("age key", "the-age-key"),
        ]
        return sections.first { name.hasPrefix($0.prefix) }?.anchor ?? "check-then-run"
    }

    // MARK: SSH, Kubernetes, git, age

    /// Each inventory node answers on SSH: its host key known and unchanged, the user's key
    /// accepted. A VM Proxmox says does not exist yet is `pending` (phase 1 builds it), one that
    /// does not run `failed`; neither is dialled.
    func ssh(_ cancellation: Cancellation) throws -> [LabCheck] {
        let connections = try NodeService.of(context).connections
        let states = LabStatus.vmStates(context, cancellation)
        let targets = lab.vms.map { NodeService.inventoryTarget($0, lab: lab).target }
        return Parallel.map(targets.count, limit: 16) { index in
            let name = "ssh \(targets[index].name)"
            switch states.map({ $0[targets[index].name] }) {
            case .some(nil):
                return LabCheck(
                    name, .pending, "its VM does not exist yet: \(LabCheck.phase(1)) builds it",
                    hint: "hlsh vm apply --all")
            case .some(let status?) where status != "running":
                return LabCheck(
                    name, .failed, "its VM is \(status)", hint: "hlsh vm start \(targets[index].name)")
            default: break
            }
            do throws(HLSError) {
                let resolved = try connections.resolve(targets[index])
                _ = try connections.session(for: targets[index], cancellation: cancellation, acceptNew: false)
                return LabCheck(name, .ok, "\(resolved.description): host key known, login accepted")
            } catch {
                // Without Proxmox's word, a VM that is not built yet cannot be told from one that is down.
                let unknown =
                    states == nil ? "; if its VM is not built yet: hlsh vm apply --all (\(LabCheck.phase(1)))" : ""
                return LabCheck(name, .failed, error.message, hint: (error.hint ?? "") + unknown)
            }
        }
    }

    /// The kubeconfig exists, its context too, the server answers and accepts the credentials.
    func kubeContext(_ cancellation: Cancellation) throws -> LabCheck {
        let kubeconfig = try KubeService.of(context).kubeconfig
        guard !kubeconfig.files.isEmpty else {
            return LabCheck(
                "kube context", .pending,
                "no kubeconfig yet: \(kubeconfig.origin) does not exist; \(LabCheck.phase(2)) writes it",
                hint: "hlsh node kubeconfig, once k3s runs (hlsh node k3s all)")
        }
        let client: KubeClient
        do {
            client = try KubeService.of(context).client()
        } catch {
            return LabCheck("kube context", .failed, LabCheck.words(error), hint: (error as? HLSError)?.hint)
        }
        let endpoint = client.endpoint
        let version: String
        do {
            version = try client.serverVersion(cancellation: cancellation)
        } catch {
            // The VM that serves the API, when it is not there or not running, is the reason: not
            // built yet is pending, as for SSH.
            let answer = "context \(endpoint.context): \(endpoint.server) does not answer"
            switch LabStatus.apiVM(lab, server: endpoint.server, context, cancellation) {
            case .some((let vm, nil)):
                return LabCheck(
                    "kube context", .pending,
                    "\(answer): its VM \(vm) does not exist yet; \(LabCheck.phase(1)) builds it, \(LabCheck.phase(2)) its k3s",
                    hint: "hlsh scripts/phases/1-vms.hls, then hlsh scripts/phases/2-k3s.hls")
            case .some((let vm, let status?)):
                return LabCheck(
                    "kube context", .failed, "\(answer): its VM \(vm) is \(status)", hint: "hlsh vm start \(vm)")
            case nil:
                return LabCheck(
                    "kube context", .failed, "\(answer): \(LabCheck.words(error))",
                    hint: "is k3s running on the server? hlsh node run servers 'systemctl status k3s'")
            }
        }
        do {
            _ = try client.getIfPresent(.namespaces, "kube-system", cancellation: cancellation)
        } catch {
            return LabCheck(
                "kube context", .failed,
                "context \(endpoint.context): \(endpoint.server) refuses the credentials of user \(endpoint.user): \(LabCheck.words(error))",
                hint: "write the lab's kubeconfig again: hlsh node kubeconfig")
        }
        return LabCheck(
            "kube context", .ok,
            "context \(endpoint.context): \(endpoint.server) answers (\(version)) and accepts user \(endpoint.user)")
    }

    /// The GitOps remote answers `git ls-remote` with the user's own SSH key, as `flux bootstrap`
    /// pushes; `skipped` when the user has no key (no `~/.ssh/id_*`, no agent).
    func gitRemote() throws -> LabCheck {
        guard let gitops = lab.gitops else {
            return LabCheck("git remote", .skipped, "the inventory has no gitops section")
        }
        let home = environment["HOME"] ?? ""
        guard
            (environment["SSH_AUTH_SOCK"] ?? "").isEmpty == false
                || ["id_ed25519", "id_ecdsa", "id_rsa"].contains(where: {
                    FileManager.default.fileExists(atPath: "\(home)/.ssh/\($0)")
                })
        else {
            return LabCheck(
                "git remote", .skipped,
                "no SSH key (set one up: ssh-keygen -t ed25519 / see docs/runbook.md#the-gitops-remote-and-its-deploy-key)"
            )
        }
        // One ls-remote gains nothing from a shared connection, and a proxy's words would be lost.
        let git = try FluxGit(privateKey: nil, knownHosts: "", environment: environment, sharesConnection: false)
        let (status, output) = try git.run(["ls-remote", gitops.url, "refs/heads/\(gitops.branch)"])
        guard status == 0 else {
            let words = output.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("Warning:") }.joined(
                separator: " ")
            let lower = output.lowercased()
            let hint =
                lower.contains("permission denied")
                ? "the git host refuses your SSH key: add ~/.ssh/id_ed25519.pub to your account (GitHub: Settings → SSH keys)"
                : lower.contains("host key verification failed")
                    ? "the git host's key is not in your known_hosts: check its fingerprint, then ssh-keyscan it into ~/.ssh/known_hosts"
                    : lower.contains("not found") || lower.contains("does not appear to be a git repository")
                        ? "create the repository, or fix gitops.url in \(lab.file)"
                        : "check gitops.url in \(lab.file) and that the git host is reachable"
            let runbook = " (docs/runbook.md#the-gitops-remote-and-its-deploy-key)"
            return LabCheck(
                "git remote", .failed, "git ls-remote \(gitops.url) failed: \(words)", hint: hint + runbook)
        }
        let head = output.split(separator: "\t").first.map { String($0.prefix(8)) }
        return LabCheck(
            "git remote", .ok,
            "\(gitops.url) answers; \(gitops.branch) " + (head.map { "is at \($0)" } ?? "does not exist yet"))
    }

    /// The age key file exists with mode 0600, and its public key is the one `.sops.yaml` (of
    /// `checkout`) and the cluster's sops-age Secret hold. Only public keys are compared and shown.
    func ageKey(_ cancellation: Cancellation) throws -> LabCheck {
        guard let file = lab.gitops?.ageKeyFile else {
            return LabCheck("age key", .skipped, "the inventory names no gitops.age_key_file")
        }
        let path = FilePaths.expandingHome(file, environment: environment)
        var info = stat()
        guard stat(path, &info) == 0 else {
            return LabCheck(
                "age key", .pending, "\(path) does not exist yet: \(LabCheck.phase(3)) makes it",
                hint: "hlsh secret age-keygen --file \(path)")
        }
        let mode = info.st_mode & 0o777
        guard mode == 0o600 else {
            return LabCheck(
                "age key", .failed, "\(path) has mode \(String(mode, radix: 8)), not 600: others may read it",
                hint: "chmod 600 \(path)")
        }
        let text = try SecretCommands.readText(path)
        let ours = try AgeIdentity.parseFile(text, file: path).map(\.recipient.text)
        var compared: [String] = []
        if let checkout {
            let config = checkout + "/.sops.yaml"
            let named = try SOPSConfig.recipients(in: try SecretCommands.readText(config), config: config)
            guard named.contains(where: ours.contains) else {
                return LabCheck(
                    "age key", .failed,
                    "\(path) holds \(ours.joined(separator: ", ")), but \(config) names \(named.joined(separator: ", "))",
                    hint:
                        "files encrypted to that recipient cannot be decrypted with this key: use the key .sops.yaml names"
                )
            }
            compared.append(config)
        }
        if let cluster = try? KubeService.of(context).client(),
            let secret = try? cluster.getIfPresent(
                .secrets, "sops-age", namespace: FluxCommands.defaultNamespace, cancellation: cancellation),
            let encoded = secret.string("data", "age.agekey"), let bytes = Data(base64Encoded: encoded)
        {
            let theirs =
                (try? AgeIdentity.parseFile(String(decoding: bytes, as: UTF8.self), file: "sops-age").map(
                    \.recipient.text)) ?? []
            guard theirs.contains(where: ours.contains) else {
                return LabCheck(
                    "age key", .failed,
                    "\(path) holds \(ours.joined(separator: ", ")), but the cluster's sops-age Secret holds \(theirs.joined(separator: ", "))",
                    hint: "Flux decrypts with the Secret's key: hlsh flux bootstrap replaces it")
            }
            compared.append("the sops-age Secret")
        }
        return LabCheck(
            "age key", .ok,
            "\(path) (0600), recipient \(ours.joined(separator: ", "))"
                + (compared.isEmpty
                    ? "" : ", as \(compared.joined(separator: " and ")) name\(compared.count == 1 ? "s" : "")"))
    }
}
