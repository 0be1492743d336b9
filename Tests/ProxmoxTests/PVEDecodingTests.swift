import HLSCore
import HLSFormats
import HLSTransport
import XCTest

@testable import Proxmox

/// PVE returns numbers as strings in many places; hlsh reads both.
final class PVEDecodingTests: XCTestCase {
    func testIntOrString() throws {
        XCTAssertEqual(Document.int(8192).pveInt, 8192)
        XCTAssertEqual(Document.string("8192").pveInt, 8192)
        XCTAssertEqual(Document.string(" 101 ").pveInt, 101)
        XCTAssertEqual(Document.double(4.0).pveInt, 4)
        XCTAssertNil(Document.double(4.5).pveInt)
        XCTAssertNil(Document.string("8G").pveInt)
        XCTAssertNil(Document.null.pveInt)
        XCTAssertEqual(try JSONCodec.decode(#"{"data":"101"}"#)["data"]?.pveInt, 101)
    }

    func testStringsAndFlags() {
        XCTAssertEqual(Document.int(4).pveString, "4")
        XCTAssertEqual(Document.double(0.5).pveString, "0.5")
        XCTAssertEqual(Document.string("x").pveString, "x")
        XCTAssertEqual(Document.int(1).pveBool, true)
        XCTAssertEqual(Document.string("0").pveBool, false)
        XCTAssertEqual(Document.string("1").pveBool, true)
        XCTAssertNil(Document.null.pveBool)
        XCTAssertEqual(Document.string("0.25").pveDouble, 0.25)
    }

    func testAConfigAnswerKeepsItsOrderAndSeparatesTheDigest() throws {
        let data = try JSONCodec.decode(
            #"{"memory":"8192","cores":4,"name":"k3s-1","digest":"abc123","scsi0":"local-lvm:vm-101-disk-0,iothread=1,size=3584M"}"#
        )
        var entries: [PVEVMConfig.Entry] = []
        var digest: String?
        for (key, value) in data.pveMembers {
            if key == "digest" {
                digest = value.pveString
            } else {
                entries.append(.init(key: key, value: value.pveString!))
            }
        }
        let config = PVEVMConfig(entries: entries, digest: digest)
        XCTAssertEqual(config.keys, ["memory", "cores", "name", "scsi0"])
        XCTAssertEqual(config["memory"], "8192")
        XCTAssertEqual(config["cores"], "4")
        XCTAssertEqual(config.digest, "abc123")
        XCTAssertEqual(config.diskSize("scsi0"), 3584 << 20)
        XCTAssertNil(config.diskSize("scsi1"))
    }

    func testDiskSizes() {
        XCTAssertEqual(PVEDiskSize.bytes("50G"), 50 << 30)
        XCTAssertEqual(PVEDiskSize.bytes("3584M"), 3584 << 20)
        XCTAssertEqual(PVEDiskSize.bytes("1.5T"), 3 << 39)
        XCTAssertEqual(PVEDiskSize.bytes("4096"), 4096)
        XCTAssertNil(PVEDiskSize.bytes("50GB"))
        XCTAssertNil(PVEDiskSize.bytes("G"))
        XCTAssertNil(PVEDiskSize.bytes("99999999999T"), "more than 64 bits hold: not a size, not a trap")
        XCTAssertEqual(PVEDiskSize.format(50 << 30), "50G")
        XCTAssertEqual(PVEDiskSize.format(3584 << 20), "3584M")
    }

    func testNearestNames() {
        let names = ["k3s-server-1", "k3s-agent-1", "k3s-agent-2", "ubuntu-2404-cloud"]
        XCTAssertEqual(PVENameSuggestions.nearest(to: "k3s-agent-3", in: names), ["k3s-agent-1", "k3s-agent-2"])
        XCTAssertEqual(PVENameSuggestions.nearest(to: "k3s-server", in: names), ["k3s-server-1"])
        XCTAssertEqual(PVENameSuggestions.nearest(to: "postgres", in: names), [])
    }
}
