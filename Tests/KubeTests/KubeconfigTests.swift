import Foundation
import HLSCore
import Kube
import TestSupport
import XCTest

/// The k3s admin kubeconfig is made the lab's by editing its YAML, and merged into the user's
/// kubeconfig without touching anything else there.
final class KubeconfigTests: XCTestCase {
    /// `/etc/rancher/k3s/k3s.yaml` as k3s writes it (keys shortened).
    static let k3sYAML = """
        apiVersion: v1
        clusters:
        - cluster:
            certificate-authority-data: Q0EK
            server: https://127.0.0.1:6443
          name: default
        contexts:
        - context:
            cluster: default
            user: default
          name: default
        current-context: default
        kind: Config
        preferences: {}
        users:
        - name: default
          user:
            client-certificate-data: Q0VSVAo=
            client-key-data: S0VZCg==

        """

    func testTheK3sConfigIsRenamedAndPointedAtTheNode() throws {
        let config = try Kubeconfig(yaml: Self.k3sYAML, source: "k3s-cp-01:/etc/rancher/k3s/k3s.yaml")
            .forLab(named: "homelab", server: "https://192.168.10.21:6443", source: "k3s")
        XCTAssertEqual(config.names("clusters"), ["homelab"])
        XCTAssertEqual(config.names("users"), ["homelab"])
        XCTAssertEqual(config.names("contexts"), ["homelab"])
        XCTAssertEqual(config.currentContext, "homelab")
        XCTAssertEqual(config.server(ofCluster: "homelab"), "https://192.168.10.21:6443")
        XCTAssertTrue(config.yaml.contains("cluster: homelab"), config.yaml)
        XCTAssertTrue(config.yaml.contains("client-key-data: S0VZCg=="), "credentials are kept")
        XCTAssertFalse(config.yaml.contains("default"), config.yaml)
    }

    func testMergingReplacesTheLabEntriesAndKeepsTheOthers() throws {
        let other = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: work
              cluster: {server: "https://work.example:6443"}
            - name: homelab
              cluster: {server: "https://old:6443"}
            contexts:
            - name: work
              context: {cluster: work, user: work, namespace: default}
            users:
            - name: work
              user: {token: abc}
            current-context: work

            """
        let existing = try Kubeconfig(yaml: other, source: "config")
        let lab = try Kubeconfig(yaml: Self.k3sYAML, source: "k3s")
            .forLab(named: "homelab", server: "https://192.168.10.21:6443", source: "k3s")
        let merged = existing.merging(lab)
        XCTAssertEqual(merged.names("clusters"), ["work", "homelab"])
        XCTAssertEqual(merged.server(ofCluster: "homelab"), "https://192.168.10.21:6443")
        XCTAssertEqual(merged.server(ofCluster: "work"), "https://work.example:6443")
        XCTAssertEqual(merged.names("contexts"), ["work", "homelab"])
        XCTAssertEqual(merged.currentContext, "homelab")
        XCTAssertTrue(merged.yaml.contains("namespace: default"), "other contexts are untouched")
        XCTAssertEqual(merged.merging(lab), merged, "merging again changes nothing")
    }

    func testAConfigWithTwoClustersIsNotTakenForK3s() throws {
        let two = Self.k3sYAML.replacingOccurrences(
            of: "contexts:", with: "- cluster: {server: x}\n  name: second\ncontexts:")
        XCTAssertThrowsError(
            try Kubeconfig(yaml: two, source: "node:/k3s.yaml").forLab(named: "lab", server: "s", source: "node")
        ) { error in
            XCTAssertTrue("\(error)".contains("has 2 clusters"), "\(error)")
        }
    }

    func testTheFileIsWrittenPrivatelyAndASecondMergeIsNoChange() throws {
        let dir = try TemporaryDirectory()
        let file = KubeconfigFile(explicit: nil, environment: ["HOME": dir.path])
        XCTAssertEqual(file.path, dir.path + "/.kube/config")
        let lab = try Kubeconfig(yaml: Self.k3sYAML, source: "k3s")
            .forLab(named: "homelab", server: "https://192.168.10.21:6443", source: "k3s")
        let first = try file.merged(with: lab)
        XCTAssertTrue(first.changes)
        try file.write(first.result)
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
        XCTAssertFalse(try file.merged(with: lab).changes)
    }

    func testKUBECONFIGsFirstPathIsTheOneWritten() {
        let file = KubeconfigFile(explicit: nil, environment: ["KUBECONFIG": "/a/one:/b/two", "HOME": "/h"])
        XCTAssertEqual(file.path, "/a/one")
        XCTAssertEqual(KubeconfigFile(explicit: "~/lab.yaml", environment: ["HOME": "/h"]).path, "/h/lab.yaml")
    }
}
