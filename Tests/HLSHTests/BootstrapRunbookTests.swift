import Foundation
import TestSupport
import XCTest

/// Issue 15's runbook properties, end to end: the built binary runs `scripts/bootstrap.hls`
/// (phases 1–7, each sourced from `scripts/phases/`) against `hlsh sim serve --dir DIR`, as a
/// user in a second shell (`. DIR/env`) would, and the lab is then looked at with kubectl, ssh
/// and git as they are.
final class BootstrapRunbookTests: XCTestCase {
    static let phases = [
        "1 provision VMs", "2 harden the OS and install k3s", "3 Flux and the GitOps repository",
        "4 cert-manager, Traefik and TLS", "5 observability", "6 Longhorn storage", "7 apps",
    ]

    /// A served lab, its directory, the user's HOME (with a key) and a shell's environment.
    struct Served {
        let dir: TemporaryDirectory
        let lab: SimServe
        let home: String
        let env: [String: String]

        init() throws {
            dir = try TemporaryDirectory("hlsh-runbook")
            home = try dir.userHome()
            lab = try SimServe(directory: dir.file("lab"), home: home, environment: SimServe.testTimings)
            XCTAssertTrue(lab.serving, "sim serve did not come up")
            // The lab's Cloudflare token (CLOUDFLARE_API_TOKEN) comes with DIR/env, as GITHUB_TOKEN.
            // hlsh's temporary files (the deploy key while git uses it) where the secrets' sweep looks.
            try FileManager.default.createDirectory(atPath: dir.file("tmp"), withIntermediateDirectories: true)
            env = try lab.shellEnvironment(home: home, state: dir.file("state")).merging(["TMPDIR": dir.file("tmp")]) {
                _, new in new
            }
        }

        func hlsh(_ arguments: [String]) throws -> ProcessResult {
            try runProcess(
                BuiltBinary.hlsh, arguments, environment: env, currentDirectory: SimulatedLabBinaryTests.repository)
        }

        func kubectl(_ arguments: [String]) throws -> ProcessResult {
            try runProcess(
                try Kubectl.path(),
                ["--kubeconfig", lab.file("kubeconfig"), "--cache-dir", dir.file("kube-cache")] + arguments,
                environment: ["HOME": home, "PATH": "/usr/bin:/bin"])
        }

        /// git with the user's key, through the lab's ssh_config (which maps github.com).
        func git(_ arguments: [String]) throws -> ProcessResult {
            try runProcess(
                "/usr/bin/git", ["-C", dir.path] + arguments,
                environment: [
                    "HOME": home, "PATH": "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1",
                    "GIT_SSH_COMMAND":
                        "ssh -F \(lab.file("ssh_config")) -i \(home)/.ssh/id_ed25519 -o IdentitiesOnly=yes -o BatchMode=yes",
                ])
        }
    }

    /// The line `✓ phase NAME (…)` of a run's standard error.
    func summary(of phase: String, in stderr: String) -> String {
        stderr.split(separator: "\n").first { $0.hasPrefix("✓ phase \(phase) (") }.map(String.init) ?? ""
    }

