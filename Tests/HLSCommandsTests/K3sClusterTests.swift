import Foundation
import HLSCore
import Kube
import LabSim
import TestSupport
import XCTest

/// Phase 2 wired to the simulated Kubernetes API: the simulated k3s on each VM registers its
/// node, the server's k3s.yaml is a real kubeconfig, and the kubeconfig `node kubeconfig` merges
/// (`https://192.168.10.21:6443`, as on a real lab) reaches the API through the lab's loopback
/// mapping — checked with the real kubectl and with hlsh's own Kube client.
final class K3sClusterTests: XCTestCase {
    func testPhaseTwoRegistersBothNodesReadyAndARerunChangesNothing() throws {
        let kubectl = try Kubectl.path()
        let lab = try LabHarness()
        lab.installCluster()

        // The server's k3s.yaml is k3s's: loopback server, the cluster CA, an EC client key.
        let nodes = try XCTUnwrap(lab.nodes)
        let k3sYAML = try String(
            contentsOfFile: nodes.root(of: "k3s-cp-01") + "/etc/rancher/k3s/k3s.yaml", encoding: .utf8)
        XCTAssertTrue(k3sYAML.contains("server: https://127.0.0.1:6443"), k3sYAML)
        let keyData = try XCTUnwrap(
            k3sYAML.split(separator: "\n").first { $0.contains("client-key-data:") }?.split(separator: " ").last)
        let key = String(decoding: try XCTUnwrap(Data(base64Encoded: String(keyData))), as: UTF8.self)
        XCTAssertTrue(key.hasPrefix("-----BEGIN EC PRIVATE KEY-----"), key)

        // kubectl through the loopback mapping: the merged kubeconfig, its server sent to the
        // lab's port, the certificate still checked against 192.168.10.21.
        let connectTo = try XCTUnwrap(lab.environment["HLSH_SIM_KUBE_CONNECT_TO"])
        XCTAssertTrue(connectTo.hasPrefix("192.168.10.21:6443:127.0.0.1:"), connectTo)
        let loopback = "https://127.0.0.1:" + String(try XCTUnwrap(connectTo.split(separator: ":").last))
        let config = try String(contentsOfFile: lab.lab.userKubeconfigPath, encoding: .utf8)
        XCTAssertTrue(config.contains("server: https://192.168.10.21:6443"), config)
        let copy = try lab.home.write(
            "kubectl.yaml",
            config.replacingOccurrences(
                of: "server: https://192.168.10.21:6443",
                with: "server: \(loopback)\n    tls-server-name: 192.168.10.21"))
        func kubectlNodes() throws -> [[String: Any]] {
            let run = try runProcess(
                kubectl,
                ["--kubeconfig", copy, "--cache-dir", lab.home.file("kube-cache"), "get", "nodes", "-o", "json"],
                environment: ["HOME": lab.home.path, "PATH": "/usr/bin:/bin"])
            XCTAssertEqual(run.status, 0, run.stderr)
            let list = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
            return list?["items"] as? [[String: Any]] ?? []
        }
        // A kubelet registers shortly after its unit starts, as on a real node.
        var items: [[String: Any]] = []
        let deadline = Date().addingTimeInterval(10)
        repeat {
            items = try kubectlNodes()
            if items.count == 2 { break }
            usleep(100_000)
        } while Date() < deadline
        var seen: [String: (ready: String?, roles: [String], ip: String?, version: String?, rv: String?)] = [:]
        for item in items {
            let metadata = item["metadata"] as? [String: Any] ?? [:]
            let labels = metadata["labels"] as? [String: String] ?? [:]
            let status = item["status"] as? [String: Any] ?? [:]
            let conditions = status["conditions"] as? [[String: Any]] ?? []
            let addresses = status["addresses"] as? [[String: Any]] ?? []
            let info = status["nodeInfo"] as? [String: Any] ?? [:]
            seen[metadata["name"] as? String ?? "?"] = (
                conditions.first { $0["type"] as? String == "Ready" }?["status"] as? String,
                labels.keys.filter { $0.hasPrefix("node-role.kubernetes.io/") }.sorted(),
                addresses.first { $0["type"] as? String == "InternalIP" }?["address"] as? String,
                info["kubeletVersion"] as? String, metadata["resourceVersion"] as? String
            )
        }
        XCTAssertEqual(seen.keys.sorted(), ["k3s-cp-01", "k3s-wk-01"])
        XCTAssertEqual(seen["k3s-cp-01"]?.ready, "True")
        XCTAssertEqual(
            seen["k3s-cp-01"]?.roles, ["node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"])
        XCTAssertEqual(seen["k3s-cp-01"]?.ip, "192.168.10.21")
        XCTAssertEqual(seen["k3s-cp-01"]?.version, "v1.33.4+k3s1")
        XCTAssertEqual(seen["k3s-wk-01"]?.ready, "True")
        XCTAssertEqual(seen["k3s-wk-01"]?.roles, [])
        XCTAssertEqual(seen["k3s-wk-01"]?.ip, "192.168.10.22")

        // hlsh's own client reads the merged kubeconfig unchanged and applies the mapping.
        let client = try KubeClient(environment: lab.environment)
        XCTAssertEqual(client.endpoint.server, "https://192.168.10.21:6443")
        let listed = try client.list(.nodes)
        let names = listed.items.compactMap { item -> String? in
            guard case .string(let name)? = item["metadata"]?["name"] else { return nil }
            return name
        }
        XCTAssertEqual(names.sorted(), ["k3s-cp-01", "k3s-wk-01"])

        // A second run restarts nothing, so no Node changes.
        let rerun = lab.run("node k3s all")
        XCTAssertTrue(rerun.err.contains("node k3s: no change"), rerun.err)
        XCTAssertTrue(lab.run("node kubeconfig").err.contains("no change"))
        usleep(500_000)
        let after = try kubectlNodes()
        for item in after {
            let metadata = item["metadata"] as? [String: Any] ?? [:]
            let name = metadata["name"] as? String ?? "?"
            XCTAssertEqual(metadata["resourceVersion"] as? String, seen[name]?.rv, "\(name) changed on the rerun")
        }
    }
}
