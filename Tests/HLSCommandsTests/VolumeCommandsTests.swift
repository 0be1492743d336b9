import Foundation
import HLSCommands
import HLSCore
import HLSLanguage
import Kube
import TestSupport
import XCTest

@testable import LabSim

/// `volume list`, `show` and `wait` against the simulated Longhorn: provisioning, replica
/// placement on a two-node lab (Longhorn's default of 3 stays degraded, and the client says so),
/// attach and detach with the pods, a node without Longhorn's prerequisites, PDBs on the
/// instance managers, and an injected degraded volume.
final class VolumeCommandsTests: XCTestCase {
    static let warning =
        "2 schedulable nodes for 3 replicas: the volume stays degraded; set persistence.defaultClassReplicaCount "
        + "and defaultSettings.defaultReplicaCount to 2"

    func testTwoNodesWithLonghornsDefaultOfThreeStayDegradedAndTheClientWarns() throws {
        let lab = try LonghornLab()
        try lab.install()
        try lab.claim("data")
        try lab.runPod("web", claim: "data", on: "k3s-wk-01")
        XCTAssertTrue(lab.eventually { lab.field("robustness") == "degraded" }, lab.dump)

        let list = lab.kube.run("volume list -n apps")
        XCTAssertEqual(list.status, 0, list.err)
        let volume = try XCTUnwrap(lab.field("volume"))
        XCTAssertTrue(volume.hasPrefix("pvc-"), volume)
        XCTAssertEqual(
            list.out.replacingOccurrences(of: volume, with: "pvc-00000000-0000-0000-0000-000000000000"),
            """
            namespace  pvc   volume                                    state     robustness   size  actual_size  replicas  nodes
            apps       data  pvc-00000000-0000-0000-0000-000000000000  attached  degraded    2 GiB       32 MiB         3  k3s-cp-01,k3s-wk-01

            """)
        XCTAssertEqual(
            list.err,
            """
            warning: StorageClass longhorn (numberOfReplicas): \(Self.warning)
            warning: setting default-replica-count: \(Self.warning)
            warning: volume \(volume) (apps/data): \(Self.warning)

            """)

        let json = try lab.volumes()
        XCTAssertEqual(
            json.first.map { Set($0.keys) },
            ["namespace", "pvc", "volume", "state", "robustness", "size", "actual_size", "replicas", "nodes"])
        XCTAssertEqual(json.first?["size"] as? Int, 2 << 30)

        let show = lab.kube.run(
            "volume show data -n apps | get conditions.0 | to json --compact")
        XCTAssertEqual(
            show.out,
            #"{"type":"Scheduled","status":"False","reason":"ReplicaSchedulingFailure","message":"precheck new replica failed"}"#
                + "\n", show.err)
        let workloads = lab.kube.run("volume show \(volume) | get workloads | get pod | to json --compact")
        XCTAssertEqual(workloads.out, #"["web"]"# + "\n", workloads.err)

        // The driver deployer deployed the CSI sidecars; the manager made the Settings from the chart's values.
        let deployments = { lab.kube.run("kube get deploy -n longhorn-system | get name | to json --compact").out }
        XCTAssertTrue(lab.eventually { deployments().contains("csi-snapshotter") }, deployments())
        XCTAssertEqual(
            deployments(),
            #"["csi-attacher","csi-provisioner","csi-resizer","csi-snapshotter","longhorn-driver-deployer","longhorn-ui"]"#
                + "\n")
        let replicaCount = lab.kube.run(
            "kube get settings.longhorn.io default-replica-count -n longhorn-system -o json | from json | get value")
        XCTAssertEqual(replicaCount.out, "3\n", replicaCount.err)

        // kubectl's table of the volumes (the CRD's printer columns) agrees with volume list.
        let kubectl = try runProcess(
            try Kubectl.path(),
            [
                "--kubeconfig", lab.kube.environment["KUBECONFIG"]!, "--cache-dir", lab.kube.dir.file("kube-cache"),
                "get", "volumes.longhorn.io", "-A",
            ], environment: ["HOME": lab.kube.dir.path, "PATH": "/usr/bin:/bin"])
        XCTAssertEqual(kubectl.status, 0, kubectl.stderr)
        let rows = kubectl.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(
            rows.first,
            ["NAMESPACE", "NAME", "DATA", "ENGINE", "STATE", "ROBUSTNESS", "SCHEDULED", "SIZE", "NODE", "AGE"])
        XCTAssertEqual(
            rows.dropFirst().first?.prefix(6),
            ["longhorn-system", volume, "v1", "attached", "degraded", String(2 << 30)])
        // SCHEDULED is empty on a real cluster too: the column asks for a Schedulable condition, volumes have Scheduled.
        XCTAssertEqual(rows.dropFirst().first?.dropFirst(6).first, "k3s-wk-01", kubectl.stdout)
    }

    func testTwoReplicasTurnHealthyWhenAttachedAndTheWaitSeesItThroughTheWatch() throws {
        let lab = try LonghornLab()
        try lab.install(
            values: "persistence:\n  defaultClassReplicaCount: 2\ndefaultSettings:\n  defaultReplicaCount: 2\n")
        // Waited for before the claim exists: it waits for the claim's volume to appear, then to turn healthy.
        let wait = BackgroundRun("volume wait data -n apps --for healthy --timeout 20s | get for", on: lab.kube)
        usleep(300_000)
        try lab.claim("data")
        XCTAssertTrue(lab.eventually { lab.field("state") == "detached" }, lab.dump)
        XCTAssertEqual(lab.field("robustness"), "unknown")
        XCTAssertEqual(lab.field("nodes"), "k3s-cp-01,k3s-wk-01")
        XCTAssertNil(wait.result(timeout: 0.5), "a detached volume is not healthy")
        try lab.runPod("web", claim: "data", on: "k3s-wk-01")
        let waited = try XCTUnwrap(wait.result(timeout: 20), "volume wait never returned")
        XCTAssertEqual(waited.status, 0, waited.err)
        XCTAssertEqual(waited.out, "healthy\n")
        XCTAssertEqual(waited.err, "", "no warning with 2 replicas on 2 nodes")
        XCTAssertEqual(lab.field("state"), "attached")

        // While attached, the worker's instance manager has a PDB (a drain gets 429s); gone once detached.
        let budgets = { () throws -> [String] in
            try lab.kube.client.list(
                KubeResource(
                    group: "policy", version: "v1", name: "poddisruptionbudgets", kind: "PodDisruptionBudget",
                    namespaced: true), namespace: "longhorn-system"
            ).items.compactMap { $0["metadata"]?["name"].flatMap { if case .string(let s) = $0 { s } else { nil } } }
        }
        XCTAssertEqual(try budgets(), [LonghornNodeController.instanceManager("k3s-wk-01")])

        try lab.deletePod("web")
        let detached = lab.kube.run("volume wait all --for detached --timeout 10s | get for")
        XCTAssertEqual(detached.status, 0, detached.err)
        XCTAssertTrue(lab.eventually { lab.field("robustness") == "unknown" })
        XCTAssertTrue(lab.eventually { try budgets().isEmpty })
        // Detached, nothing holds the worker: a drain evicts its instance manager without --force,
        // since longhorn-manager makes the InstanceManager the pod's controller.
        let drained = lab.kube.run("node drain k3s-wk-01 --timeout 20s --every 1s | get action | to json --compact")
        XCTAssertEqual(drained.status, 0, drained.err)
        XCTAssertTrue(drained.out.contains("evict"), drained.out)
        XCTAssertEqual(lab.kube.run("node uncordon k3s-wk-01").status, 0)

        // The claim deleted (reclaim policy Delete): the volume, its replicas and the PV go.
        try lab.client.delete("/api/v1/namespaces/apps/persistentvolumeclaims/data")
        XCTAssertTrue(lab.eventually { try lab.volumes().isEmpty }, lab.dump)
        XCTAssertTrue(
            lab.eventually {
                lab.kube.sim.object(path: "/apis/longhorn.io/v1beta2/namespaces/longhorn-system/replicas")?
                    .contains("\"items\":[]") ?? false
            })
        XCTAssertTrue(
            lab.eventually { lab.kube.sim.object(path: "/api/v1/persistentvolumes")?.contains("\"items\":[]") ?? false }
        )
    }

    func testSoftAntiAffinityPutsTheThirdReplicaOnANodeThatHasOne() throws {
        let lab = try LonghornLab()
        try lab.install(values: "defaultSettings:\n  replicaSoftAntiAffinity: true\n")
        try lab.claim("data")
        try lab.runPod("web", claim: "data", on: "k3s-cp-01")
        XCTAssertTrue(lab.eventually { lab.field("robustness") == "healthy" }, lab.dump)
        let replicas = lab.kube.run("volume show data -n apps | get replica_list | get node | to json --compact")
        XCTAssertEqual(replicas.out.filter { $0 == "," }.count, 2, replicas.out)
        XCTAssertEqual(lab.kube.run("volume list -n apps").err, "")
    }

    func testAVolumeDoesNotAttachOnANodeWithoutLonghornsPrerequisites() throws {
        let lab = try LonghornLab()
        try lab.prepare("k3s-wk-01", iscsid: false, packages: false, modules: false)
        try lab.install(values: "persistence:\n  defaultClassReplicaCount: 2\n")
        try lab.claim("data")
        let failing = { try lab.nodeConditions("k3s-wk-01").filter { $0.contains("=False") } }
        XCTAssertTrue(lab.eventually { try !failing().isEmpty })
        XCTAssertEqual(
            try failing(),
            [
                "RequiredPackages=False (PackagesNotInstalled): Missing packages: [nfs-common open-iscsi cryptsetup]",
                "KernelModulesLoaded=False (KernelModulesNotLoaded): Kernel modules [iscsi_tcp dm_crypt] are not loaded",
            ])
        XCTAssertEqual(
            try lab.nodeConditions("k3s-cp-01").filter { $0.contains("=False") }, [], "the hardened node passes")

        try lab.runPod("web", claim: "data", on: "k3s-wk-01")
        XCTAssertTrue(lab.eventually { lab.field("state") == "attaching" }, lab.dump)
        let events = {
            try lab.kube.client.list(.events, namespace: "apps").items.filter {
                $0["reason"] == .string("FailedAttachVolume")
            }
        }
        XCTAssertTrue(lab.eventually { try !events().isEmpty })
        let volume = try XCTUnwrap(lab.field("volume"))
        XCTAssertEqual(
            try events().first?["message"],
            .string(
                "AttachVolume.Attach failed for volume \"\(volume)\" : rpc error: code = Internal desc = "
                    + "failed to start engine: exec: \"iscsiadm\": executable file not found in $PATH"))

        // Hardened (open-iscsi, iscsid, modules): it attaches there.
        try lab.prepare("k3s-wk-01")
        XCTAssertTrue(lab.eventually { lab.field("robustness") == "healthy" }, lab.dump)
    }

    func testMultipathdClaimingTheDevicesFailsTheMountButNotTheAttach() throws {
        let lab = try LonghornLab()
        try lab.prepare("k3s-wk-01", multipathd: true, blacklist: false)
        try lab.install(values: "persistence:\n  defaultClassReplicaCount: 2\n")
        try lab.claim("data")
        try lab.runPod("web", claim: "data", on: "k3s-wk-01")
        XCTAssertTrue(
            lab.eventually {
                try lab.kube.client.list(.events, namespace: "apps").items.contains {
                    $0["reason"] == .string("FailedMount")
                }
            })
        XCTAssertEqual(lab.field("state"), "attached")
        XCTAssertEqual(
            try lab.nodeConditions("k3s-wk-01").filter { $0.hasPrefix("Multipathd=") },
            [
                "Multipathd=False (MultipathdIsRunning): multipathd is running with a known issue that affects "
                    + "Longhorn. See description and solution at https://longhorn.io/kb/troubleshooting-volume-with-multipath"
            ])
    }

    func testAnInjectedDegradedVolumeAndACordonedNode() throws {
        let lab = try LonghornLab()
        let volume = try lab.healthyVolume()
        lab.kube.sim.injectFault(.volumeDegraded(volume: volume))
        XCTAssertTrue(lab.eventually { lab.field("robustness") == "degraded" })
        let timedOut = lab.kube.run("volume wait data -n apps --timeout 1s")
        XCTAssertEqual(timedOut.status, 1)
        XCTAssertTrue(timedOut.err.contains("is not healthy after 1s"), timedOut.err)
        lab.kube.sim.resetFaults()
        XCTAssertTrue(lab.eventually { lab.field("robustness") == "healthy" })

        // Cordoned, the worker is no longer schedulable for Longhorn: the client warns.
        XCTAssertEqual(lab.kube.run(#"kube get nodes"#).status, 0)
        try lab.client.mergePatch(
            "/api/v1/nodes/k3s-wk-01", .object([("spec", .object([("unschedulable", .bool(true))]))]))
        XCTAssertTrue(
            lab.eventually {
                try lab.nodeConditions("k3s-wk-01").contains(
                    "Schedulable=False (KubernetesNodeCordoned): Node k3s-wk-01 is cordoned")
            }, "\((try? lab.nodeConditions("k3s-wk-01")) ?? [])")
        // Two nodes for the volume's two replicas is right: the advice is to bring the worker back,
        // once, not to lower its count; the setting's 3 is more than the lab has nodes at all.
        let warned = lab.kube.run("volume list -n apps")
        XCTAssertEqual(
            warned.err,
            "warning: k3s-wk-01 is not schedulable for Longhorn (not Ready, cordoned, scheduling disabled or no disk ready): "
                + "1 schedulable node for 2 replicas, so volumes stay degraded until it is back\n"
                + "warning: setting default-replica-count: 2 Longhorn nodes for 3 replicas: the volume stays degraded; "
                + "set persistence.defaultClassReplicaCount and defaultSettings.defaultReplicaCount to 2\n")
    }

    /// The runbook's phase 6 under `--dry-run` on a lab with a volume degraded (a node down): after
    /// a planned change the wait says what it would wait for and the run goes on to exit 3; before
    /// any, it is a real wait (ADR 0043).
    func testADryRunDoesNotWaitForAnUnhealthyVolumeOnceAChangeIsPlanned() throws {
        let lab = try LonghornLab()
        let volume = try lab.healthyVolume()
        lab.kube.sim.injectFault(.volumeDegraded(volume: volume))
        XCTAssertTrue(lab.eventually { lab.field("robustness") == "degraded" })
        let manifest = lab.kube.dir.file("namespace.yaml")
        try "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: planned\n".write(
            toFile: manifest, atomically: true, encoding: .utf8)
        var plan = RunOptions()
        plan.dryRun = true
        plan.detailedExitCode = true
        let clock = ContinuousClock()
        let start = clock.now
        let planned = lab.kube.run(
            "kube apply -f \(manifest)\nvolume wait all --for healthy --timeout 10m\necho phase 6 planned",
            options: plan)
        XCTAssertEqual(planned.status, 3, planned.err)
        XCTAssertLessThan(clock.now - start, .seconds(30), "the dry run waited")
        XCTAssertTrue(planned.out.hasSuffix("phase 6 planned\n"), planned.out)
        XCTAssertTrue(
            planned.err.contains(
                "note: volume wait not run in a dry run: it would wait for every attached volume (healthy) after the change planned earlier; now: \(volume) attached, degraded"
            ), planned.err)
        // Nothing planned before it: the dry run's wait is real, and this one times out.
        let waited = lab.kube.run("volume wait all --for healthy --timeout 1s", options: plan)
        XCTAssertEqual(waited.status, 1, waited.err)
        XCTAssertTrue(waited.err.contains("not every attached volume is healthy after 1s"), waited.err)
    }

    /// `volume show <TAB>`: the claims of the namespace typed (or the context's) that have a
    /// Longhorn volume, and the volumes' own names; `volume wait` also offers `all`.
    func testVolumeNamesCompleteFromTheLiveCluster() throws {
        let lab = try LonghornLab()
        try lab.install()
        try lab.claim("data")
        XCTAssertTrue(lab.eventually { lab.field("pvc") == "data" }, lab.dump)
        let volume = try XCTUnwrap(lab.field("volume"))
        let provider = try XCTUnwrap(Commands.registry().providers["longhorn-volume"])
        let context = ExecutionContext(environment: lab.kube.environment, out: { _ in }, err: { _ in })
        defer { context.closeServices() }
        let names = { (command: String, words: [String]) throws -> [String] in
            try provider.fetch(NameQuery(command: command, context: context, words: words)).map(\.name).sorted()
        }
        XCTAssertEqual(try names("volume show", ["-n", "apps"]), ["data", volume])
        XCTAssertEqual(try names("volume show", []), [volume], "no claim of the context's namespace default")
        XCTAssertEqual(try names("volume wait", ["--namespace", "apps"]), ["all", "data", volume])
    }

    func testWithoutLonghornTheVerbsSaySo() throws {
        let kube = try KubeHarness()
        let list = kube.run("volume list")
        XCTAssertEqual(list.status, 1)
        XCTAssertTrue(list.err.contains("Longhorn is not installed"), list.err)
    }
}