    /// Every Deployment, StatefulSet and DaemonSet with its generation, and every pod with its
    /// UID, as kubectl lists them: `KIND NAMESPACE/NAME generation=N` or `Pod NAMESPACE/NAME uid=U`.
    func workloadState(_ served: Served) throws -> [String] {
        let read = try served.kubectl(["get", "deployments,statefulsets,daemonsets,pods", "-A", "-o", "json"])
        XCTAssertEqual(read.status, 0, read.stderr)
        let list = try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String: Any]
        return (list?["items"] as? [[String: Any]] ?? []).map { item in
            let kind = item["kind"] as? String ?? ""
            let metadata = item["metadata"] as? [String: Any] ?? [:]
            let name = "\(metadata["namespace"] ?? "")/\(metadata["name"] ?? "")"
            return kind == "Pod"
                ? "Pod \(name) uid=\(metadata["uid"] ?? "")"
                : "\(kind) \(name) generation=\(metadata["generation"] ?? "")"
        }.sorted()
    }

    func testADryRunOnAnEmptyLabPlansEveryPhaseExitsThreeAndWritesNothing() throws {
        let served = try Served()
        defer { served.lab.stop() }
        let plan = try served.hlsh(["--dry-run", "--detailed-exitcode", "scripts/bootstrap.hls"])
        XCTAssertEqual(plan.status, 3, plan.stderr)
        for phase in Self.phases {
            XCTAssertTrue(
                summary(of: phase, in: plan.stderr).hasSuffix(" planned)"), "phase \(phase): \(plan.stderr)")
        }
        // The plan names what each layer would do.
        for row in ["create", "register", "push", "install", "sync"] {
            XCTAssertTrue(plan.stdout.contains(" \(row) "), "the plan has a '\(row)' row: \(plan.stdout)")
        }
        XCTAssertTrue(plan.stdout.contains("file(s) added by flux scaffold"), plan.stdout)
        XCTAssertTrue(
            plan.stderr.contains("flux wait not run in a dry run: no kubeconfig"), plan.stderr)

        // No VM, no node file, no API object, no commit, no key, no kubeconfig context.
        let vms = try served.hlsh(["-c", #"vm list | where name =~ "^k3s-" | count"#])
        XCTAssertEqual(vms.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "0", vms.stderr)
        let nodes = (try? FileManager.default.contentsOfDirectory(atPath: served.lab.file("nodes"))) ?? []
        XCTAssertEqual(nodes, [], "no node's root was made")
        // No VM runs a k3s server, so the API refuses every connection (ADR 0053): nothing could
        // have been written there.
        let crds = try served.kubectl(["get", "crd", "-o", "name"])
        XCTAssertNotEqual(crds.status, 0, "the API answered with no control plane: \(crds.stdout)")
        XCTAssertTrue(crds.stderr.contains("connection refused"), crds.stderr)
        let remote = try served.git(["ls-remote", "ssh://git@github.com/example/homelab"])
        XCTAssertEqual(remote.status, 0, remote.stderr)
        XCTAssertEqual(remote.stdout, "", "nothing pushed")
        XCTAssertFalse(FileManager.default.fileExists(atPath: served.home + "/.config/sops/age/keys.txt"))
        let kubeconfig = (try? String(contentsOfFile: served.env["KUBECONFIG"] ?? "", encoding: .utf8)) ?? ""
        XCTAssertFalse(kubeconfig.contains("homelab"), "no context merged: \(kubeconfig)")
    }

    func testTheRunbookConvergesARerunChangesNothingAndTheLabShowsTheBootstrappedState() throws {
        let served = try Served()
        defer { served.lab.stop() }
        let log = served.dir.file("run.jsonl")
        let first = try served.hlsh(["--log", log, "scripts/bootstrap.hls"])
        XCTAssertEqual(first.status, 0, first.stderr)
        for phase in Self.phases {
            XCTAssertFalse(summary(of: phase, in: first.stderr).isEmpty, "phase \(phase) done: \(first.stderr)")
        }
        for name in ["CLOUDFLARE_API_TOKEN", "GITHUB_TOKEN"] {
            let token = try XCTUnwrap(served.env[name], "DIR/env sets \(name)")
            XCTAssertFalse(first.stdout.contains(token) || first.stderr.contains(token), "\(name) never shown")
        }

        // Phase 5 found an Alloy on each node and none of them failing to push to Loki.
        XCTAssertTrue(
            first.stdout.contains("Alloy on 2 node(s) ships the pods' logs to Loki"), "phase 5's check: \(first.stdout)"
        )
        // What phase 5 waited for, read back as a user asks Loki through the apiserver's service
        // proxy: the whoami container's start, with its stream's labels as columns, and Loki's
        // refusal of a query it cannot parse, in its words.
        // Alloy pushes each pod's new lines once a (wall) second, and whoami's pod may have started
        // in the runbook's last second: wait for delivery as phase 5 does, then read the rows.
        let query = #"kube loki '{namespace="whoami", container="whoami"} |= "started"' --limit 5"#
        let delivered = try served.hlsh(["-c", "wait (\(query) | count) --until $it > 0 --timeout 30s --every 200ms"])
        XCTAssertEqual(delivered.status, 0, delivered.stderr)
        let whoami = try served.hlsh(["-c", query + " -o json"])
        XCTAssertEqual(whoami.status, 0, whoami.stderr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(whoami.stdout.utf8)) as? [[String: Any]])
        XCTAssertFalse(rows.isEmpty, whoami.stdout)
        XCTAssertEqual(rows.first.map { $0.keys.sorted() }, ["container", "line", "namespace", "node", "pod", "time"])
        XCTAssertTrue(["k3s-cp-01", "k3s-wk-01"].contains(rows.first?["node"] as? String ?? ""), whoami.stdout)
        XCTAssertTrue((rows.first?["line"] as? String)?.hasPrefix("hlsh-sim: container whoami started") ?? false)
        let refused = try served.hlsh(["-c", #"kube loki '{namespace="whoami"'"#])
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertTrue(
            refused.stderr.contains(
                "Loki refused the query: parse error at line 1, col 20: syntax error: unexpected $end, expecting } or ,"
            ),
            refused.stderr)
        // kubectl as it is sees the bootstrapped state.
        let state = try served.kubectl(["get", "nodes,kustomizations,helmreleases,certificates", "-A"])
        XCTAssertEqual(state.status, 0, state.stderr)
        for (kind, name) in [
            ("node", "k3s-cp-01"), ("node", "k3s-wk-01"), ("kustomization", "apps"),
            ("kustomization", "infrastructure-configs"), ("helmrelease", "longhorn"), ("helmrelease", "traefik"),
            ("helmrelease", "kube-prometheus-stack"), ("certificate", "wildcard"), ("certificate", "whoami-tls"),
        ] {
            // kubectl names them KIND[.GROUP]/NAME when it lists several kinds.
            let row = state.stdout.split(separator: "\n").first { $0.contains("\(kind)") && $0.contains("/\(name) ") }
            XCTAssertTrue(
                row.map { $0.contains(" Ready ") || $0.contains(" True ") } ?? false,
                "\(kind) \(name) Ready in:\n\(state.stdout)")
        }
        // What hlsh wrote on the control plane, read over ssh as it is.
        let config = try runProcess(
            "/usr/bin/ssh",
            [
                "-F", served.lab.file("ssh_config"), "-i", served.home + "/.ssh/id_ed25519", "-o", "BatchMode=yes",
                "k3s-cp-01", "cat /etc/rancher/k3s/config.yaml",
            ], environment: ["HOME": served.home, "PATH": "/usr/bin:/bin"])
        XCTAssertEqual(config.status, 0, config.stderr)
        XCTAssertTrue(config.stdout.contains("cluster-cidr: '10.42.0.0/16'"), config.stdout)
        // The GitOps remote holds the tree and the flux-system manifests.
        let clone = served.dir.file("clone")
        let cloned = try served.git(["clone", "-q", "ssh://git@github.com/example/homelab", clone])
        XCTAssertEqual(cloned.status, 0, cloned.stderr)
        for file in [
            "kubernetes/clusters/homelab/flux-system/gotk-sync.yaml",
            "kubernetes/clusters/homelab/flux-system/gotk-components.yaml", "kubernetes/clusters/homelab/apps.yaml",
            "kubernetes/infrastructure/controllers/longhorn/release-longhorn.yaml",
            "kubernetes/apps/base/whoami/ingress.yaml", ".sops.yaml",
        ] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: clone + "/" + file), "\(file) in the remote")
        }

        // A rerun changes nothing, and says so phase by phase; in the cluster no workload gets a
        // new generation and no pod is replaced (whoami's included).
        let workloads = try workloadState(served)
        XCTAssertTrue(workloads.contains { $0.hasPrefix("Deployment whoami/whoami generation=1") }, "\(workloads)")
        let again = try served.hlsh(["scripts/bootstrap.hls"])
        XCTAssertEqual(again.status, 0, again.stderr)
        for phase in Self.phases {
            XCTAssertTrue(
                summary(of: phase, in: again.stderr).hasSuffix(", no change)"), "phase \(phase): \(again.stderr)")
        }
        XCTAssertEqual(try workloadState(served), workloads, "the cluster after a converged rerun")
        // A dry run on the converged lab has nothing to plan: exit 0.
        let plan = try served.hlsh(["--dry-run", "--detailed-exitcode", "scripts/bootstrap.hls"])
        XCTAssertEqual(plan.status, 0, "\(plan.stdout)\n\(plan.stderr)")

        // A node down: the dry run plans its VM's start in phase 1, and no later wait (node,
        // flux, cert, volume: ADR 0043) blocks on what only that start would bring about.
        let stop = try served.hlsh(["-c", "lab use scripts/homelab.yaml\nvm stop k3s-wk-01"])
        XCTAssertEqual(stop.status, 0, stop.stderr)
        let started = Date()
        let down = try served.hlsh(["--dry-run", "--detailed-exitcode", "scripts/bootstrap.hls"])
        XCTAssertEqual(down.status, 3, "\(down.stdout)\n\(down.stderr)")
        XCTAssertLessThan(Date().timeIntervalSince(started), 180, "the dry run waited: \(down.stderr)")
        XCTAssertTrue(summary(of: Self.phases[0], in: down.stderr).hasSuffix(", 1 change planned)"), down.stderr)
        for phase in Self.phases {
            XCTAssertFalse(summary(of: phase, in: down.stderr).isEmpty, "phase \(phase) planned: \(down.stderr)")
        }
        XCTAssertTrue(down.stderr.contains("not run in a dry run: it would wait for k3s-wk-01"), down.stderr)
        try assertNoSecretLeaks(served, outputs: [first, again, plan, down], log: log)
    }
}
