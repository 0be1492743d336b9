import HLSCore
import XCTest

@testable import LabSim

/// The simulator's building blocks checked against known values.
final class PVEUnitTests: XCTestCase {
    func testUPIDRoundTrip() throws {
        let upid = UPID.encode(
            node: "pve1", pid: 0x1234, pstart: 0x2A, starttime: 0x66A0_0000, type: "qmclone", id: "9000",
            user: "root@pam!hlsh")
        XCTAssertEqual(upid, "UPID:pve1:00001234:0000002A:66A00000:qmclone:9000:root@pam!hlsh:")
        let parts = try XCTUnwrap(UPID.decode(upid))
        XCTAssertEqual(parts.user, "root@pam!hlsh")
        XCTAssertEqual(parts.pid, 0x1234)
        XCTAssertNil(UPID.decode("UPID:pve1:1234:2A:66A00000:qmclone:9000:root@pam:"))
        XCTAssertNotNil(UPID.decode("UPID:pve1:00001234:0000002A:66A00000:vzdump::root@pam:"))
    }

    func testFormDecodingFollowsPVE() {
        let pairs = FormDecoding.decodePairs("a=1+2;b=%2B&c&d=x=y")
        XCTAssertEqual(
            pairs,
            [
                .init(key: "a", value: "1 2"), .init(key: "b", value: "+"), .init(key: "c", value: nil),
                .init(key: "d", value: "x"),
            ])
        XCTAssertEqual(FormDecoding.percentDecode("ssh-ed25519%20AAAA+x"), "ssh-ed25519 AAAA+x")
    }

    func testPropertyStrings() {
        let drive = PVESchema.parsePropertyString(
            "local-lvm:32,iothread=on,discard=on", PVEQemuSchema.driveFormat, path: "scsi1")
        XCTAssertEqual(try drive.get(), ["file": "local-lvm:32", "iothread": "1", "discard": "on"])
        guard
            case .failure(let bad) = PVESchema.parsePropertyString(
                "local-lvm:32,speed=9", PVEQemuSchema.driveFormat, path: "scsi1")
        else { return XCTFail("accepted an unknown key") }
        XCTAssertEqual(bad.text, "invalid key in comma-separated list property: speed\n")
        XCTAssertEqual(PVEHandlers.normalizeNet("virtio,bridge=vmbr0").prefix(16), "virtio=BC:24:11:")
        XCTAssertEqual(PVEQemuSchema.formatSize(3584 << 20), "3584M")
        XCTAssertEqual(PVEQemuSchema.formatSize(50 << 30), "50G")
        XCTAssertEqual(PVEQemuSchema.parseSize("1.5G"), 1536 << 20)
    }

    func testSSHKeyCheckAndNetmask() {
        XCTAssertTrue(PVEQemuSchema.isValidSSHPublicKey(testSSHKey))
        XCTAssertFalse(
            PVEQemuSchema.isValidSSHPublicKey(
                "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIJ5wBFsPZnQOrk0uNeSSb6ysCgWzjTfsQ2jxWrqx0i0T"))
        XCTAssertFalse(PVEQemuSchema.isValidSSHPublicKey("hello world"))
        XCTAssertEqual(PVECloudInit.netmask(24), "255.255.255.0")
        XCTAssertEqual(PVECloudInit.netmask(20), "255.255.240.0")
        XCTAssertEqual(PVEHandlers.linkLocal("bc:24:11:aa:bb:cc"), "fe80::be24:11ff:feaa:bbcc")
    }

    func testGlobs() {
        XCTAssertTrue(PVEFaultInjector.glob("/nodes/*/qemu/*/clone", matches: "/nodes/pve1/qemu/9000/clone"))
        XCTAssertFalse(PVEFaultInjector.glob("/nodes/*/qemu/*/clone", matches: "/nodes/pve1/qemu/9000/config"))
        XCTAssertTrue(PVEFaultInjector.glob("/**", matches: "/"))
        XCTAssertTrue(PVEFaultInjector.glob("/nodes/pve2/**", matches: "/nodes/pve2/qemu/101/status/current"))
    }
}
