import LabSim
import Remote
import XCTest

/// `facts.sh` on a simulated node: every documented key, in order, read-only.
final class FactsScriptTests: XCTestCase {
    func testFactsOfAFreshNode() throws {
        let node = try SimulatedNode()
        let before = try node.snapshot()
        let run = try node.run(.facts())
        XCTAssertRun(run.status == 0 && run.report.otherOutput.isEmpty && run.report.controls.isEmpty, run, "facts")
        let report = run.report
        XCTAssertEqual(
            report.facts.map(\.key),
            [
                "os", "os.id", "os.version", "kernel", "arch", "hostname", "cpu.count", "cpu.model", "memory", "swap",
                "swap.active", "uptime", "disk", "disk", "address", "k3s.version", "k3s.service",
            ])
        XCTAssertEqual(report.fact("os"), "Ubuntu 24.04.1 LTS")
        XCTAssertEqual(report.fact("os.version"), "24.04")
        XCTAssertEqual(report.fact("kernel"), "6.8.0-52-generic")
        XCTAssertEqual(report.fact("hostname"), "k3s-cp-01")
        XCTAssertEqual(report.fact("cpu.count"), "4")
        XCTAssertEqual(report.fact("memory"), String(8 << 30))
        XCTAssertEqual(report.fact("swap.active"), "1")
        XCTAssertEqual(report.fact("uptime"), "4242")
        XCTAssertEqual(report.facts("disk"), ["sda \(50 << 30)", "sdb \(100 << 30)"])
        XCTAssertEqual(report.facts("address"), ["eth0 192.168.10.21/24"])
        XCTAssertEqual(report.fact("k3s.version"), "none")
        XCTAssertEqual(report.fact("k3s.service"), "none")
        XCTAssertSameTree(try node.snapshot(), before, "the run changed the tree")
        XCTAssertEqual(SimulatedNode.mutating(node.commands()), [])
    }
}
