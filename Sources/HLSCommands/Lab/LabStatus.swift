import HLSCore
import HLSLanguage
import HLSTransport
import Inventory
import Kube

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `lab status`'s layers, each read through the verbs' own services and helpers (the Proxmox
/// client, the SSH connections, the Kubernetes client, `FluxObject`, `CertificateRow`,
/// `VolumeReplicaCheck`, `probe`'s GET): hosts, VMs, nodes, Kubernetes, Flux, certificates,
/// volumes, apps. A layer that cannot be read yet is `missing` with why, never an error.
struct LabStatus: Sendable {
    let lab: Lab
    let context: ExecutionContext

    static let ingresses = KubeResource(
        group: "networking.k8s.io", version: "v1", name: "ingresses", kind: "Ingress", namespaced: true)

    /// The layers in order, each a check of its own for `LabCheck.concurrently`.
    var layers: [(name: String, run: @Sendable (Cancellation) throws -> [LabCheck])] {
        [
            ("hosts", { [self] in [try hosts($0)] }), ("vms", { [self] in [try vms($0)] }),
            ("nodes", { [self] in [try nodes($0)] }), ("kubernetes", { [self] in [try kubernetes($0)] }),
            ("flux", { [self] in [try flux($0)] }), ("certificates", { [self] in [try certificates($0)] }),
            ("volumes", { [self] in [try volumes($0)] }), ("apps", { [self] in [try apps($0)] }),
        ]
    }

    // MARK: Proxmox

    /// The inventory's PVE nodes, online.
    func hosts(_ cancellation: Cancellation) throws -> LabCheck {
        let found = try ProxmoxService.client(context).nodes(cancellation: cancellation)
        let absent = lab.proxmox.nodes.filter { name in !found.contains { $0.name == name } }
        let offline = found.filter { lab.proxmox.nodes.contains($0.name) && !$0.isOnline }
        if !absent.isEmpty {
            return LabCheck(
                "hosts", .missing,
                "\(Self.list(absent)) not in the Proxmox cluster (it has \(Self.list(found.map(\.name))))")
        }
        if !offline.isEmpty {
            return LabCheck("hosts", .degraded, offline.map { "\($0.name) is \($0.status)" }.joined(separator: ", "))
        }
        return LabCheck("hosts", .ok, "\(Self.list(lab.proxmox.nodes)) online")
    }

    /// Every VM of the inventory exists and runs.
    func vms(_ cancellation: Cancellation) throws -> LabCheck {
        let found = try ProxmoxService.client(context).vmResources(cancellation: cancellation).filter { !$0.isTemplate }
        let absent = lab.vms.filter { vm in !found.contains { $0.name == vm.name } }.map(\.name)
        let stopped = lab.vms.compactMap { vm in found.first { $0.name == vm.name && $0.status != "running" } }
        if !absent.isEmpty {
            return LabCheck(
                "vms", .missing, "\(Self.list(absent)) \(absent.count == 1 ? "does" : "do") not exist (vm apply --all)")
        }
        if !stopped.isEmpty {
            return LabCheck("vms", .degraded, stopped.map { "\($0.name) is \($0.status)" }.joined(separator: ", "))
        }
        return LabCheck("vms", .ok, "\(Self.list(lab.vms.map(\.name))) running")
    }

    // MARK: Nodes and Kubernetes

    /// Each inventory VM answers on SSH (known host key, the user's key accepted), and its
    /// Kubernetes Node is Ready. A VM Proxmox says does not run is not dialled (on a real lab
    /// its address would only time out).
    func nodes(_ cancellation: Cancellation) throws -> LabCheck {
        let connections = try NodeService.of(context).connections
        let states = Self.vmStates(context, cancellation)
        var problems: [String] = []
        var dialled: [VMSpec] = []
        for vm in lab.vms {
            switch states.map({ $0[vm.name] }) {
            case .some(nil): problems.append("\(vm.name): its VM does not exist")
            case .some(let status?) where status != "running": problems.append("\(vm.name): its VM is \(status)")
            default: dialled.append(vm)
            }
        }
        let targets = dialled.map { NodeService.inventoryTarget($0, lab: lab).target }
        let ssh = Parallel.map(targets.count, limit: 16) { index in
            Result { () throws(HLSError) in
                _ = try connections.session(for: targets[index], cancellation: cancellation, acceptNew: false)
            }
        }
        for (target, outcome) in zip(targets, ssh) {
            if case .failure(let error) = outcome {
                problems.append(
                    error.message.hasPrefix(target.name) ? error.message : "\(target.name): \(error.message)")
            }
        }
        let reachable = ssh.filter { if case .success = $0 { true } else { false } }.count
        if reachable == 0 {
            return LabCheck("nodes", .missing, problems.joined(separator: "; "))
        }
        do {
            let client = try kubeClient()
            let listed = Result { () throws(HLSError) in try client.list(.nodes, cancellation: cancellation) }
            if case .failure(let error) = listed, error.kind != .interrupted {
                // The cluster exists (a kubeconfig names it) but its API does not answer: not
                // "not in Kubernetes yet", which sends people to phase 2 again.
                problems.append("their Kubernetes Nodes cannot be read: \(LabCheck.words(error))")
                return LabCheck("nodes", .degraded, problems.joined(separator: "; "))
            }
            let cluster = try listed.get().items.map(ClusterNode.init)
            for vm in lab.vms {
                guard let node = cluster.first(where: { $0.name == vm.name }) else {
                    problems.append("\(vm.name): no Kubernetes Node (node k3s)")
                    continue
                }
                if NodeBootMark.isPreviousBoot(node) {
                    problems.append("\(vm.name): its kubelet has not reported since hlsh stopped its VM")
                } else if !node.isReady {
                    problems.append("\(vm.name): \(node.readyCondition)")
                }
            }
        } catch {
            problems.append("not in Kubernetes yet: \(LabCheck.words(error))")
        }
        if problems.isEmpty {
            return LabCheck("nodes", .ok, "\(Self.list(lab.vms.map(\.name))) reachable over SSH and Ready")
        }
        return LabCheck("nodes", .degraded, problems.joined(separator: "; "))
    }

    /// The Proxmox status of each VM by name (a name not in it: no such VM); nil when Proxmox
    /// cannot be asked (no credentials, no answer).
    static func vmStates(_ context: ExecutionContext, _ cancellation: Cancellation) -> [String: String]? {
        guard let found = try? ProxmoxService.client(context).vmResources(cancellation: cancellation) else {
            return nil
        }
        return Dictionary(
            found.filter { !$0.isTemplate }.map { ($0.name, $0.status) }, uniquingKeysWith: { first, _ in first })
    }

    /// The kubeconfig's client, or why there is none yet (before phase 2 writes the context).
    func kubeClient() throws -> KubeClient {
        let service = try KubeService.of(context)
        if service.kubeconfig.lacksContext() {
            throw HLSError(
                .failed,
                service.kubeconfig.files.isEmpty
                    ? "no kubeconfig yet (node kubeconfig writes it in phase 2)"
                    : "no current context in the kubeconfig yet (node kubeconfig writes it in phase 2)")
        }
        return try service.client()
    }

    /// The client for the layers above Kubernetes: without one, they say they need it.
    func clusterClient() throws -> KubeClient {
        do {
            return try kubeClient()
        } catch {
            throw HLSError(.failed, "needs Kubernetes: \(LabCheck.words(error))")
        }
    }

    /// The API answers, and runs the inventory's k3s version. When it does not and the VM that
    /// serves it (the inventory's VM at the API's address) does not exist or does not run, that
    /// is why: `missing` or `degraded` as the `vms` layer says it.
    func kubernetes(_ cancellation: Cancellation) throws -> LabCheck {
        let client = try kubeClient()
        let answer = Result { () throws(HLSError) in try client.serverVersion(cancellation: cancellation) }
        if case .failure(let error) = answer, error.kind != .interrupted,
            let down = Self.apiVM(lab, server: client.endpoint.server, context, cancellation)
        {
            let why = down.status.map { "its VM \(down.name) is \($0)" } ?? "its VM \(down.name) does not exist"
            return LabCheck(
                "kubernetes", down.status == nil ? .missing : .degraded,
                "\(client.endpoint.server) does not answer: \(why)")
        }
        let version = try answer.get()
        guard version == lab.k3s.version else {
            return LabCheck(
                "kubernetes", .degraded,
                "\(version) at \(client.endpoint.server); the inventory says \(lab.k3s.version)")
        }
        return LabCheck("kubernetes", .ok, "\(version) at \(client.endpoint.server)")
    }

    /// The inventory VM whose address (or name) is the host of `server` (the API's URL), and its
    /// Proxmox status (nil: no such VM), when that VM does not run; nil when it runs, when no VM
    /// of the inventory serves that address, or when Proxmox cannot be asked.
    static func apiVM(_ lab: Lab, server: String, _ context: ExecutionContext, _ cancellation: Cancellation)
        -> (name: String, status: String?)?
    {
        var host = Substring(server)
        if let scheme = host.firstRange(of: "://") { host = host[scheme.upperBound...] }
        host = host.prefix { $0 != ":" && $0 != "/" }
        guard let vm = lab.vms.first(where: { $0.ip.addressText == host || $0.name == host }),
            let states = vmStates(context, cancellation)
        else { return nil }
        let status = states[vm.name]
        return status == "running" ? nil : (vm.name, status)
    }

    /// Whether the cluster serves `resource` (its CRD installed).
    private func serves(_ resource: KubeResource, _ client: KubeClient, _ cancellation: Cancellation) throws -> Bool {
        try client.discovery(cancellation: cancellation).resources.contains {
            $0.group == resource.group && $0.name == resource.name
        }
    }

    // MARK: Flux, certificates, volumes

    /// Every Kustomization and HelmRelease Ready; those that are not, named with why.
    func flux(_ cancellation: Cancellation) throws -> LabCheck {
        let client = try clusterClient()
        guard try serves(FluxKind.kustomization.resource, client, cancellation) else {
            return LabCheck("flux", .missing, "Flux is not installed (flux bootstrap)")
        }
        var objects = try FluxCommands.objects(
            .kustomization, namespace: nil, client: client, cancellation: cancellation)
        if try serves(FluxKind.helmRelease.resource, client, cancellation) {
            objects += try FluxCommands.objects(
                .helmRelease, namespace: nil, client: client, cancellation: cancellation)
        }
        let kustomizations = objects.filter { $0.kind == .kustomization }.count
        guard kustomizations > 0 else {
            return LabCheck(
                "flux", .missing, "no Kustomization: Flux is installed but not bootstrapped (flux bootstrap)")
        }
        let waiting = objects.filter { !$0.isReady }
        let counted = "\(kustomizations) Kustomizations, \(objects.count - kustomizations) HelmReleases"
        guard waiting.isEmpty else {
            return LabCheck(
                "flux", .degraded,
                "\(waiting.count) of \(counted) not Ready: "
                    + waiting.map { "\($0.kind.kind) \($0.ref): \($0.pendingState)" }.joined(separator: "; "))
        }
        return LabCheck("flux", .ok, "\(counted) Ready")
    }

    /// Every Certificate Ready, and the soonest expiry.
    func certificates(_ cancellation: Cancellation) throws -> LabCheck {
        let client = try clusterClient()
        guard try serves(CertCommands.certificates, client, cancellation) else {
            return LabCheck("certificates", .missing, "cert-manager is not installed")
        }
        let now = Date().timeIntervalSince1970
        let rows = try client.list(CertCommands.certificates, cancellation: cancellation).items.map {
            CertificateRow(certificate: $0, now: now)
        }
        guard !rows.isEmpty else { return LabCheck("certificates", .missing, "no Certificate yet") }
        let soonest = rows.filter { $0.notAfterSeconds != nil }.min { $0.notAfterSeconds! < $1.notAfterSeconds! }
        let expiry = soonest.map {
            "soonest expiry \($0.namespace)/\($0.name) \($0.notAfter ?? "") (\($0.daysLeft ?? 0) days)"
        }
        let waiting = rows.filter { $0.ready != "True" }
        let expired = rows.filter { ($0.notAfterSeconds ?? .infinity) <= now }
        if !waiting.isEmpty || !expired.isEmpty {
            let named =
                waiting.map { "\($0.namespace)/\($0.name) Ready=\($0.ready)" }
                + expired.map { "\($0.namespace)/\($0.name) expired \($0.notAfter ?? "")" }
            return LabCheck(
                "certificates", .degraded, named.joined(separator: "; ") + " (cert why NAME -n NAMESPACE says why)")
        }
        return LabCheck("certificates", .ok, "\(rows.count) Ready" + (expiry.map { "; \($0)" } ?? ""))
    }

    /// Every Longhorn volume healthy, and no replica count above the schedulable nodes.
    func volumes(_ cancellation: Cancellation) throws -> LabCheck {
        let client = try clusterClient()
        let volumes: [LonghornVolume]
        do {
            volumes = try VolumeCommands.loadAll(client: client, cancellation: cancellation)
        } catch let error as HLSError where error.message.hasPrefix("Longhorn is not installed") {
            return LabCheck("volumes", .missing, "Longhorn is not installed")
        }
        var problems = volumes.filter { $0.state == "attached" && $0.robustness != "healthy" }.map {
            "volume \($0.name)\($0.pvc.isEmpty ? "" : " (\($0.namespace)/\($0.pvc))") is \(VolumeCommands.state(of: $0))"
        }
        problems += try VolumeReplicaCheck.warnings(volumes, client: client, cancellation: cancellation)
        guard problems.isEmpty else { return LabCheck("volumes", .degraded, problems.joined(separator: "; ")) }
        let attached = volumes.filter { $0.state == "attached" }.count
        return LabCheck(
            "volumes", .ok,
            volumes.isEmpty
                ? "Longhorn installed, no volume yet" : "\(volumes.count) volumes, \(attached) attached and healthy")
    }

    // MARK: Apps

    /// The `apps` Kustomization Ready, and each Ingress host it applied answering over HTTPS
    /// (its certificate checked against the TLS Secret's `ca.crt` when the issuer wrote one,
    /// else the system's CAs, or a simulated lab's public roots).
    func apps(_ cancellation: Cancellation) throws -> LabCheck {
        let client = try clusterClient()
        guard try serves(FluxKind.kustomization.resource, client, cancellation),
            let object = try client.getIfPresent(
                FluxKind.kustomization.resource, "apps", namespace: FluxCommands.defaultNamespace,
                cancellation: cancellation)
        else {
            return LabCheck("apps", .missing, "no apps Kustomization in \(FluxCommands.defaultNamespace)")
        }
        let apps = FluxObject(kind: .kustomization, object: object)
        guard apps.isReady else { return LabCheck("apps", .degraded, "Kustomization apps: \(apps.pendingState)") }
        var answered: [String] = []
        var problems: [String] = []
        for ingress in try appliedIngresses(apps, client, cancellation) {
            let namespace = ingress.string("metadata", "namespace") ?? ""
            for tls in ingress.at("spec", "tls")?.elements ?? [] {
                let ca = try Self.issuerCA(of: tls, namespace: namespace, client: client, cancellation: cancellation)
                for host in (tls.at("hosts")?.elements ?? []).compactMap({ $0.string() }) {
                    let url = "https://\(host)"
                    do {
                        let (response, _) = try ProbeCommand.get(
                            url,
                            tls: TLSOptions(caPEM: ca),
                            timeout: .seconds(5), environment: context.environment,
                            cancellation: cancellation)
                        try ProbeCommand.check(response, url: url)
                        answered.append("\(url) \(response.status)")
                    } catch {
                        problems.append(LabCheck.words(error))
                    }
                }
            }
        }
        guard problems.isEmpty else { return LabCheck("apps", .degraded, problems.joined(separator: "; ")) }
        return LabCheck(
            "apps", .ok,
            "Kustomization apps Ready"
                + (answered.isEmpty ? "; no HTTPS Ingress" : "; " + answered.joined(separator: ", ")))
    }

    /// The `ca.crt` of an Ingress TLS entry's Secret (written when a private issuer signed the
    /// certificate), which its hosts' certificates are checked against; nil without one.
    static func issuerCA(of tls: Document, namespace: String, client: KubeClient, cancellation: Cancellation) throws
        -> [UInt8]?
    {
        guard let secret = tls.string("secretName"),
            let found = try client.getIfPresent(.secrets, secret, namespace: namespace, cancellation: cancellation),
            let text = found.string("data", "ca.crt"), let bytes = Data(base64Encoded: text), !bytes.isEmpty
        else { return nil }
        return Array(bytes)
    }

    /// The Ingresses in the Kustomization's inventory (`NAMESPACE_NAME_networking.k8s.io_Ingress`).
    private func appliedIngresses(_ kustomization: FluxObject, _ client: KubeClient, _ cancellation: Cancellation)
        throws -> [Document]
    {
        let ids = (kustomization.object.at("status", "inventory", "entries")?.elements ?? []).compactMap {
            $0.string("id")
        }
        return try ids.compactMap { id -> Document? in
            let parts = id.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 4, parts[2] == "networking.k8s.io", parts[3] == "Ingress" else { return nil }
            return try client.getIfPresent(Self.ingresses, parts[1], namespace: parts[0], cancellation: cancellation)
        }
    }

    /// `a, b and c`.
    static func list(_ names: [String]) -> String {
        guard names.count > 1 else { return names.first ?? "none" }
        return names.dropLast().joined(separator: ", ") + " and " + names.last!
    }
}
