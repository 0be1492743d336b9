import Foundation
import HLSCore
import TestSupport
import XCTest

@testable import LabSim

/// The whole simulated lab — its VMs, nodes and k3s as phase 2 leaves them — with Longhorn
/// installed from its chart (2 replicas for the `longhorn` StorageClass), for the tests that
/// need Longhorn on real simulated nodes.
struct LonghornOnLab {
    let lab: LabHarness
    let kube: KubeAPISimulator
    let client: KubeInProcessClient

    init(file: StaticString = #filePath, line: UInt = #line) throws {
        lab = try LabHarness()
        lab.installCluster(file: file, line: line)
        kube = try XCTUnwrap(lab.lab.kube, file: file, line: line)
        client = try XCTUnwrap(kube.inProcessClient(manager: "helm-controller"), file: file, line: line)
        try LonghornLab.install(values: "persistence:\n  defaultClassReplicaCount: 2\n", client: client)
    }

    /// Applies claim `name` (1Gi, namespace apps) and pod `web` using it on `node`.
    func claimWithPod(_ name: String, on node: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let manifest = try lab.home.write(
            "\(name).yaml",
            LonghornLab.claimYAML(name, size: "1Gi") + "\n---\n" + LonghornLab.podYAML("web", claim: name, on: node))
        let applied = lab.run("kube apply -f \(manifest)")
        XCTAssertEqual(applied.status, 0, applied.err, file: file, line: line)
    }
}
