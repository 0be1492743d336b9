import Foundation
import TestSupport
import XCTest

/// Under `--sim`, `node kubeconfig` writes the rehearsal's kubeconfig in the simulated lab's
/// directory (`KUBECONFIG` of the lab's environment), never the user's `~/.kube/config`; `kube`
/// verbs of the same run read it and reach the lab's API through the loopback mapping.
final class SimKubeconfigIsolationTests: XCTestCase {
    static var repository: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    func testNodeKubeconfigUnderSimLeavesTheUsersKubeconfigAlone() throws {
        let home = try TemporaryDirectory("hlsh-home")
        try FileManager.default.createDirectory(atPath: home.file(".ssh"), withIntermediateDirectories: true)
        let keygen = try runProcess(
            "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", home.file(".ssh/id_ed25519")])
        XCTAssertEqual(keygen.status, 0, keygen.stderr)
        let code = """
            lab use "scripts/homelab.yaml" | get name
            vm apply --all | count
            node wait all --for ssh --timeout 2m --accept-new | count
            node k3s all | count
            node kubeconfig | to json --compact
            node wait all --for ready --timeout 2m | count
            kube get nodes | get name | to json --compact
            """
        let result = try BuiltBinary.run(
            ["--sim", "-c", code],
            environment: SimServe.testTimings.merging(["HOME": home.path, "XDG_STATE_HOME": home.file("state")]) { $1 },
            currentDirectory: Self.repository)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: home.file(".kube/config")),
            "--sim wrote the user's ~/.kube/config")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let row = try XCTUnwrap(lines.first { $0.contains(#""file":"#) }, result.stdout)
        XCTAssertTrue(row.contains("/hlsh-sim-"), "the rehearsal's kubeconfig lives in the lab's directory: \(row)")
        XCTAssertTrue(row.contains(#""server":"https://192.168.10.21:6443""#), row)
        // The same run's kube verbs read that file and reach the lab's API.
        XCTAssertTrue(result.stdout.contains(#""k3s-cp-01""#), result.stdout)
    }
}
