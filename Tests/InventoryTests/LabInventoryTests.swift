import Foundation
import HLSCore
import Inventory
import XCTest

final class LabInventoryTests: XCTestCase {
    static var shippedInventory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("scripts/homelab.yaml").path
    }

    func testTheShippedInventoryDescribesTheSeedLab() throws {
        let lab = try Lab.load(path: Self.shippedInventory)
        XCTAssertEqual(lab.proxmox.nodes, ["pve1", "pve2"])
        XCTAssertEqual(lab.vms.map(\.name), ["k3s-cp-01", "k3s-wk-01"])
        let cp = try XCTUnwrap(lab.vm(named: "k3s-cp-01"))
        XCTAssertEqual(cp.host, "pve1")
        XCTAssertEqual(cp.role, .server)
        XCTAssertEqual(cp.cores, 4)
        XCTAssertEqual(cp.memory, 8 << 30)
        XCTAssertEqual(cp.osDisk, 50 << 30)
        XCTAssertEqual(cp.dataDisk, 100 << 30)
        let wk = try XCTUnwrap(lab.vm(named: "k3s-wk-01"))
        XCTAssertEqual(wk.host, "pve2")
        XCTAssertEqual(wk.role, .agent)
        XCTAssertEqual(wk.cores, 6)
        XCTAssertEqual(wk.memory, 16 << 30)
        XCTAssertEqual(wk.dataDisk, 100 << 30)
        // Both data disks are Longhorn's: node disks mounts them at its data path.
        XCTAssertEqual(lab.vms.map(\.dataMount), ["/var/lib/longhorn", "/var/lib/longhorn"])
        XCTAssertNotEqual(cp.ip.address, wk.ip.address)
        XCTAssertTrue(cp.ip.contains(lab.network.gateway))
    }

    func testTheShippedInventoryHoldsNoSecret() throws {
        let text = try String(contentsOfFile: Self.shippedInventory, encoding: .utf8)
        for marker in ["PVEAPIToken=", "password:", "token:", "BEGIN OPENSSH PRIVATE KEY"] {
            XCTAssertFalse(text.contains(marker), "homelab.yaml contains \(marker)")
        }
    }

    /// The inventory of the tests below: valid, so each test breaks one thing.
    let valid = """
        proxmox:
          nodes: [pve1, pve2]
        template:
          name: ubuntu-2404-cloud
        storage: local-lvm
        network:
          gateway: 10.0.0.1
        ssh:
          user: ubuntu
          public_keys: [~/.ssh/id_ed25519.pub]
        vms:
          - name: cp
            host: pve1
            role: server
            cores: 2
            memory: 4G
            os_disk: 20G
            ip: 10.0.0.10/24
        k3s:
          version: v1.31.4+k3s1
        """

    func problems(replacing old: String, with new: String) -> [HLSError] {
        let text = valid.replacingOccurrences(of: old, with: new)
        XCTAssertNotEqual(text, valid, "the test did not change the inventory")
        return Lab.problems(text, file: "lab.yaml")
    }

    func place(_ e: HLSError?) -> String { e?.place.map { "\($0)" } ?? "none" }

    func testTheBaseInventoryIsValid() {
        XCTAssertEqual(Lab.problems(valid, file: "lab.yaml").map(\.message), [])
    }

    /// `data_mount` is an absolute directory, and needs a `data_disk` to mount there.
    func testADataMountNeedsADataDiskAndAnAbsolutePath() {
        let alone = problems(replacing: "os_disk: 20G", with: "os_disk: 20G\n    data_mount: /var/lib/longhorn")
        XCTAssertEqual(
            alone.map(\.message), ["vms[0].data_mount: data_mount needs a data_disk to mount (e.g. data_disk: 100G)"])
        let relative = problems(
            replacing: "os_disk: 20G", with: "os_disk: 20G\n    data_disk: 100G\n    data_mount: var/lib/longhorn")
        XCTAssertEqual(
            relative.map(\.message),
            ["vms[0].data_mount: expected an absolute directory such as /var/lib/longhorn, got 'var/lib/longhorn'"])
        let both = problems(
            replacing: "os_disk: 20G", with: "os_disk: 20G\n    data_disk: 100G\n    data_mount: /var/lib/longhorn")
        XCTAssertEqual(both.map(\.message), [])
    }

    func testABadSizeNamesFileLineAndField() {
        let p = problems(replacing: "memory: 4G", with: "memory: four gigs")
        XCTAssertEqual(p.count, 1)
        XCTAssertEqual(p.first?.message, "vms[0].memory: expected a size such as 8G, 512M or 100GiB, got 'four gigs'")
        XCTAssertEqual(place(p.first), "lab.yaml:16:13")
    }

    /// A server VM with a wrong field is still the server: its problem is the only one, not
    /// "no VM has role: server" at the top of the file first.
    func testAWrongFieldOfTheServerIsTheOnlyProblem() {
        let p = problems(replacing: "cores: 2", with: "cores: four")
        XCTAssertEqual(p.map(\.message), ["vms[0].cores: expected a whole number from 1 to 512, got 'four'"])
    }

    /// A size more bytes than 64 bits hold used to trap while the inventory was read.
    func testASizeTooBigToHoldIsAProblemNotACrash() {
        let p = problems(replacing: "memory: 4G", with: "memory: 9999999999G")
        XCTAssertEqual(
            p.map(\.message),
            [
                "vms[0].memory: 9999999999G is too big: sizes go up to 9223372036854775807 bytes (8191P, just under 8 EiB)"
            ])
        XCTAssertEqual(place(p.first), "lab.yaml:16:13")
    }

    func testTheCertificateFingerprintIsReadAndCheckedWhereItIsWritten() throws {
        let fingerprint = (0..<32).map { String(format: "%02X", $0 * 7 + 1) }.joined(separator: ":")
        let text = valid.replacingOccurrences(
            of: "  nodes: [pve1, pve2]", with: "  nodes: [pve1, pve2]\n  fingerprint: \(fingerprint.lowercased())")
        let lab = try Lab.parse(text, file: "lab.yaml")
        XCTAssertEqual(lab.proxmox.fingerprint?.description, fingerprint)

        let p = problems(replacing: "  nodes: [pve1, pve2]", with: "  nodes: [pve1, pve2]\n  fingerprint: AA:BB:CC")
        XCTAssertEqual(p.count, 1, "\(p)")
        XCTAssertEqual(
            p.first?.message,
            "proxmox.fingerprint: expected a SHA-256 certificate fingerprint, 32 hex pairs (AA:BB:…:FF)")
        XCTAssertEqual(place(p.first), "lab.yaml:3:16")
        XCTAssertTrue(p.first?.hint?.contains("pvenode cert info") ?? false)
    }

    /// A typo names the field it meant in its message, and comes before the required field it
    /// leaves missing (which it explains).
    func testAnUnknownFieldSuggestsTheNearestKnownOneBeforeTheMissingOne() {
        let p = problems(replacing: "memory: 4G", with: "memroy: 4G")
        XCTAssertEqual(
            p.map(\.message),
            [
                "unknown field 'memroy' in vms[0]; did you mean 'memory'?",
                "vms[0].memory: is required (a size such as 8G)",
            ])
        XCTAssertEqual(place(p.first), "lab.yaml:16:5")
        XCTAssertNil(p.first?.hint)
        let far = problems(replacing: "cores: 2", with: "cores: 2\n    colour: blue")
        XCTAssertEqual(far.map(\.message), ["unknown field 'colour' in vms[0]"])
        XCTAssertTrue(far.first?.hint?.hasPrefix("known fields: cores, data_disk, data_mount, host") ?? false, "\(far)")
        let top = problems(replacing: "storage: local-lvm", with: "storage: local-lvm\nstorag: x")
        XCTAssertEqual(top.map(\.message), ["unknown field 'storag'; did you mean 'storage'?"])
    }

    func testASecretInTheInventoryIsRefused() {
        let p = problems(replacing: "  nodes: [pve1, pve2]", with: "  nodes: [pve1, pve2]\n  token: root@pam!x=abc")
        XCTAssertEqual(p.first?.message, "proxmox.token: secrets are never stored in homelab.yaml")
        XCTAssertFalse("\(p)".contains("abc"), "the secret's value must not appear in the error")
    }

    func testEveryProblemIsReportedAtOnce() {
        let text = valid.replacingOccurrences(of: "host: pve1", with: "host: pve9")
            .replacingOccurrences(of: "name: cp", with: "name: cp_01")
            .replacingOccurrences(of: "ip: 10.0.0.10/24", with: "ip: 10.0.1.10/24")
        let p = Lab.problems(text, file: "lab.yaml")
        XCTAssertEqual(p.count, 3, "\(p.map(\.message))")
        XCTAssertTrue(p[0].message.contains("not a valid DNS name"))
        XCTAssertTrue(p[1].message.contains("'pve9' is not one of proxmox.nodes"))
        XCTAssertTrue(p[2].message.contains("not in the same network as the gateway"))
    }

    func testDuplicateAddressesAreRefused() {
        let second = """
              - name: wk
                host: pve2
                role: agent
                cores: 2
                memory: 4G
                os_disk: 20G
                ip: 10.0.0.10/24
            """
        let text = valid.replacingOccurrences(
            of: "k3s:\n", with: second.replacingOccurrences(of: "    ", with: "", options: .anchored) + "\nk3s:\n")
        let p = Lab.problems(text, file: "lab.yaml")
        XCTAssertTrue(p.contains { $0.message == "vms[1].ip: 10.0.0.10 is already used by cp" }, "\(p.map(\.message))")
    }

    func testLoadThrowsTheFirstProblemWithTheOthers() {
        let text = valid.replacingOccurrences(of: "cores: 2", with: "cores: 0").replacingOccurrences(
            of: "memory: 4G", with: "memory: 1M")
        XCTAssertThrowsError(try Lab.parse(text, file: "lab.yaml")) { error in
            let e = error as? HLSError
            XCTAssertEqual(e?.kind, .configuration)
            XCTAssertEqual(e?.message, "vms[0].cores: expected a whole number from 1 to 512, got '0'")
            XCTAssertEqual(e?.others.map(\.message), ["vms[0].memory: 1M is too small (at least 512 MiB)"])
            XCTAssertEqual(e?.others.first?.place, .source(SourceLocation(file: "lab.yaml", line: 16, column: 13)))
            XCTAssertTrue(
                e?.description.contains("lab.yaml:16:13: error: vms[0].memory") ?? false, "\(String(describing: e))")
        }
    }

    func testInvalidYAMLIsAConfigurationErrorWithItsPosition() {
        let p = Lab.problems("vms: [\n", file: "lab.yaml")
        XCTAssertEqual(p.first?.kind, .configuration)
        XCTAssertTrue(place(p.first).hasPrefix("lab.yaml:"), place(p.first))
    }
}
