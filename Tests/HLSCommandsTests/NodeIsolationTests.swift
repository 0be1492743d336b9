import Foundation
import HLSCore
import LabSim
import TestSupport
import XCTest

/// A simulated VM is a machine of its own: whatever runs on it sees the VM's tree as `/` (an
/// Ubuntu 24.04 cloud image) and can reach none of the host's files.
final class NodeIsolationTests: XCTestCase {
    /// A lab whose two VMs are up and trusted.
    private func bootedLab() throws -> LabHarness {
        let lab = try LabHarness()
        XCTAssertEqual(lab.run("vm apply --all").status, 0)
        let wait = lab.run("node wait all --for ssh --accept-new --timeout 60s --every 200ms")
        XCTAssertEqual(wait.status, 0, wait.err)
        return lab
    }

    func testACommandOnEveryNodeWritesInThatNodesTreeAndNotOnTheHost() throws {
        let escape = "/hlsh-escape"
        let fm = FileManager.default
        try XCTSkipIf(fm.fileExists(atPath: escape), "\(escape) exists on this host already: cannot tell who wrote it")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: escape) }
        let lab = try bootedLab()

        let run = lab.run("node run all \"touch \(escape)\"")
        XCTAssertEqual(run.status, 0, run.err)
        let nodes = try XCTUnwrap(lab.nodes)
        for name in ["k3s-cp-01", "k3s-wk-01"] {
            XCTAssertTrue(fm.fileExists(atPath: nodes.root(of: name) + escape), "\(name) wrote its own \(escape)")
        }
        XCTAssertFalse(fm.fileExists(atPath: escape), "the host's / is out of the nodes' reach")
    }

    func testANodeSeesUbuntusOSReleaseItsOwnTmpAndNoRootPrefix() throws {
        let lab = try bootedLab()
        let mark = "hlsh-own-tmp-\(UUID().uuidString)"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: "/tmp/" + mark) }

        let run = lab.run(
            #"node run k3s-cp-01 '. /etc/os-release; echo "$PRETTY_NAME|$(hostname)|${HLSH_ROOT-unset}"; touch /tmp/\#(mark)' | get stdout | first"#
        )
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertEqual(run.out.trimmingCharacters(in: .whitespacesAndNewlines), "Ubuntu 24.04.1 LTS|k3s-cp-01|unset")
        let nodes = try XCTUnwrap(lab.nodes)
        XCTAssertTrue(FileManager.default.fileExists(atPath: nodes.root(of: "k3s-cp-01") + "/tmp/" + mark))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/" + mark), "the node's /tmp is its own")
    }
}
