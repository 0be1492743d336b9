import XCTest

@testable import LabSim

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What Longhorn's environment check finds on a node, from the root tree the lab gives the node.
final class LonghornNodeEnvironmentTests: XCTestCase {
    func testAnUnknownNodeHasNothingInstalled() {
        let environment = LonghornNodeEnvironment(node: "k3s-9") { _ in nil }
        XCTAssertEqual(environment.missingPackages, ["nfs-common", "open-iscsi", "cryptsetup"])
        XCTAssertEqual(environment.unloadedModules, ["iscsi_tcp", "dm_crypt"])
        XCTAssertEqual(
            environment.attachFailure, "failed to start engine: exec: \"iscsiadm\": executable file not found in $PATH")
    }

    func testAPreparedNodeCanAttach() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lh-env-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files =
            ["nfs-common", "open-iscsi", "cryptsetup"].map { "/var/lib/hlsh-sim/dpkg/" + $0 }
            + ["/sys/module/iscsi_tcp", "/sys/module/dm_crypt", NodeBoot.unitStatePath + "/iscsid.service.active"]
        for file in files {
            let path = root + file
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data()))
        }
        let environment = LonghornNodeEnvironment(node: "k3s-1") { $0 == "k3s-1" ? root : nil }
        XCTAssertEqual(environment.missingPackages, [])
        XCTAssertEqual(environment.unloadedModules, [])
        XCTAssertNil(environment.attachFailure)
        XCTAssertFalse(environment.multipathdClaims)
    }
}
