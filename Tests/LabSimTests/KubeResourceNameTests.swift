import HLSCore
import HLSFormats
import XCTest

@testable import LabSim

/// The built-in resources the simulated controllers name, declared once beside
/// `KubeResourceName`: each is a resource the simulated API serves, at its real path.
final class KubeResourceNameTests: XCTestCase {
    func testBuiltInNamesAreServedResources() {
        let names: [KubeResourceName] = [
            .pods, .nodes, .services, .secrets, .namespaces, .configMaps, .persistentVolumeClaims,
            .persistentVolumes, .deployments, .replicaSets, .daemonSets, .statefulSets, .podDisruptionBudgets,
            .storageClasses, .ingresses, .ingressClasses,
        ]
        let served = Set(KubeBuiltInTypes.all.map(\.storeKey))
        for name in names {
            XCTAssertTrue(served.contains(name.storeKey), "\(name.storeKey) is not a built-in resource")
            let type = KubeBuiltInTypes.all.first { $0.storeKey == name.storeKey }
            XCTAssertEqual(type?.version, name.version, name.storeKey)
        }
        XCTAssertEqual(Set(names).count, names.count, "a name declared twice")
    }

    func testPathOfAnObject() {
        let pod = Document.object([("metadata", .object([("name", .string("web")), ("namespace", .string("apps"))]))])
        XCTAssertEqual(KubeResourceName.pods.path(of: pod), "/api/v1/namespaces/apps/pods/web")
        let node = Document.object([("metadata", .object([("name", .string("k3s-1"))]))])
        XCTAssertEqual(KubeResourceName.nodes.path(of: node), "/api/v1/nodes/k3s-1")
        XCTAssertEqual(
            KubeResourceName.deployments.path(namespace: "flux-system"),
            "/apis/apps/v1/namespaces/flux-system/deployments")
    }
}
