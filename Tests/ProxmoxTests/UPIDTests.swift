import HLSCore
import XCTest

@testable import Proxmox

final class UPIDTests: XCTestCase {
    func testAQemuCloneTaskOfAToken() throws {
        let upid = try UPID(parsing: "UPID:pve1:000A1B2C:0042D3E4:66B0C0DE:qmclone:9000:root@pam!hlsh:")
        XCTAssertEqual(upid.node, "pve1")
        XCTAssertEqual(upid.pid, 0x000A_1B2C)
        XCTAssertEqual(upid.pstart, 0x0042_D3E4)
        XCTAssertEqual(upid.startTime, 0x66B0_C0DE)
        XCTAssertEqual(upid.type, "qmclone")
        XCTAssertEqual(upid.id, "9000")
        XCTAssertEqual(upid.vmid, 9000)
        XCTAssertEqual(upid.user, "root@pam!hlsh")
        XCTAssertEqual(upid.summary, "qmclone VM 9000 on pve1")
        XCTAssertEqual(upid.description, "UPID:pve1:000A1B2C:0042D3E4:66B0C0DE:qmclone:9000:root@pam!hlsh:")
    }

    func testAnEmptyIdAndANineDigitPstart() throws {
        let upid = try UPID(parsing: "UPID:node-2:00001234:1000ABCDE:66B0C0DE:aptupdate::root@pam:")
        XCTAssertEqual(upid.node, "node-2")
        XCTAssertEqual(upid.id, "")
        XCTAssertNil(upid.vmid)
        XCTAssertEqual(upid.pstart, 0x1_000A_BCDE)
        XCTAssertEqual(upid.user, "root@pam")
        XCTAssertEqual(upid.summary, "aptupdate on node-2")
    }

    func testTheTaskPathUsesTheNodeOfTheUPID() throws {
        let upid = try UPID(parsing: "UPID:pve2:00001234:00ABCDEF:66B0C0DE:qmstart:101:hlsh@pve!ci:")
        XCTAssertEqual(
            PVEClient.taskPath(upid), "/nodes/pve2/tasks/UPID:pve2:00001234:00ABCDEF:66B0C0DE:qmstart:101:hlsh@pve!ci:")
    }

    func testMalformedUPIDsAreRefused() {
        for bad in [
            "", "UPID:pve1", "UPID:pve1:000A1B2C:0042D3E4:66B0C0DE:qmclone:9000:root@pam",  // no trailing colon
            "TASK:pve1:000A1B2C:0042D3E4:66B0C0DE:qmclone:9000:root@pam:",
            "UPID:pve1:XYZ:0042D3E4:66B0C0DE:qmclone:9000:root@pam:",
            "UPID:pve1:000A1B2C:0042D3E4:66B0C0DE::9000:root@pam:",
            "UPID:pve1:000A1B2C:0042D3E4:66B0C0DE:qmclone:9000::",
            "UPID:pve_1:000A1B2C:0042D3E4:66B0C0DE:qmclone:9000:root@pam:",
        ] {
            XCTAssertThrowsError(try UPID(parsing: bad), bad) { error in
                XCTAssertEqual((error as? HLSError)?.kind, .failed)
            }
        }
    }

    func testExitStatusesThatCountAsSuccess() throws {
        let clone = try UPID(parsing: "UPID:pve1:000A1B2C:0042D3E4:66B0C0DE:qmclone:9000:root@pam:")
        let start = try UPID(parsing: "UPID:pve1:000A1B2C:0042D3E4:66B0C0DE:qmstart:101:root@pam:")
        XCTAssertEqual(PVETaskStatus(upid: clone, isRunning: false, exitStatus: "OK").successWarnings, 0)
        XCTAssertEqual(PVETaskStatus(upid: clone, isRunning: false, exitStatus: "WARNINGS: 3").successWarnings, 3)
        XCTAssertNil(PVETaskStatus(upid: clone, isRunning: false, exitStatus: "can't lock file").successWarnings)
        XCTAssertNil(PVETaskStatus(upid: clone, isRunning: true, exitStatus: nil).successWarnings)
        XCTAssertEqual(
            PVETaskStatus(upid: start, isRunning: false, exitStatus: "VM 101 already running").successWarnings, 0)
    }
}
