import Foundation
import HLSCore
import Kube
import TestSupport
import XCTest

@testable import LabSim

/// Longhorn in the whole simulated lab: its environment check reads the simulated nodes' root
/// trees, so nodes that `node harden` prepared pass it, and a node whose iscsid was stopped
/// afterwards does not attach a volume, with the message iscsiadm gives.
final class LonghornLabNodesTests: XCTestCase {
    func testHardenedNodesPassLonghornsCheckAndAStoppedIscsidKeepsAVolumeFromAttaching() throws {
        let longhorn = try LonghornOnLab()
        let (lab, kube) = (longhorn.lab, longhorn.kube)
        let conditions = { (node: String) -> [String] in
            let text = kube.object(path: "/apis/longhorn.io/v1beta2/namespaces/longhorn-system/nodes/\(node)") ?? ""
            return ["Ready", "Schedulable", "RequiredPackages", "KernelModulesLoaded", "Multipathd"].filter {
                text.contains(#""status":"True","type":"\#($0)""#)
            }
        }
        let all = ["Ready", "Schedulable", "RequiredPackages", "KernelModulesLoaded", "Multipathd"]
        XCTAssertTrue(
            LonghornLab.eventually(20) { conditions("k3s-cp-01") == all && conditions("k3s-wk-01") == all },
            "\(conditions("k3s-cp-01")) \(conditions("k3s-wk-01"))")

        let stop = lab.run(#"node run k3s-wk-01 "sudo systemctl stop iscsid" | get exit | to json --compact"#)
        XCTAssertEqual(stop.out, "[0]\n", stop.err)
        try longhorn.claimWithPod("data", on: "k3s-wk-01")
        let state = { lab.run("volume list -n apps | get state | to json --compact").out }
        XCTAssertTrue(LonghornLab.eventually(10) { state() == #"["attaching"]"# + "\n" }, state())
        let events = { lab.run(#"kube events -n apps | where reason == "FailedAttachVolume" | get message"#).out }
        XCTAssertTrue(
            LonghornLab.eventually(10) { events().contains("iscsiadm: can not connect to iSCSI daemon (111)!") },
            events())

        let start = lab.run(#"node run k3s-wk-01 "sudo systemctl start iscsid" | get exit | to json --compact"#)
        XCTAssertEqual(start.out, "[0]\n", start.err)
        let wait = lab.run("volume wait data -n apps --for healthy --timeout 15s | get for")
        XCTAssertEqual(wait.out, "healthy\n", wait.err)
    }

    /// `node disks` (in `installCluster`, as in phase 2) put each node's 100 GiB data disk at
    /// /var/lib/longhorn: Longhorn's default disk reports the data disk's size, not the 50 GiB OS disk's.
    func testTheDefaultDiskReportsTheMountedDataDisk() throws {
        let longhorn = try LonghornOnLab()
        let (lab, kube) = (longhorn.lab, longhorn.kube)
        // statfs of a fresh 100 GiB ext4: f_blocks without the inode tables (1/64), 4 KiB blocks.
        let bytes: Int64 = 100 << 30
        let maximum = (bytes - bytes / 64) / 4096 * 4096
        let node = { kube.object(path: "/apis/longhorn.io/v1beta2/namespaces/longhorn-system/nodes/k3s-wk-01") ?? "" }
        XCTAssertTrue(LonghornLab.eventually(20) { node().contains(#""storageMaximum":\#(maximum)"#) }, node())
        XCTAssertTrue(node().contains(#""filesystemType":"ext2/ext3""#), node())
        let df = lab.run(#"node run k3s-wk-01 "findmnt -n -o SOURCE --mountpoint /var/lib/longhorn" | get stdout"#)
        XCTAssertEqual(df.out, "/dev/sdb\n", df.err)
        // A rerun of the phase's step finds every control as it left it.
        let rerun = lab.run("node disks all | get status | to json --compact")
        XCTAssertEqual(rerun.out, #"["ok","ok","ok","ok","ok","ok"]"# + "\n", rerun.err)
    }
}
