import Foundation
import HLSCore
import TestSupport
import XCTest

/// Issue 14's "Done when", on the whole simulated lab as a user drives it: Flux bootstrapped
/// from the lab's GitHub, a push with the real `git` reconciled into the cluster, then the
/// platform (cert-manager, Traefik, Longhorn through HelmReleases, a CA ClusterIssuer) and an
/// app with a certificate, an ingress and a volume, checked with `flux`, `cert`, `probe`,
/// `volume` and the real kubectl.
final class FluxEndToEndTests: XCTestCase {
    static let repository = "example/homelab"
    static let clusterPath = "kubernetes/clusters/homelab"

    func testBootstrapPushReconcileAndThePlatformEndToEnd() throws {
        // 1. Flux bootstrapped from the inventory's gitops section and the lab's GitHub.
        let h = try bootstrappedLab()
        let check = h.run("flux check")
        XCTAssertEqual(check.status, 0, "flux check: \(check.out)\(check.err)")
        var head = try XCTUnwrap(h.lab.git?.head(of: Self.repository), "the repository has a head")
        XCTAssertEqual(try json(h, "flux get ks -o json").map(summary), [row("flux-system", head)])
        XCTAssertEqual(try json(h, "flux get git -o json").map(summary), [row("flux-system", head)])

        // 2. A change pushed with the real git, reconciled with --with-source.
        let git = try GitWorkTree(h)
        try git.write(
            Self.clusterPath + "/smoke.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flux-smoke\n  namespace: default\ndata:\n  pushed: \"yes\"\n"
        )
        head = try git.commitAndPush("a ConfigMap through Flux")
        XCTAssertEqual(h.lab.git?.head(of: Self.repository), head, "the push reached the lab's GitHub")
        let reconcile = h.run("flux reconcile ks flux-system --with-source --timeout 60s")
        XCTAssertEqual(reconcile.status, 0, "flux reconcile: \(reconcile.err)")
        XCTAssertTrue(reconcile.out.contains(short(head)), "the new revision shown: \(reconcile.out)")
        XCTAssertEqual(try json(h, "flux get ks -o json").map(summary), [row("flux-system", head)])
        let configMap = h.run("kube get configmap flux-smoke -n default -o json")
        XCTAssertEqual(configMap.status, 0, configMap.err)
        let data = try JSONSerialization.jsonObject(with: Data(configMap.out.utf8)) as? [String: Any]
        XCTAssertEqual((data?["data"] as? [String: String])?["pushed"], "yes", configMap.out)

        // 3. The platform and an app, through HelmReleases and Kustomizations in dependsOn order.
        for (path, text) in PlatformTree.files(clusterPath: Self.clusterPath) { try git.write(path, text) }
        head = try git.commitAndPush("cert-manager, Traefik, Longhorn, a CA issuer and an app")
        let platform = h.run("flux reconcile ks flux-system --with-source --timeout 60s")
        XCTAssertEqual(platform.status, 0, "flux reconcile: \(platform.err)")
        // wait: true: a Kustomization turns Ready only once what it applied is healthy.
        let controllers = h.run("flux wait infrastructure-controllers --timeout 60s")
        XCTAssertEqual(controllers.status, 0, "infrastructure-controllers Ready: \(controllers.err)")
        let releases = try json(h, "flux get hr -A -o json")
        XCTAssertEqual(releases.count, 3, "\(releases)")
        XCTAssertEqual(
            releases.filter { $0["ready"] != "True" }.map { $0["name"] ?? "" }, [],
            "infrastructure-controllers (wait: true) is Ready while its HelmReleases are not: \(releases)")
        let ready = h.run("flux wait apps --timeout 90s")
        XCTAssertEqual(
            ready.status, 0, "the apps Kustomization Ready: \(ready.out)\(ready.err)\n\(h.run("flux get all -A").out)")
        let issued = h.run("cert wait whoami-tls -n whoami --timeout 60s")
        XCTAssertEqual(
            issued.status, 0, "the app's certificate: \(issued.err)\n\(h.run("cert why whoami-tls -n whoami").out)")

        // kubectl agrees with flux get and cert list.
        let readiness = try kubectlReadiness(h)
        var ours: [String: String] = [:]
        for (kind, command) in [("Kustomization", "flux get ks -A -o json"), ("HelmRelease", "flux get hr -A -o json")]
        {
            for entry in try json(h, command) {
                ours["\(kind)/\(entry["namespace"] ?? "")/\(entry["name"] ?? "")"] = entry["ready"]
            }
        }
        for entry in try json(h, "cert list -A -o json") {
            ours["Certificate/\(entry["namespace"] ?? "")/\(entry["name"] ?? "")"] = entry["ready"]
        }
        XCTAssertEqual(
            ours, readiness, "flux get and cert list agree with kubectl get kustomizations,helmreleases,certificates -A"
        )
        for name in [
            "Kustomization/flux-system/apps", "HelmRelease/cert-manager/cert-manager", "HelmRelease/traefik/traefik",
            "HelmRelease/longhorn-system/longhorn", "Certificate/whoami/whoami-tls", "Certificate/cert-manager/lab-ca",
        ] {
            XCTAssertEqual(readiness[name], "True", "\(name) Ready")
        }
        let allRows = try json(h, "flux get all -A -o json")
        for (key, value) in readiness where !key.hasPrefix("Certificate/") {
            let parts = key.split(separator: "/").map(String.init)
            XCTAssertTrue(
                allRows.contains { $0["namespace"] == parts[1] && $0["name"] == parts[2] && $0["ready"] == value },
                "flux get all -A shows \(key) as \(value)")
        }

        // probe: 200 with the issued certificate.
        let ca = try h.home.write(
            "lab-ca.pem", try kubectlSecret(h, "lab-ca", namespace: "cert-manager", key: "tls.crt"))
        let probe = try json(h, "probe https://whoami.home.example.com --ca \(ca) -o json")
        let served = try XCTUnwrap(probe.first, "probe's row")
        XCTAssertEqual(served["status"], "200")
        let issuedPEM = try h.home.write(
            "whoami.pem", try kubectlSecret(h, "whoami-tls", namespace: "whoami", key: "tls.crt"))
        let openssl = try runProcess(
            "/usr/bin/openssl",
            ["x509", "-noout", "-subject", "-issuer", "-enddate", "-nameopt", "RFC2253", "-in", issuedPEM])
        // subject= (ingress-shim names no commonName), issuer=CN=hlsh lab CA, notAfter=…
        let fields = Dictionary(
            openssl.stdout.split(separator: "\n").map { line in
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                return (parts[0], parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
            }, uniquingKeysWith: { first, _ in first })
        XCTAssertEqual(served["subject"], fields["subject"], "the served certificate is the issued one")
        XCTAssertEqual(served["issuer"], "CN=hlsh lab CA")
        XCTAssertEqual(served["issuer"], fields["issuer"])
        XCTAssertEqual(served["names"]?.contains("DNS:whoami.home.example.com"), true, "\(served)")
        let listed = try json(h, "cert list -n whoami -o json").first { $0["name"] == "whoami-tls" }
        XCTAssertEqual(served["not_after"], listed?["not_after"], "probe and cert list show the same notAfter")

        // volume list: the PVC's volume; Longhorn's default of 3 replicas on two nodes stays degraded.
        let volumes = h.run("volume list -A -o json")
        XCTAssertEqual(volumes.status, 0, volumes.err)
        let volume = try XCTUnwrap(
            (try JSONSerialization.jsonObject(with: Data(volumes.out.utf8)) as? [[String: Any]])?.first {
                $0["pvc"] as? String == "whoami-data"
            }, "the app's volume in \(volumes.out)")
        XCTAssertEqual(volume["namespace"] as? String, "whoami")
        let bound = try kubectl(h, ["get", "pvc", "whoami-data", "-n", "whoami", "-o", "jsonpath={.spec.volumeName}"])
        XCTAssertEqual(volume["volume"] as? String, bound, "the PVC's Longhorn volume")
        XCTAssertEqual(volume["robustness"] as? String, "degraded")
        XCTAssertEqual(volume["replicas"] as? Int, 3)
        XCTAssertTrue(
            volumes.err.contains("2 schedulable nodes for 3 replicas: the volume stays degraded"),
            "the replica warning: \(volumes.err)")

        // lab status: every layer ok but the volumes, which say why they are degraded.
        let status = try json(h, "lab status -o json", status: 1)
        XCTAssertEqual(status.map { $0["layer"] ?? "" }, LabStatusTests.layers)
        for row in status where row["layer"] != "volumes" { XCTAssertEqual(row["state"], "ok", "\(row)") }
        let flux = status.first { $0["layer"] == "flux" }?["detail"] ?? ""
        XCTAssertTrue(flux.hasSuffix("HelmReleases Ready"), flux)
        let apps = status.first { $0["layer"] == "apps" }?["detail"] ?? ""
        XCTAssertEqual(apps, "Kustomization apps Ready; https://whoami.home.example.com 200")
        let volumeRow = status.first { $0["layer"] == "volumes" } ?? [:]
        XCTAssertEqual(volumeRow["state"], "degraded")
        XCTAssertTrue(
            volumeRow["detail"]?.contains("(whoami/whoami-data) is attached, degraded") ?? false, "\(volumeRow)")
        XCTAssertTrue(volumeRow["detail"]?.contains("2 schedulable nodes for 3 replicas") ?? false, "\(volumeRow)")

        // lab doctor: every endpoint answers; the age key is the sops-age Secret's, by its public key.
        let doctor = try json(h, "lab doctor -o json")
        XCTAssertEqual(doctor.filter { $0["state"] != "ok" }, [], "\(doctor)")
        let ageRow = doctor.first { $0["check"] == "age key" }?["detail"] ?? ""
        XCTAssertTrue(ageRow.hasSuffix(", as the sops-age Secret names"), ageRow)
        // Another key in the file than in the cluster: both public keys named, neither secret key.
        let keyFile = h.home.file(".config/sops/age/keys.txt")
        let publicKey = {
            h.run("secret age-keygen --file \(keyFile) | get public_key").out.trimmingCharacters(
                in: .whitespacesAndNewlines)
        }
        let before = publicKey()
        try FileManager.default.removeItem(atPath: keyFile)
        let after = publicKey()
        XCTAssertNotEqual(before, after)
        let mismatch = h.run(#"lab doctor | where check == "age key" | get detail"#)
        XCTAssertEqual(mismatch.status, 1, mismatch.err)
        XCTAssertEqual(
            mismatch.out.trimmingCharacters(in: .whitespacesAndNewlines),
            "\(keyFile) holds \(after), but the cluster's sops-age Secret holds \(before)")
        XCTAssertFalse(mismatch.out.contains("AGE-SECRET-KEY-"), mismatch.out)
    }

    // MARK: Helpers

    /// A lab whose cluster runs (the worker Ready), with an age key and Flux bootstrapped from
    /// the inventory's gitops section and the lab's GitHub.
    func bootstrappedLab(file: StaticString = #filePath, line: UInt = #line) throws -> LabHarness {
        let h = try LabHarness()
        h.installCluster(file: file, line: line)
        let worker = h.run("kube wait node k3s-wk-01 --for condition=Ready --timeout 60s")
        XCTAssertEqual(worker.status, 0, worker.err, file: file, line: line)
        XCTAssertEqual(h.run("secret age-keygen").status, 0, "the lab's age key", file: file, line: line)
        let bootstrap = h.run("flux bootstrap --timeout 120s")
        XCTAssertEqual(bootstrap.status, 0, "flux bootstrap: \(bootstrap.err)", file: file, line: line)
        return h
    }

    func short(_ commit: String) -> String { String(commit.prefix(8)) }

    func row(_ name: String, _ commit: String) -> [String: String] {
        ["name": name, "revision": "main@sha1:\(short(commit))", "ready": "True"]
    }

    /// A `flux get` row's name, revision and readiness.
    func summary(_ row: [String: String]) -> [String: String] {
        row.filter { ["name", "revision", "ready"].contains($0.key) }
    }

    /// A command's `-o json` rows, each value as text.
    func json(
        _ h: LabHarness, _ command: String, status: Int32 = 0, file: StaticString = #filePath, line: UInt = #line
    ) throws -> [[String: String]] {
        let result = h.run(command)
        XCTAssertEqual(result.status, status, "\(command): \(result.err)", file: file, line: line)
        let rows = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [[String: Any]] ?? []
        return rows.map { $0.mapValues { "\($0)" } }
    }

    func kubectl(_ h: LabHarness, _ arguments: [String]) throws -> String {
        let result = try runProcess(
            try Kubectl.path(),
            ["--kubeconfig", h.lab.kubeconfigPath, "--cache-dir", h.home.file("kube-cache")] + arguments,
            environment: ["HOME": h.home.path, "PATH": "/usr/bin:/bin"])
        XCTAssertEqual(result.status, 0, "kubectl \(arguments): \(result.stderr)")
        return result.stdout
    }

    /// `kubectl get kustomizations,helmreleases,certificates -A`: KIND/NAMESPACE/NAME → Ready.
    func kubectlReadiness(_ h: LabHarness) throws -> [String: String] {
        let text = try kubectl(h, ["get", "kustomizations,helmreleases,certificates", "-A", "-o", "json"])
        let list = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
        var readiness: [String: String] = [:]
        for item in list["items"] as? [[String: Any]] ?? [] {
            let metadata = item["metadata"] as? [String: Any] ?? [:]
            let conditions = (item["status"] as? [String: Any])?["conditions"] as? [[String: Any]] ?? []
            let ready = conditions.first { $0["type"] as? String == "Ready" }?["status"] as? String ?? "False"
            readiness["\(item["kind"] ?? "")/\(metadata["namespace"] ?? "")/\(metadata["name"] ?? "")"] = ready
        }
        return readiness
    }

    func kubectlSecret(_ h: LabHarness, _ name: String, namespace: String, key: String) throws -> String {
        let encoded = try kubectl(
            h,
            [
                "get", "secret", name, "-n", namespace, "-o",
                "jsonpath={.data.\(key.replacingOccurrences(of: ".", with: "\\."))}",
            ])
        return String(decoding: try XCTUnwrap(Data(base64Encoded: encoded)), as: UTF8.self)
    }
}

/// A clone of the lab's GitOps repository, pushed with the real git over the lab's SSH config
/// and the user's key (the GitHub account's), without the machine's system git configuration.
struct GitWorkTree {
    let path: String
    let environment: [String: String]

    /// A clone in the harness's home, with its key.
    init(_ h: LabHarness) throws {
        try self.init(
            home: h.home.path, sshConfig: try XCTUnwrap(h.environment["HLSH_SSH_CONFIG"], "the lab's ssh_config"),
            into: h.home.file("homelab"))
    }

    /// A clone at `path` as the user whose key is `HOME/.ssh/id_ed25519`.
    init(home: String, sshConfig: String, into path: String) throws {
        self.path = path
        environment = [
            "HOME": home, "PATH": "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_SSH_COMMAND": "ssh -F \(sshConfig) -i \(home)/.ssh/id_ed25519 -o IdentitiesOnly=yes -o BatchMode=yes",
            "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@hlsh", "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@hlsh",
        ]
        try git(["clone", "ssh://git@github.com/\(FluxEndToEndTests.repository)", path], in: home)
    }

    @discardableResult
    func git(_ arguments: [String], in directory: String? = nil) throws -> String {
        let result = try runProcess("/usr/bin/git", ["-C", directory ?? path] + arguments, environment: environment)
        XCTAssertEqual(result.status, 0, "git \(arguments): \(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func write(_ file: String, _ text: String) throws {
        let full = path + "/" + file
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
    }

    /// Commits everything and pushes main; returns the new head.
    func commitAndPush(_ message: String) throws -> String {
        try git(["add", "-A"])
        try git(["commit", "-q", "-m", message])
        try git(["push", "-q", "origin", "HEAD:main"])
        return try git(["rev-parse", "HEAD"])
    }
}

/// The platform as a user writes it into the GitOps repository: three Kustomizations in
/// dependsOn order (controllers → configs → apps), the charts through HelmReleases, a
/// self-signed root and a CA ClusterIssuer, and an app with a Longhorn volume and an Ingress
/// whose certificate that issuer signs.
enum PlatformTree {
    static func files(clusterPath: String) -> [(String, String)] {
        [
            (clusterPath + "/infrastructure.yaml", entry("infrastructure-controllers", "infrastructure/controllers")),
            (
                clusterPath + "/infrastructure-configs.yaml",
                entry("infrastructure-configs", "infrastructure/configs", dependsOn: "infrastructure-controllers")
            ),
            (clusterPath + "/apps.yaml", entry("apps", "apps", dependsOn: "infrastructure-configs")),
            ("kubernetes/infrastructure/controllers/charts.yaml", charts),
            ("kubernetes/infrastructure/configs/issuers.yaml", issuers),
            ("kubernetes/apps/whoami.yaml", app),
        ]
    }

    static func entry(_ name: String, _ path: String, dependsOn: String? = nil) -> String {
        """
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: \(name), namespace: flux-system}
        spec:
        \(dependsOn.map { "  dependsOn: [{name: \($0)}]\n" } ?? "")\
          interval: 1h
          retryInterval: 5s
          sourceRef: {kind: GitRepository, name: flux-system}
          path: ./kubernetes/\(path)
          prune: true
          wait: true

        """
    }

    static func release(_ name: String, namespace: String, repository: String, url: String, version: String) -> String {
        """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: \(namespace)
        ---
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: HelmRepository
        metadata:
          name: \(repository)
          namespace: \(namespace)
        spec:
          interval: 24h
          url: \(url)
        ---
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata:
          name: \(name)
          namespace: \(namespace)
        spec:
          interval: 30m
          chart:
            spec:
              chart: \(name)
              version: "\(version)"
              sourceRef:
                kind: HelmRepository
                name: \(repository)
          install:
            crds: CreateReplace
          values:
            crds:
              enabled: true

        """
    }

    static var charts: String {
        [
            release(
                "cert-manager", namespace: "cert-manager", repository: "jetstack", url: "https://charts.jetstack.io",
                version: "v1.18.x"),
            release(
                "traefik", namespace: "traefik", repository: "traefik", url: "https://traefik.github.io/charts",
                version: "27.x"),
            release(
                "longhorn", namespace: "longhorn-system", repository: "longhorn", url: "https://charts.longhorn.io",
                version: "1.9.x"),
        ].joined(separator: "---\n")
    }

    static let issuers = """
        apiVersion: cert-manager.io/v1
        kind: ClusterIssuer
        metadata:
          name: selfsigned
        spec:
          selfSigned: {}
        ---
        apiVersion: cert-manager.io/v1
        kind: Certificate
        metadata:
          name: lab-ca
          namespace: cert-manager
        spec:
          isCA: true
          commonName: hlsh lab CA
          secretName: lab-ca
          privateKey:
            algorithm: ECDSA
            size: 256
          issuerRef:
            kind: ClusterIssuer
            name: selfsigned
        ---
        apiVersion: cert-manager.io/v1
        kind: ClusterIssuer
        metadata:
          name: lab-ca
        spec:
          ca:
            secretName: lab-ca

        """

    static let app = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: whoami}
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: whoami-data, namespace: whoami}
        spec:
          accessModes: [ReadWriteOnce]
          storageClassName: longhorn
          resources: {requests: {storage: 1Gi}}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: whoami, namespace: whoami}
        spec:
          selector: {matchLabels: {app: whoami}}
          template:
            metadata: {labels: {app: whoami}}
            spec:
              containers:
                - {name: whoami, image: "traefik/whoami:v1.11.0", volumeMounts: [{name: data, mountPath: /data}]}
              volumes: [{name: data, persistentVolumeClaim: {claimName: whoami-data}}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: whoami, namespace: whoami}
        spec: {selector: {app: whoami}, ports: [{port: 80}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: whoami
          namespace: whoami
          annotations: {cert-manager.io/cluster-issuer: lab-ca}
        spec:
          ingressClassName: traefik
          tls: [{hosts: [whoami.home.example.com], secretName: whoami-tls}]
          rules:
            - host: whoami.home.example.com
              http:
                paths: [{path: /, pathType: Prefix, backend: {service: {name: whoami, port: {number: 80}}}}]

        """
}
