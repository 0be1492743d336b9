import Foundation
import HLSCore
import HLSLanguage
import Kube
import LabSim
import Synchronization
import TestSupport
import XCTest

@testable import HLSCommands

/// The faults of issue 17 that `FaultResumeTests` does not inject, each through the runbook's
/// phase on the `LabHarness` lab: the run stops naming the phase, the step and the cause, and
/// `--resume` converges with nothing made twice.
final class PhaseFaultTests: XCTestCase {
    /// Phase 1 against a Proxmox VE that fails in turn: a 500 on the clone (no quorum), a 595
    /// (pveproxy cannot reach the node), the API refusing connections, and a start task that
    /// fails. Each run stops at the step with PVE's words; the next `--resume` picks up what is
    /// left, and the last converges: one VM per inventory entry, each cloned once.
    func testPVEFaultsStopPhaseOneAndEachResumeContinuesWithOneVMPerEntry() throws {
        let lab = try LabHarness(simulatedNodes: false)
        let bootstrap = try bootstrapThrough(phase: 1, in: lab)
        let clones = { lab.writes.filter { $0.hasPrefix("POST /nodes/pve2/") && $0.hasSuffix("/clone") }.count }

        lab.simulator.injectFault(
            PVEFault(
                kind: .http(status: 500, message: "cluster not ready - no quorum?", delay: 0), method: "POST",
                path: "/nodes/pve2/qemu/*/clone"))
        let noQuorum = lab.runScript(bootstrap)
        try assertStopped(
            noQuorum, in: "1 provision VMs", at: "vm apply --all", of: "1-vms.hls", verb: "vm apply",
            cause: "k3s-wk-01: clone ubuntu-2404-cloud: cluster not ready - no quorum?")
        XCTAssertEqual(lab.run("vm list | get name | to json --compact").out, #"["k3s-cp-01"]"# + "\n")

        lab.simulator.injectFault(
            PVEFault(
                kind: .http(
                    status: 595, message: "Errors during connection establishment, proxy handshake: No route to host",
                    delay: 0),
                method: "POST", path: "/nodes/pve2/qemu/*/clone"))
        let noRoute = lab.runScript(bootstrap, options: .resuming)
        try assertStopped(
            noRoute, in: "1 provision VMs", at: "vm apply --all", of: "1-vms.hls", verb: "vm apply",
            cause: "No route to host")
        XCTAssertTrue(noRoute.err.contains("595"), noRoute.err)

        let environment = lab.environment
        lab.environment["PROXMOX_VE_ENDPOINT"] = "https://127.0.0.1:\(try freeLoopbackPort())/"
        let refused = lab.runScript(bootstrap, options: .resuming)
        try assertStopped(
            refused, in: "1 provision VMs", at: "vm plan --all", of: "1-vms.hls", verb: "vm plan",
            cause: "cannot connect to https://127.0.0.1:")
        lab.environment = environment

        lab.simulator.injectFault(
            PVEFault(kind: .failingTasks(exitStatus: "start failed: QEMU exited with code 1"), method: "qmstart"))
        let startFailed = lab.runScript(bootstrap, options: .resuming)
        try assertStopped(
            startFailed, in: "1 provision VMs", at: "vm apply --all", of: "1-vms.hls", verb: "vm apply",
            cause: "k3s-wk-01: starting k3s-wk-01: start failed: QEMU exited with code 1")
        XCTAssertTrue(startFailed.err.contains("TASK ERROR: start failed: QEMU exited with code 1"), startFailed.err)
        XCTAssertEqual(lab.run("vm show k3s-wk-01 | get status").out, "stopped\n")

        let converged = lab.runScript(bootstrap, options: .resuming)
        XCTAssertEqual(converged.status, 0, converged.err)
        XCTAssertTrue(converged.err.contains("✓ phase 1 provision VMs"), converged.err)
        XCTAssertEqual(
            lab.run("vm list | select vmid name status | to json --compact").out,
            #"[{"vmid":201,"name":"k3s-cp-01","status":"running"},{"vmid":202,"name":"k3s-wk-01","status":"running"}]"#
                + "\n")
        XCTAssertEqual(clones(), 3, "two clones answered by a fault, then one that cloned k3s-wk-01")
        XCTAssertEqual(
            lab.writes.filter { $0.hasPrefix("POST /nodes/pve1/") && $0.hasSuffix("/clone") }.count, 1,
            "k3s-cp-01 cloned once")
        XCTAssertEqual(lab.run("vm apply --all | count").out, "0\n", "nothing left to change")
    }

    /// SSH: the worker's connection drops while `node harden` runs on it (its sshd's
    /// per-connection processes die as the script checks the sshd drop-in). The run stops in
    /// phase 2 naming the step and the lost connection; `--resume` hardens the rest, installing
    /// the packages once and writing each file once, with no line twice.
    func testAnSSHConnectionCutDuringHardenStopsPhaseTwoAndResumeWritesEachFileOnce() throws {
        let lab = try LabHarness()
        let nodes = try XCTUnwrap(lab.nodes)
        let bootstrap = try bootstrapThrough(phase: 2, in: lab)
        let root = nodes.root(of: "k3s-wk-01")
        let sshd = root + SimulatedNodeRoot.nodeBinDirectory + "/sshd"
        let reached = root + "/tmp/harden-reached-sshd"
        // Once phase 2 has printed the nodes' facts, the worker's `sshd -t` (harden's check of its
        // drop-in) says so and waits; meanwhile the test drops the worker's connections.
        let original = SavedFile()
        let dropped = Mutex<Int>(0)
        let failed = runInProcess(
            try String(contentsOfFile: bootstrap, encoding: .utf8), file: bootstrap, environment: lab.environment
        ) { text in
            guard original.data == nil, text.contains("kernel") else { return }
            original.data = try? Data(contentsOf: URL(fileURLWithPath: sshd))
            try? FileManager.default.moveItem(atPath: sshd, toPath: sshd + ".real")
            try? Data("#!/bin/sh\n: >/tmp/harden-reached-sshd\nsleep 5\nexec \"$0.real\" \"$@\"\n".utf8).write(
                to: URL(fileURLWithPath: sshd))
            chmod(sshd, 0o755)
            Threads.detach {
                let deadline = Date().addingTimeInterval(60)
                while !FileManager.default.fileExists(atPath: reached), Date() < deadline { usleep(20_000) }
                dropped.withLock { $0 = nodes.dropConnections(of: "k3s-wk-01") }
            }
        }
        XCTAssertNotNil(original.data, "the fault was armed: \(failed.out)")
        XCTAssertGreaterThan(dropped.withLock { $0 }, 0, "a connection was dropped: \(failed.err)")
        try assertStopped(
            failed, in: "2 harden the OS and install k3s", at: "node harden all", of: "2-k3s.hls",
            verb: "node harden", cause: "k3s-wk-01")
        XCTAssertTrue(failed.err.contains("connection"), "the cause: \(failed.err)")
        XCTAssertFalse(failed.err.contains("k3s-install"), "stopped before k3s: \(failed.err)")

        try FileManager.default.removeItem(atPath: sshd)
        try FileManager.default.moveItem(atPath: sshd + ".real", toPath: sshd)
        let resumed = lab.runScript(bootstrap, options: .resuming)
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.err.contains("↷ phase 1 provision VMs: skipped"), resumed.err)
        XCTAssertTrue(resumed.err.contains("✓ phase 2 harden the OS and install k3s"), resumed.err)

        let log = try String(contentsOfFile: root + "/var/log/hlsh-sim.log", encoding: .utf8)
        let installs = log.split(separator: "\n").filter { $0.hasPrefix("apt-get ") && $0.contains(" install ") }
        XCTAssertEqual(installs.count, 1, "the packages installed once: \(installs)")
        for file in [
            "/etc/ssh/sshd_config.d/00-hlsh.conf", "/etc/sysctl.d/90-hlsh.conf",
            "/etc/apt/apt.conf.d/20auto-upgrades",
        ] {
            let text = try String(contentsOfFile: root + file, encoding: .utf8)
            let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.allSatisfy(\.isWhitespace) }
            XCTAssertFalse(lines.isEmpty, file)
            let repeated = Dictionary(grouping: lines, by: { $0 }).filter { $0.value.count > 1 }.keys
            XCTAssertEqual(Array(repeated), [], "\(file) has no line twice")
        }
        let again = lab.run("node harden all | where status != 'ok' | count")
        XCTAssertEqual(again.out, "0\n", "converged: \(again.err)")
    }

    /// Git, Flux and the Kubernetes API in phase 3. A teammate's push lands on main while
    /// `flux scaffold --push` holds its clone (the lab's GitHub runs a script once it has packed
    /// it: git's `uploadpack.packObjectsHook`), so git rejects the push, which was leased on the
    /// head it cloned — `! [rejected] … (stale info)` — and the run stops naming the step. The
    /// resumed runs meet watches dropped every 300 ms and two 410 Gone while they wait for Flux,
    /// and take them in stride. The first pushes the scaffold, but the flux-system Kustomization
    /// then fails to reconcile (`FluxFaults`): stopped at `flux reconcile`, with Flux's words.
    /// Once that is mended, the second converges: each commit once, the scaffold's on top of the
    /// teammate's, one deploy key.
    func testAPushRejectedThenAFailedReconcileStopPhaseThreeAndResumeThroughDroppedWatchesConverges() throws {
        let flux = FluxFaults()
        let lab = try LabHarness(fluxFaults: flux)
        let bootstrap = try bootstrapThrough(phase: 3, in: lab)
        let kube = try XCTUnwrap(lab.lab.kube)
        let repository = lab.lab.directory + "/git/root/srv/git/example/homelab.git"
        // The git host's /home/git, as its git commands see it.
        let home = lab.lab.directory + "/git/root/home/git"
        try Self.teammate.write(toFile: home + "/move-main.sh", atomically: true, encoding: .utf8)
        try Self.afterFetch.write(toFile: home + "/after-fetch.sh", atomically: true, encoding: .utf8)
        for script in ["move-main.sh", "after-fetch.sh"] { chmod(home + "/" + script, 0o755) }
        // Armed once flux bootstrap has pushed and synced (its table printed), before the scaffold clones.
        let armed = SavedFile()
        let failed = runInProcess(
            try String(contentsOfFile: bootstrap, encoding: .utf8), file: bootstrap, environment: lab.environment
        ) { text in
            guard armed.data == nil, text.contains("Secrets and the sync objects") else { return }
            armed.data = Data()
            try? "[uploadpack]\n\tpackObjectsHook = /home/git/after-fetch.sh\n".write(
                toFile: home + "/.gitconfig", atomically: true, encoding: .utf8)
        }
        XCTAssertNotNil(armed.data, "the fault was armed: \(failed.out)")
        XCTAssertEqual(failed.status, 1, failed.err)
        XCTAssertTrue(failed.err.contains("✗ phase 3 Flux and the GitOps repository failed"), failed.err)
        XCTAssertTrue(
            failed.err.contains("/scripts/phases/3-flux.hls:17:17 (flux scaffold)\n"), "the step: \(failed.err)")
        XCTAssertTrue(failed.err.contains("branch main of example/homelab moved under us"), failed.err)
        XCTAssertTrue(failed.err.contains("! [rejected]        HEAD -> main (stale info)"), failed.err)

        try FileManager.default.removeItem(atPath: home + "/.gitconfig")
        // From here on, watches are dropped every 300 ms and two answer 410 Gone.
        kube.injectFault(.watchExpired(times: 2))
        let done = Atomic<Bool>(false)
        let dropped = Mutex<Int>(0)
        Threads.detach {
            while !done.load(ordering: .acquiring) {
                usleep(300_000)
                let count = kube.dropWatches()
                dropped.withLock { $0 += count }
            }
        }
        // Armed once the scaffold is pushed (its row printed), so the reconcile after it fails.
        let broken = SavedFile()
        let unreconciled = runInProcess(
            try String(contentsOfFile: bootstrap, encoding: .utf8), file: bootstrap, environment: lab.environment,
            options: .resuming
        ) { text in
            guard broken.data == nil, text.contains("added by flux scaffold") else { return }
            broken.data = Data()
            flux.inject(
                .failing(times: 1000, message: "kustomize build failed: accumulating resources: missing.yaml"),
                kind: "Kustomization", namespace: "flux-system", name: "flux-system")
        }
        XCTAssertNotNil(broken.data, "the fault was armed: \(unreconciled.out)")
        try assertStopped(
            unreconciled, in: "3 Flux and the GitOps repository", at: "flux reconcile ks flux-system",
            of: "3-flux.hls", verb: "flux reconcile", cause: "missing.yaml")

        flux.reset()
        let resumed = lab.runScript(bootstrap, options: .resuming)
        done.store(true, ordering: .releasing)
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.err.contains("✓ phase 3 Flux and the GitOps repository"), resumed.err)
        XCTAssertEqual(kube.faults, [], "both 410s were met")
        XCTAssertGreaterThan(dropped.withLock { $0 }, 0, "watches were dropped")

        let log = try runProcess("/usr/bin/git", ["--git-dir", repository, "log", "--format=%s", "main"])
        XCTAssertEqual(
            log.stdout.split(separator: "\n"),
            [
                "Scaffold the GitOps tree with hlsh flux scaffold", "A teammate's commit",
                "Add Flux \(FluxRelease.version) sync manifests",
            ], "one commit each, the scaffold on the teammate's: \(log.stderr)")
        XCTAssertEqual(lab.lab.git?.deployKeys(of: "example/homelab").count, 1)
    }

    /// Kubernetes API: evictions answered 429 (as a PodDisruptionBudget allowing no disruption
    /// answers them) for a while during the rolling-reboot runbook's drains. The drain asks again
    /// every --every (5 s) until they go through, and the runbook finishes: each node drained and
    /// rebooted once, the Deployment's pods evicted and replaced, none twice.
    func testEvictionsAnswered429ForAWhileDelayTheRollingRebootWhichThenFinishes() throws {
        let lab = try LabHarness()
        lab.installCluster()
        let client = try KubeClient(environment: lab.environment)
        try LabHarness.waitRegistered(["k3s-cp-01", "k3s-wk-01"], client: client)
        let manifest = try lab.home.write("web.yaml", TestManifests.webDeployment(image: "traefik/whoami:v1.10"))
        XCTAssertEqual(lab.run("kube apply -f \"\(manifest)\"").status, 0)
        let ready = lab.run("kube wait deployment web -n default --for condition=Available --timeout 60s")
        XCTAssertEqual(ready.status, 0, ready.err)
        let before = try ["k3s-cp-01", "k3s-wk-01"].map {
            try XCTUnwrap(client.getIfPresent(.nodes, $0).map(ClusterNode.init)).bootID
        }
        let kube = try XCTUnwrap(lab.lab.kube)
        let evictionsBefore = kube.requestLog.filter { $0.hasSuffix("/eviction") }.count
        kube.injectFault(.evictionBlocked(times: 2))

        let run = lab.runScript("scripts/runbooks/rolling-reboot.hls")
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertEqual(kube.faults, [], "both 429s were answered")
        let evictions = kube.requestLog.filter { $0.hasSuffix("/eviction") }.dropFirst(evictionsBefore)
        XCTAssertGreaterThanOrEqual(evictions.count, 4, "two refused, then each pod evicted: \(evictions)")
        for name in ["k3s-cp-01", "k3s-wk-01"] {
            XCTAssertEqual(
                run.err.components(separatedBy: "✓ phase reboot \(name) (").count - 1, 1, "\(name) once: \(run.err)")
        }
        let after = try ["k3s-cp-01", "k3s-wk-01"].map {
            try XCTUnwrap(client.getIfPresent(.nodes, $0).map(ClusterNode.init))
        }
        XCTAssertEqual(zip(before, after).filter { $0 != $1.bootID }.count, 2, "each node rebooted")
        XCTAssertEqual(after.filter(\.unschedulable).map(\.name), [], "each node uncordoned")
        let pods = lab.run("kube get pods -n default | where name =~ '^web-' | count")
        XCTAssertEqual(pods.out, "2\n", "the Deployment's two pods, none twice: \(pods.err)")
    }

    /// Makes a teammate's commit (message $1) on top of main of the repository in the current folder.
    static let teammate = """
        #!/bin/sh
        export GIT_AUTHOR_NAME=teammate GIT_AUTHOR_EMAIL=teammate@example.com
        export GIT_COMMITTER_NAME=teammate GIT_COMMITTER_EMAIL=teammate@example.com
        parent=$(git rev-parse -q --verify refs/heads/main)
        blob=$(echo "$1" | git hash-object -w --stdin)
        tree=$(git ls-tree "$parent" | { cat; printf '100644 blob %s\tTEAMMATE.md\n' "$blob"; } | git mktree)
        commit=$(git commit-tree -p "$parent" -m "$1" "$tree")
        git update-ref refs/heads/main "$commit"

        """

    /// git's `uploadpack.packObjectsHook`: packs what a fetch asked for, then (once) a teammate's
    /// push lands on main.
    static let afterFetch = """
        #!/bin/sh
        "$@"
        status=$?
        if [ ! -e /home/git/moved ]; then
            : >/home/git/moved
            cd /srv/git/example/homelab.git && GIT_DIR=. /home/git/move-main.sh "A teammate's commit"
        fi
        exit $status

        """
}
