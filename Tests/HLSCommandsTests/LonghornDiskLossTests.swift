import Foundation
import HLSCore
import Kube
import TestSupport
import XCTest

@testable import LabSim

/// The worker's data disk destroyed under a running lab (issue 17's trial): Proxmox unplugs it
/// from the running VM, Longhorn's disk monitor finds /var/lib/longhorn unreadable, its disk goes
/// not Ready with Longhorn's reason, the replica there fails, and the volume is degraded — which
/// `volume list`, `volume wait` and `lab status` say, naming the disk.
final class LonghornDiskLossTests: XCTestCase {
    func testDestroyingTheWorkersDataDiskDegradesTheVolumesWithAReplicaThere() throws {
        let longhorn = try LonghornOnLab()
        let (lab, kube, client) = (longhorn.lab, longhorn.kube, longhorn.client)
        try longhorn.claimWithPod("data", on: "k3s-wk-01")
        let healthy = lab.run("volume wait data -n apps --for healthy --timeout 30s | get for")
        XCTAssertEqual(healthy.out, "healthy\n", healthy.err)

        // Destroy scsi1 through the PVE API, as `qm set VMID --delete scsi1` then the unused disk.
        let guest = try XCTUnwrap(lab.simulator.guests.first { $0.name == "k3s-wk-01" })
        let env = lab.simulator.clientEnvironment
        let header = try lab.home.write(
            "pve-auth", "Authorization: PVEAPIToken=\(env["PROXMOX_VE_API_TOKEN"] ?? "")\n")
        var base = env["PROXMOX_VE_ENDPOINT"] ?? ""
        if base.hasSuffix("/") { base.removeLast() }
        let config = "\(base)/api2/json/nodes/\(guest.node)/qemu/\(guest.vmid)/config"
        for delete in ["scsi1", "unused0"] {
            let put = try runProcess(
                "/usr/bin/curl", ["-sS", "-k", "-X", "PUT", "-H", "@" + header, "--data", "delete=\(delete)", config])
            XCTAssertEqual(put.status, 0, put.stderr)
            XCTAssertTrue(put.stdout.contains(#""data""#), put.stdout)
        }

        let robustness = { lab.run("volume list -n apps | get robustness | to json --compact").out }
        XCTAssertTrue(LonghornLab.eventually(20) { robustness() == #"["degraded"]"# + "\n" }, robustness())

        let node = kube.object(path: "/apis/longhorn.io/v1beta2/namespaces/longhorn-system/nodes/k3s-wk-01") ?? ""
        XCTAssertTrue(node.contains(#""reason":"NoDiskInfo""#), node)
        XCTAssertTrue(
            node.contains(
                "failed to read file content of /var/lib/longhorn/longhorn-disk.cfg: cannot find file "
                    + "/var/lib/longhorn/longhorn-disk.cfg: stat /var/lib/longhorn/longhorn-disk.cfg: input/output error"
            ),
            node)
        XCTAssertTrue(node.contains(#""reason":"DiskNotReady""#), node)
        let replicas = try client.list(
            Longhorn.replicas.path(namespace: Longhorn.namespace), labelSelector: "longhornnode=k3s-wk-01")
        let replica = try XCTUnwrap(replicas.first)
        XCTAssertNotEqual(replica.text("spec", "failedAt") ?? "", "", "\(replica)")
        XCTAssertEqual(replica.text("status", "currentState"), "stopped")

        let show = lab.run(
            #"volume show data -n apps | get replica_list | where node == "k3s-wk-01" | to json --compact"#)
        XCTAssertTrue(show.out.contains(#""state":"stopped","failed_at":"20"#), show.out + show.err)

        let list = lab.run("volume list -n apps | get state | to json --compact")
        XCTAssertEqual(list.out, #"["attached"]"# + "\n", list.err)
        XCTAssertTrue(
            list.err.contains("on node k3s-wk-01 is not ready (NoDiskInfo): errors: failed to get disk config"),
            list.err)
        let wait = lab.run("volume wait data -n apps --for healthy --timeout 2s")
        XCTAssertNotEqual(wait.status, 0, wait.out)
        XCTAssertTrue(wait.err.contains("attached, degraded"), wait.err)
        let status = lab.run(#"lab status --timeout 5s | where layer == "volumes" | get detail | to json --compact"#)
        XCTAssertTrue(status.out.contains("is attached, degraded"), status.out + status.err)
        XCTAssertTrue(status.out.contains("on node k3s-wk-01 is not ready (NoDiskInfo)"), status.out + status.err)
    }
}
