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

    var checks: [(name: String, run: @Sendable (Cancellation) throws -> [LabCheck])] {
        [
            ("dns", { [self] _ in [try dns()] }), ("tls", { [self] in [try tls($0)] }),
            ("auth", { [self] in [try auth($0)] }), ("ssh", { [self] in try ssh($0) }),
            ("kube context", { [self] in [try kubeContext($0)] }), ("git remote", { [self] _ in [try gitRemote()] }),
            ("age key", { [self] in [try ageKey($0)] }),
        ]
    }

    // MARK: Proxmox

    func settings() throws -> PVEConnectionSettings {
        try PVEConnectionSettings.fromEnvironment(environment, lab: lab.proxmox)
    }

    /// The PVE endpoint's host name resolves.
    func dns() throws -> LabCheck {
        let host = try settings().endpoint.host
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            return LabCheck(
                "dns", .failed, "\(host) does not resolve: \(String(cString: gai_strerror(status)))",
                hint:
                    "check proxmox.endpoint in \(lab.file) (or PROXMOX_VE_ENDPOINT) and your DNS; an address works too")
        }
        defer { freeaddrinfo(first) }
        var name = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        _ = getnameinfo(
            first.pointee.ai_addr, first.pointee.ai_addrlen, &name, socklen_t(name.count), nil, 0, NI_NUMERICHOST)
        let address = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return LabCheck("dns", .ok, "\(host) resolves to \(address)")
    }

    /// The PVE endpoint's certificate verifies as the client verifies it: against the
    /// inventory's ca_file (or HLSH_PVE_CA_FILE), a pinned fingerprint, or the system's CAs.
    func tls(_ cancellation: Cancellation) throws -> LabCheck {
        let settings = try settings()
        let trust =
            settings.tls.insecure
            ? "nothing (verification is off)"
            : settings.tls.caFile
                ?? (settings.tls.certificateFingerprint.map { "the pinned fingerprint \($0)" }
                    ?? "the system's CAs")
        guard settings.endpoint.scheme == "https" else {
            return LabCheck("tls", .failed, "\(settings.endpoint) is plain http", hint: "use https://HOST:8006/")
        }
        let client = HTTPClient(tls: settings.tls, retry: .never, maxIdleConnections: 0)
        let request = HTTPRequest(
            url: settings.endpoint.baseURL + "/version",
            timeouts: HTTPTimeouts(connect: .seconds(5), total: .seconds(10)))
        do {
            _ = try client.send(request, cancellation: cancellation)
        } catch {
            let (detail, hint) = Self.tlsWords(error, host: settings.endpoint.host, trust: trust)
            return LabCheck("tls", .failed, detail, hint: hint)
        }
        return LabCheck(
            "tls", settings.tls.insecure ? .failed : .ok,
            settings.tls.insecure
                ? "\(settings.endpoint): verification is off (insecure)"
                : "the certificate of \(settings.endpoint.host) verifies against \(trust)",
            hint: settings.tls.insecure ? "set proxmox.ca_file to a copy of /etc/pve/pve-root-ca.pem" : nil)
    }

    /// A TLS failure in words: expired, unknown CA, wrong name, or curl's own.
    static func tlsWords(_ error: any Error, host: String, trust: String) -> (String, String?) {
        let hlsError = error as? HLSError
        let cause = (hlsError?.cause ?? "").lowercased()
        if cause.contains("expired") {
            return ("the certificate of \(host) has expired", "renew it on the host: pvecm updatecerts --force")
        }
        if cause.contains("issuer") || cause.contains("self-signed") || cause.contains("self signed")
            || cause.contains("unknown ca")
        {
            return (
                "the certificate of \(host) is signed by a CA not in \(trust)",
                "copy the host's /etc/pve/pve-root-ca.pem and name it in proxmox.ca_file"
            )
        }
        if cause.contains("subject name") || cause.contains("does not match") || cause.contains("alternative") {
            return (
                "the certificate does not name \(host)",
                "reach the host by a name its certificate has (pvenode cert info lists them)"
            )
        }
        return (LabCheck.words(error), hlsError?.hint)
    }

    /// The variable the API token is read from, as `PVEConnectionSettings.fromEnvironment` picks it.
    var tokenVariable: String {
        let standard = PVEConnectionSettings.Variable.apiToken
        if !(environment[standard] ?? "").isEmpty { return standard }
        let named = lab.proxmox.tokenEnv.trimmingWhitespace()
        return named.isEmpty ? standard : named
    }

    /// The credentials are accepted (`GET /version`).
    func auth(_ cancellation: Cancellation) throws -> LabCheck {
        let settings = try settings()
        let login: String
        if case .apiToken = settings.credentials {
            login = "the API token in \(tokenVariable)"
        } else {
            login = "the login in \(PVEConnectionSettings.Variable.username)"
        }
        do throws(HLSError) {
            _ = try PVEClient(settings: settings).get("/version", cancellation: cancellation)
        } catch {
            let refused = error.cause?.hasPrefix("HTTP 401") == true || error.cause?.hasPrefix("HTTP 403") == true
            return LabCheck(
                "auth", .failed,
                refused
                    ? "\(login) was refused: Proxmox said \"\(error.message)\" (\(error.cause ?? ""))"
                    : LabCheck.words(error),
                hint: error.hint)
        }
        return LabCheck("auth", .ok, "\(login) is accepted")
    }

    // MARK: SSH, Kubernetes, git, age

    /// Each inventory node answers on SSH: its host key known and unchanged, the user's key accepted.
    func ssh(_ cancellation: Cancellation) throws -> [LabCheck] {
        let connections = try NodeService.of(context).connections
        let targets = lab.vms.map { NodeService.inventoryTarget($0, lab: lab).target }
        return Parallel.map(targets.count, limit: 16) { index in
            let name = "ssh \(targets[index].name)"
            do throws(HLSError) {
                let resolved = try connections.resolve(targets[index])
                _ = try connections.session(for: targets[index], cancellation: cancellation, acceptNew: false)
                return LabCheck(name, .ok, "\(resolved.description): host key known, login accepted")
            } catch {
                return LabCheck(name, .failed, error.message, hint: error.hint)
            }
        }
    }

    /// The kubeconfig exists, its context too, the server answers and accepts the credentials.
    func kubeContext(_ cancellation: Cancellation) throws -> LabCheck {
        let kubeconfig = try KubeService.of(context).kubeconfig
        guard !kubeconfig.files.isEmpty else {
            return LabCheck(
                "kube context", .failed, "no kubeconfig: \(kubeconfig.origin) does not exist",
                hint: "node kubeconfig writes the lab's context once k3s runs (phase 2)")
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
            return LabCheck(
                "kube context", .failed,
                "context \(endpoint.context): \(endpoint.server) does not answer: \(LabCheck.words(error))",
                hint: "is k3s running on the server (node run servers 'systemctl status k3s')?")
        }
        do {
            _ = try client.getIfPresent(.namespaces, "kube-system", cancellation: cancellation)
        } catch {
            return LabCheck(
                "kube context", .failed,
                "context \(endpoint.context): \(endpoint.server) refuses the credentials of user \(endpoint.user): \(LabCheck.words(error))",
                hint: "write the lab's kubeconfig again: node kubeconfig")
        }
        return LabCheck(
            "kube context", .ok,
            "context \(endpoint.context): \(endpoint.server) answers (\(version)) and accepts user \(endpoint.user)")
    }

    /// The GitOps remote answers `git ls-remote` with the user's own SSH key, as `flux bootstrap` pushes.
    func gitRemote() throws -> LabCheck {
        guard let gitops = lab.gitops else {
            return LabCheck("git remote", .skipped, "the inventory has no gitops section")
        }
        let git = try FluxGit(privateKey: nil, knownHosts: "", environment: environment)
        let (status, output) = try git.run(["ls-remote", gitops.url, "refs/heads/\(gitops.branch)"])
        guard status == 0 else {
            let words = output.split(separator: "\n").filter { !$0.hasPrefix("Warning:") }.joined(separator: " ")
            let lower = output.lowercased()
            let hint =
                lower.contains("permission denied")
                ? "the git host refuses your SSH key: add ~/.ssh/id_ed25519.pub to your account (GitHub: Settings → SSH keys)"
                : lower.contains("host key verification failed")
                    ? "the git host's key is not in your known_hosts: check its fingerprint, then ssh-keyscan it into ~/.ssh/known_hosts"
                    : lower.contains("not found") || lower.contains("does not appear to be a git repository")
                        ? "create the repository, or fix gitops.url in \(lab.file)"
                        : "check gitops.url in \(lab.file) and that the git host is reachable"
            return LabCheck("git remote", .failed, "git ls-remote \(gitops.url) failed: \(words)", hint: hint)
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
                "age key", .failed, "\(path) does not exist", hint: "make it: secret age-keygen --file \(path)")
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
                    hint: "Flux decrypts with the Secret's key: run flux bootstrap again to replace it")
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
